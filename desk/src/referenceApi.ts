/**
 * The reference data's API (/desk/api/v1/reference/<kind>): each kind's item and form, and the
 * calls that change them. A refusal is a ReferenceProblem: the problem (errors per field on a 422)
 * and, when a person still leads open actions, their references.
 */
import { apiSend } from './api';
import type { Host } from './host';
import { ProblemError, type Problem } from './problem';

export type Kind = 'priorities' | 'sources' | 'agencies' | 'groups' | 'courses' | 'people';

/** An item as listed: its code, the version to send back with a change, and its values. */
export type Item = { code: string; version: string; active?: boolean } & Record<string, string | number | boolean | null>;

export interface ItemList {
  items: Item[];
  can_edit: boolean;
}

export interface OpenAction {
  ref: string;
  title: string;
}

/** A refused change: the problem, and the open actions a person to deactivate still leads. */
export class ReferenceProblem extends ProblemError {
  constructor(
    problem: Problem,
    readonly actions: string[] = [],
  ) {
    super(problem);
  }
}

/** A refusal as a ReferenceProblem, with the open actions the body names. */
function referenceProblem(problem: Problem, body: unknown): ReferenceProblem {
  const actions = (body as { actions?: unknown } | null)?.actions;
  return new ReferenceProblem(problem, Array.isArray(actions) ? actions.map(String) : []);
}

/** POST or PUT a JSON body under /reference (api.ts's apiSend); resolves to the answer or throws a
 * ReferenceProblem. */
export function referenceSend<T>(host: Host, method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  return apiSend<T>(host, method, `/reference${path}`, body, referenceProblem);
}

export const STILL_LEADS = 'https://partnership-bot/problems/still-leads';
export const CONFLICT = 'https://partnership-bot/problems/conflict';

/** The field errors of a problem, by field, for showing beside each input. */
export function errorsByField(problem: Problem | null): Record<string, string> {
  const found: Record<string, string> = {};
  for (const error of problem?.errors ?? []) {
    if (!(error.field in found)) found[error.field] = error.message;
  }
  return found;
}
