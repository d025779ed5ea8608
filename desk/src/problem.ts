/**
 * RFC 9457 problem details as the desk's API sends them, and what each means for the page:
 * sign in again (401), the "how to be added" page (not on the roster), "not allowed" (forbidden),
 * or a plain error that shows the problem's title and detail.
 */

export const NOT_ON_ROSTER = 'https://partnership-bot/problems/not-on-roster';
export const FORBIDDEN = 'https://partnership-bot/problems/forbidden';

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export type ProblemKind = 'sign-in' | 'not-on-roster' | 'forbidden' | 'error';

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function fieldErrors(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const errors = value
    .filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    .map((item) => ({ field: String(item.field ?? ''), message: String(item.message ?? '') }))
    .filter((item) => item.message !== '');
  return errors.length > 0 ? errors : undefined;
}

/** A generic title for a status when the server sent none we can use (a proxy's HTML page, say). */
export function titleForStatus(status: number): string {
  if (status === 0) return 'The desk could not reach the server';
  if (status === 401) return 'Please sign in again';
  if (status === 403) return 'You are not allowed to do that';
  if (status === 404) return 'Not found';
  if (status === 429) return 'Too many requests; please wait a moment';
  if (status >= 500) return 'The server had a problem';
  return 'The request was refused';
}

/**
 * Turns whatever came back with an error status into a Problem. Only a JSON object is trusted for
 * its fields; anything else (HTML, plain text, nothing) gets the generic title for its status, so
 * no server page or stack trace is ever shown.
 */
export function problemFrom(status: number, body: unknown): Problem {
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const problem: Problem = {
    type: text(fields.type) ?? 'about:blank',
    title: text(fields.title) ?? titleForStatus(status),
    status,
  };
  const detail = text(fields.detail);
  if (detail) problem.detail = detail;
  const errors = fieldErrors(fields.errors);
  if (errors) problem.errors = errors;
  return problem;
}

export function problemKind(problem: Problem): ProblemKind {
  if (problem.status === 401) return 'sign-in';
  if (problem.status === 403 && problem.type === NOT_ON_ROSTER) return 'not-on-roster';
  if (problem.status === 403) return 'forbidden';
  return 'error';
}

/** An API call that failed, carrying its problem so pages can say plainly what went wrong. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = 'ProblemError';
  }
  get kind(): ProblemKind {
    return problemKind(this.problem);
  }
}

/** The problem a failed call met: a ProblemError's own, anything else as no answer at all. */
export function problemOf(error: unknown): Problem {
  return error instanceof ProblemError ? error.problem : problemFrom(0, null);
}
