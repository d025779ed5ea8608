/**
 * What every page of a signed-in session shares: the host, the person (GET /me), and a way to say
 * the session has ended (a 401 anywhere sends the person back to sign in). `useApi` loads one
 * resource for a page and reports its problem plainly.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { apiGet, type Me } from './api';
import type { Host } from './host';
import { ProblemError, problemOf, type Problem } from './problem';

export interface Desk {
  host: Host;
  me: Me;
  /** A call answered 401 or "not on the roster": the session-level page takes over. */
  sessionProblem(problem: Problem): void;
}

export const DeskContext = createContext<Desk | null>(null);

export function useDesk(): Desk {
  const desk = useContext(DeskContext);
  if (!desk) throw new Error('useDesk outside a signed-in session');
  return desk;
}

/** The person may change things at all: the scrutineer never may, whatever else is true. */
export function mayEdit(me: Me): boolean {
  return !me.is_scrutineer && me.can.edit_actions;
}

/** The problem a failed call met (problem.ts's problemOf); one that ends the session (401, not on
 * the roster) is also handed to the session-level page. */
export function reportedProblem(error: unknown, sessionProblem: Desk['sessionProblem']): Problem {
  const problem = problemOf(error);
  if (error instanceof ProblemError && (error.kind === 'sign-in' || error.kind === 'not-on-roster')) sessionProblem(problem);
  return problem;
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'done'; data: T }
  | { state: 'problem'; problem: Problem };

export function useApi<T>(path: string): Loaded<T> {
  const desk = useDesk();
  const [result, setResult] = useState<{ path: string; loaded: Loaded<T> }>({ path, loaded: { state: 'loading' } });
  useEffect(() => {
    const controller = new AbortController();
    apiGet<T>(desk.host, path, controller.signal).then(
      (data) => setResult({ path, loaded: { state: 'done', data } }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult({ path, loaded: { state: 'problem', problem: reportedProblem(error, desk.sessionProblem) } });
      },
    );
    return () => controller.abort();
  }, [desk, path]);
  // While a new path loads, the old result is not shown as if it were the new one.
  return result.path === path ? result.loaded : { state: 'loading' };
}
