/**
 * The reference data's API (/desk/api/v1/reference/<kind>): each kind's item and form, and the
 * calls that change them. A refusal is a ReferenceProblem: the problem (errors per field on a 422)
 * and, when a person still leads open actions, their references.
 */
import { API_BASE } from './api';
import type { Host } from './host';
import { ProblemError, problemFrom, type Problem } from './problem';

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

async function token(host: Host): Promise<string> {
  let found: string | null = null;
  try {
    found = await host.getToken();
  } catch {
    found = null;
  }
  if (!found) throw new ReferenceProblem(problemFrom(401, null));
  return found;
}

/** POST or PUT a JSON body under /reference; resolves to the answer or throws a ReferenceProblem. */
export async function referenceSend<T>(host: Host, method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  const bearer = await token(host);
  let response: Response;
  try {
    response = await fetch(`${API_BASE}/reference${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ReferenceProblem(problemFrom(0, null));
  }
  let answer: unknown = null;
  try {
    answer = await response.json();
  } catch {
    answer = null;
  }
  if (!response.ok) {
    const actions = (answer as { actions?: unknown } | null)?.actions;
    throw new ReferenceProblem(
      problemFrom(response.status, answer),
      Array.isArray(actions) ? actions.map(String) : [],
    );
  }
  return answer as T;
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
