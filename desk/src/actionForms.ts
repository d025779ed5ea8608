/**
 * What the action forms send: a progress update's body (the note always, the rest only where it
 * differs from the action) and a facts form's (everything for a new action, only the changes for
 * an edit). Kept apart from the pages so that they are tested without a browser.
 */
import type { FactValues } from './actionsApi';
import type { ActionDetail } from './api';

export interface UpdateValues {
  status: string;
  rag: string;
  slipping: boolean;
  note: string;
  revised_due: string;
  revised_reason: string;
  drop_reason: string;
  completed_on: string;
  impact: string;
  evidence: string;
}

export type Facts = ActionDetail['action'];

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function initialValues(action: Facts): UpdateValues {
  return {
    status: str(action.status) || 'in_progress',
    rag: str(action.lead_rag),
    slipping: action.slippage === true,
    note: '',
    revised_due: str(action.revised_due),
    revised_reason: '',
    drop_reason: str(action.status_reason),
    completed_on: str(action.completed_on),
    impact: str(action.impact),
    evidence: str(action.impact_evidence),
  };
}

/** The body: the note always, and the rest only where it says something the action does not. */
export function updateBody(values: UpdateValues, action: Facts): Record<string, unknown> {
  const body: Record<string, unknown> = { note: values.note, status: values.status };
  if (values.rag !== str(action.lead_rag)) body.rag = values.rag;
  if (values.slipping !== (action.slippage === true)) body.slipping = values.slipping;
  if (values.revised_due !== str(action.revised_due)) body.revised_due = values.revised_due;
  if (values.revised_reason.trim()) body.revised_reason = values.revised_reason;
  if (values.status === 'dropped') body.drop_reason = values.drop_reason;
  if (values.status === 'complete') {
    body.completed_on = values.completed_on;
    if (values.impact) body.impact = values.impact;
    body.evidence = values.evidence;
  }
  if (typeof action.version === 'number') body.version = action.version;
  return body;
}

const FACT_KEYS: (keyof FactValues)[] = ['text', 'group', 'priority', 'source', 'lead', 'agency', 'due'];

/** An edit sends only what changed (and the version); a new action sends everything. */
export function factsBody(values: FactValues & { reference?: string }, stored: FactValues | null): Record<string, unknown> {
  if (!stored) return { ...values };
  const changed: Record<string, unknown> = {};
  for (const key of FACT_KEYS) {
    if (values[key] !== stored[key]) changed[key] = values[key];
  }
  return changed;
}

