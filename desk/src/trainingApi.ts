/**
 * The desk's training calls (issue 18, item 2): the courses with their sessions, one session's
 * list, attendance, and booking or removing a person on their behalf. Shapes follow
 * web/desk/training.py. Changes go through `trainingSend`, which is api.ts's `apiSend`: a JSON body
 * with a fresh token, and a refusal turned into a ProblemError, as `apiGet` does for reading.
 */
import { apiSend } from './api';
import type { Host } from './host';

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
export function trainingSend<T>(host: Host, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  return apiSend<T>(host, method, path, body);
}

export const sessionPath = (id: number | string) => `/sessions/${encodeURIComponent(String(id))}`;
