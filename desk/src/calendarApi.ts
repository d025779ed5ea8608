/**
 * The desk's meetings and sessions: the calendar's types and calls (/desk/api/v1/calendar...),
 * and the month arithmetic the calendar page needs. Days and times the API sends are London's
 * wall clock already (`day`, `start`, `end`), so nothing here converts time zones.
 */
import { apiSend } from './api';
import type { Host } from './host';

export type EntryKind = 'meeting' | 'session';

export interface CalendarEntry {
  kind: EntryKind;
  id: number;
  code: string;
  name: string;
  title: string;
  day: string;
  start: string;
  end: string;
  starts_at: string;
  ends_at: string;
  mode: string;
  venue: string;
  link: string;
  agenda: string;
  notes: string;
  cancelled: boolean;
  can_edit: boolean;
  series_id: number | null;
  changed_on_its_own: boolean;
  capacity: number | null;
  booked: number;
  waiting: number;
  href: string;
}

export interface CalendarPage {
  since: string;
  until: string;
  items: CalendarEntry[];
}

export interface CalendarChoices {
  groups: { code: string; name: string; active: boolean }[];
  courses: { code: string; name: string; active: boolean }[];
  can_edit: boolean;
}

export interface EventForm {
  group?: string;
  course?: string;
  day: string;
  start: string;
  end: string;
  mode: '' | 'online' | 'in_person' | 'hybrid';
  venue: string;
  link: string;
  agenda?: string;
  title?: string;
  notes?: string;
  capacity?: number | null;
  cancelled: boolean;
  confirm_not_personal: boolean;
  scope?: 'occurrence' | 'series';
}

export interface Saved {
  entry: CalendarEntry;
  change: '' | 'moved' | 'cancelled' | 'reinstated';
  people_told: number;
  series_changed: boolean;
  meetings_changed: number;
}

export const MODE_WORDS: Record<string, string> = {
  online: 'Online (Teams)',
  in_person: 'In person',
  hybrid: 'Hybrid',
  e_learning: 'E-learning',
};

/** POST or PATCH a meeting or session; resolves to what was saved or throws a ProblemError. */
export function saveEvent(host: Host, kind: EntryKind, id: number | null, form: EventForm): Promise<Saved> {
  return apiSend<Saved>(host, id === null ? 'POST' : 'PATCH', `/calendar/${kind}s${id === null ? '' : `/${id}`}`, form);
}

/** "2027-02" for the month a day ("2027-02-16") is in. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

export function isMonth(value: string | null): value is string {
  return !!value && /^\d{4}-(0[1-9]|1[0-2])$/.test(value) && Number(value.slice(0, 4)) >= 2000 && Number(value.slice(0, 4)) <= 2100;
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The month before or after ("2027-02", 1 -> "2027-03"). */
export function addMonths(month: string, by: number): string {
  const [year, number] = month.split('-').map(Number);
  const date = new Date(Date.UTC(year, number - 1 + by, 1));
  return iso(date).slice(0, 7);
}

/** The month's weeks, Monday first, each day an ISO date or null outside the month. */
export function monthWeeks(month: string): (string | null)[][] {
  const [year, number] = month.split('-').map(Number);
  const first = new Date(Date.UTC(year, number - 1, 1));
  const days = new Date(Date.UTC(year, number, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7;
  const cells: (string | null)[] = Array.from({ length: lead }, () => null);
  for (let day = 1; day <= days; day += 1) cells.push(iso(new Date(Date.UTC(year, number - 1, day))));
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks: (string | null)[][] = [];
  for (let index = 0; index < cells.length; index += 7) weeks.push(cells.slice(index, index + 7));
  return weeks;
}

export function lastDayOf(month: string): string {
  const [year, number] = month.split('-').map(Number);
  return iso(new Date(Date.UTC(year, number, 0)));
}

const monthName = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
const dayName = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

export function monthTitle(month: string): string {
  return monthName.format(new Date(`${month}-01T00:00:00Z`));
}

export function dayTitle(day: string): string {
  return dayName.format(new Date(`${day}T00:00:00Z`));
}

/** Today in London, as an ISO date. */
export function londonToday(): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return parts;
}
