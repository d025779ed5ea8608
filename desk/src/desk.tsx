/**
 * What every page of a signed-in session shares: the host, the person (GET /me), and a way to say
 * the session has ended (a 401 anywhere sends the person back to sign in). `useApi` loads one
 * resource for a page and reports its problem plainly.
 */
import { createContext, useContext, useEffect, useState } from 'react';
import { apiGet, type Me } from './api';
import type { Host } from './host';
import { ProblemError, problemFrom, type Problem } from './problem';

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
        const problem = error instanceof ProblemError ? error.problem : problemFrom(0, null);
        const kind = error instanceof ProblemError ? error.kind : 'error';
        if (kind === 'sign-in' || kind === 'not-on-roster') desk.sessionProblem(problem);
        setResult({ path, loaded: { state: 'problem', problem } });
      },
    );
    return () => controller.abort();
  }, [desk, path]);
  // While a new path loads, the old result is not shown as if it were the new one.
  return result.path === path ? result.loaded : { state: 'loading' };
}
