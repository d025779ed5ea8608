/**
 * The desk's calls that change an action (a progress update, its facts, an overlap decision) and
 * the drift overview: their types, and a send that keeps what screening found (`findings` and the
 * `screened` fingerprint of a 422 "needs-confirmation") beside the problem itself.
 */
import { apiSend, type CodeName } from './api';
import type { Host } from './host';
import { ProblemError, type Problem } from './problem';

export const NEEDS_CONFIRMATION = 'https://partnership-bot/problems/needs-confirmation';
export const CONFLICT = 'https://partnership-bot/problems/conflict';

export interface Finding {
  field: string;
  kind: string;
  label: string;
}

/** What screening found in what was typed, and the fingerprint a confirmation sends back. */
export interface Screening {
  findings: Finding[];
  screened: string;
}

/** A refused change: its problem, and what screening found when that was the reason. */
export class SendError extends ProblemError {
  constructor(
    problem: Problem,
    readonly screening: Screening | null,
  ) {
    super(problem);
  }
}

function screeningOf(body: unknown): Screening | null {
  if (typeof body !== 'object' || body === null) return null;
  const { findings, screened } = body as { findings?: unknown; screened?: unknown };
  if (!Array.isArray(findings) || typeof screened !== 'string') return null;
  const found = findings
    .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
    .map((f) => ({ field: String(f.field ?? ''), kind: String(f.kind ?? ''), label: String(f.label ?? f.kind ?? '') }));
  return { findings: found, screened };
}

/** A refusal as a SendError, with screening's findings when they were the reason. */
function sendError(problem: Problem, body: unknown): SendError {
  return new SendError(problem, problem.type === NEEDS_CONFIRMATION ? screeningOf(body) : null);
}

/** POST or PATCH JSON under the API prefix (api.ts's apiSend); resolves to the answer or throws a
 * SendError. */
export function apiChange<T>(host: Host, method: 'POST' | 'PATCH', path: string, body: unknown): Promise<T> {
  return apiSend<T>(host, method, path, body, sendError);
}

/** Field errors of a 422 by field name (the first message for each). */
export function errorsByField(problem: Problem | null): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    const field = error.field.split('.').pop() ?? error.field;
    if (!(field in errors)) errors[field] = error.message;
  }
  return errors;
}

export interface FactValues {
  text: string;
  group: string;
  priority: string;
  source: string;
  lead: string;
  agency: string;
  due: string;
}

export interface FactsForm {
  ref: string;
  values: FactValues;
  version: number;
  can_edit: boolean;
}

export interface FactChoices {
  groups: CodeName[];
  priorities: CodeName[];
  sources: CodeName[];
  people: { id: string; name: string }[];
  agencies: CodeName[];
  next_reference: string;
}

export interface BucketCounts {
  red: number;
  amber: number;
  green: number;
  complete: number;
  dropped: number;
}

export interface DriftRow {
  code: string;
  name: string;
  counts: BucketCounts;
}

export interface Drift {
  everything: boolean;
  group_names: string[];
  by_group: DriftRow[];
  by_priority: DriftRow[];
  overdue_bands: { label: string; count: number }[];
  totals: {
    open: number;
    overdue: number;
    stale: number;
    due_soon: number;
    without_impact: number;
    disagreements: number;
  };
}

export interface Link {
  ref: string;
  title: string;
  source: string;
  status: string;
  state: string;
}
