/**
 * The desk's calls to /desk/api/v1: each one asks the host for a fresh token, sends it as a bearer
 * token, and turns any failure into a ProblemError (problem.ts). The response shapes follow the
 * contract in docs/desk-frontend.md.
 */
import type { Host } from './host';
import { ProblemError, problemFrom, type Problem } from './problem';

export const API_BASE = `${import.meta.env.BASE_URL}api/v1`;

/** Something the API names: a plain string, or an object with a code, id and/or name. */
export type Named = string | number | { code?: string; id?: string; name?: string } | null | undefined;

export interface Me {
  id: string;
  name: string;
  roles: string[];
  is_admin: boolean;
  is_scrutineer: boolean;
  can: { edit_actions: boolean; edit_reference: boolean; import_files: boolean; see_drift?: boolean; create_actions?: boolean };
  partnership: Named;
}

/** One row of the register. `group` and `priority` are codes, with their names beside them; `lead`
 * and `agency` are names; `lead_id` is the lead's roster code; dates are ISO dates (2026-12-31). */
export interface ActionRow {
  ref: string;
  title: string;
  group: Named;
  group_name?: string;
  priority: Named;
  priority_name?: string;
  source: Named;
  lead: Named;
  lead_id?: string | null;
  agency: Named;
  status: Named;
  rag: Named;
  lead_rag: Named;
  due: string | null;
  revised_due: string | null;
  overdue_working_days: number | null;
  last_update_at: string | null;
  can_update?: boolean;
}

export interface ActionPage {
  items: ActionRow[];
  total: number;
  page: number;
  page_size: number;
}

export interface CodeName {
  code: string;
  name: string;
}

export interface Filters {
  groups: CodeName[];
  priorities: CodeName[];
  sources: CodeName[];
  leads: { id: string; name: string }[];
  agencies: CodeName[];
  statuses: string[];
  /** The derived RAG's choices, with 'none' (complete or dropped). */
  rags: string[];
  /** The lead's own RAG's choices. */
  lead_rags?: string[];
}

/** A progress update. A revised due date is not kept per update (the action's facts hold it). */
export interface Update {
  at: string;
  /** The day the update speaks for (an ISO date). */
  dated?: string;
  by: Named;
  rag: Named;
  note: string | null;
  status?: string;
  complete: boolean;
}

export interface HistoryEntry {
  at: string;
  actor: Named;
  /** What happened: 'seeded', 'updated', ... */
  event?: string;
  field: string;
  from: unknown;
  to: unknown;
}

export interface ActionDetail {
  action: Record<string, unknown> & { ref: string; title: string };
  updates: Update[];
  history: HistoryEntry[];
  can_update: boolean;
}

async function readBody(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** Makes the error a refused call throws from its problem and the body that came with it. A caller
 * that needs more of that body (screening's findings, the actions a person still leads) passes its
 * own; the body is null when there was none (no token, no answer). */
export type Refusal = (problem: Problem, body: unknown) => ProblemError;

const plainRefusal: Refusal = (problem) => new ProblemError(problem);

export type SendMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiCall {
  method?: 'GET' | SendMethod;
  headers?: Record<string, string>;
  body?: BodyInit;
  signal?: AbortSignal;
}

/**
 * Fetches a path under the API prefix with a fresh bearer token; resolves to the response when it is
 * ok. Otherwise it throws what `refusal` makes of the problem: 401 without a token, status 0 when the
 * server could not be reached, else the response's own status and problem document. An aborted call
 * throws its AbortError unchanged.
 */
export async function apiFetch(host: Host, path: string, call: ApiCall = {}, refusal: Refusal = plainRefusal): Promise<Response> {
  let token: string | null;
  try {
    token = await host.getToken();
  } catch {
    token = null;
  }
  if (!token) throw refusal(problemFrom(401, null), null);
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, { ...call, headers: { Authorization: `Bearer ${token}`, ...call.headers } });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw refusal(problemFrom(0, null), null);
  }
  if (!response.ok) {
    const body = await readBody(response);
    throw refusal(problemFrom(response.status, body), body);
  }
  return response;
}

/** GET a path under the API prefix; resolves to the parsed JSON or throws a ProblemError. */
export async function apiGet<T>(host: Host, path: string, signal?: AbortSignal): Promise<T> {
  const response = await apiFetch(host, path, { headers: { Accept: 'application/json' }, signal });
  return (await readBody(response)) as T;
}

/** POST, PUT, PATCH or DELETE a body under the API prefix (JSON, or a FormData sent as multipart);
 * resolves to the parsed JSON or throws what `refusal` makes of the problem (a ProblemError, its
 * field errors kept, unless the caller asks for more). */
export async function apiSend<T>(
  host: Host,
  method: SendMethod,
  path: string,
  body?: unknown,
  refusal: Refusal = plainRefusal,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let sent: BodyInit | undefined;
  if (body instanceof FormData) {
    // The browser writes the multipart Content-Type with its boundary.
    sent = body;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    sent = JSON.stringify(body);
  }
  const response = await apiFetch(host, path, { method, headers, body: sent }, refusal);
  return (await readBody(response)) as T;
}

/** The parsed JSON of a development call, or its problem as a ProblemError. */
async function devAnswer<T>(response: Response): Promise<T> {
  const body = await readBody(response);
  if (!response.ok) throw new ProblemError(problemFrom(response.status, body));
  return body as T;
}

export interface DemoPerson {
  id: string;
  name: string;
  roles: string[];
}

/** Development only: the demo people offered by "Sign in as". */
export async function devPeople(): Promise<DemoPerson[]> {
  const response = await fetch(`${import.meta.env.BASE_URL}dev/people`, {
    headers: { Accept: 'application/json' },
  });
  return devAnswer<DemoPerson[]>(response);
}

/** Development only: a token for one demo person. */
export async function devSignIn(personId: string): Promise<string> {
  const response = await fetch(`${import.meta.env.BASE_URL}dev/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ person_id: personId }),
  });
  return (await devAnswer<{ token: string }>(response)).token;
}

/** The words for a Named value: its name, else its code or id, else the text itself. */
export function label(value: Named | unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return value === true ? 'Yes' : value === false ? 'No' : String(value);
  if (typeof value === 'object') {
    const named = value as { name?: unknown; code?: unknown; id?: unknown };
    for (const candidate of [named.name, named.code, named.id]) {
      if (typeof candidate === 'string' && candidate !== '') return candidate;
    }
  }
  return JSON.stringify(value);
}

/** A code word as words: 'not_started' -> 'Not started'. */
export function sentence(word: string): string {
  const words = word.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
