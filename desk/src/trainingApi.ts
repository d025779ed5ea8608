/**
 * The desk's training calls (issue 18, item 2): the courses with their sessions, one session's
 * list, attendance, and booking or removing a person on their behalf. Shapes follow
 * web/desk/training.py. Changes go through `trainingSend`, which sends a JSON body with a fresh token
 * and turns a refusal into a ProblemError, as `apiGet` does for reading.
 */
import { API_BASE } from './api';
import type { Host } from './host';
import { ProblemError, problemFrom } from './problem';

export interface SessionSummary {
  id: number;
  starts_at: string;
  ends_at: string;
  mode: string;
  venue: string;
  capacity: number | null;
  places_left: number | null;
  booked: number;
  waiting: number;
  cancelled: boolean;
}

export interface CourseItem {
  code: string;
  title: string;
  mode: string;
  active: boolean;
  sessions: SessionSummary[];
}

export interface TrainingOverview {
  courses: CourseItem[];
  reads_names: boolean;
}

export type BookingState = 'booked' | 'waiting' | 'cancelled' | 'attended';

export interface ListedPerson {
  id: string;
  name: string;
  agency: string;
  status: BookingState;
  queued_at: string;
  booked_at: string | null;
  cancelled_at: string | null;
  position: number | null;
}

export interface RosterChoice {
  id: string;
  name: string;
  agency: string;
}

export interface SessionDetail extends SessionSummary {
  course_code: string;
  course_title: string;
  course_active: boolean;
  /** null: the viewer may not read names. */
  people: ListedPerson[] | null;
  roster: RosterChoice[];
  can_change: boolean;
  /** Not cancelled, not started, course still offered: places can be booked and given up. */
  open_for_changes: boolean;
  can_mark: boolean;
  mark_problem: string;
}

export interface BookingAnswer {
  result: 'booked' | 'waiting' | 'already_booked' | 'already_waiting';
  position: number | null;
  session: SessionDetail;
}

export interface RemovalAnswer {
  result: 'cancelled' | 'left_waiting_list';
  promoted: string | null;
  session: SessionDetail;
}

export interface AttendanceAnswer {
  changed: number;
  session: SessionDetail;
}

/** Sends a change (POST, PUT, DELETE) with a JSON body; resolves to the answer or throws a ProblemError. */
export async function trainingSend<T>(host: Host, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let token: string | null = null;
  try {
    token = await host.getToken();
  } catch {
    token = null;
  }
  if (!token) throw new ProblemError(problemFrom(401, null));
  let response: Response;
  try {
    response = await fetch(`${API_BASE}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ProblemError(problemFrom(0, null));
  }
  let parsed: unknown = null;
  if ((response.headers.get('content-type') ?? '').includes('json')) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) throw new ProblemError(problemFrom(response.status, parsed));
  return parsed as T;
}

export const sessionPath = (id: number | string) => `/sessions/${encodeURIComponent(String(id))}`;
