/** How the training pages say a session's time and numbers, in London time. */
import type { SessionSummary } from '../trainingApi';

const day = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'Europe/London' });
const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London' });

/** "Wed 9 Dec 2026, 10:00–12:30" */
export function sessionWhen(session: Pick<SessionSummary, 'starts_at' | 'ends_at'>): string {
  const starts = new Date(session.starts_at);
  const ends = new Date(session.ends_at);
  return `${day.format(starts)}, ${clock.format(starts)}–${clock.format(ends)}`;
}

const MODES: Record<string, string> = { online: 'Online (Teams)', in_person: 'In person', hybrid: 'Hybrid', e_learning: 'E-learning' };

/** "In person, Riverside Civic Centre" or "Teams". */
export function sessionWhere(session: Pick<SessionSummary, 'mode' | 'venue'>): string {
  const mode = MODES[session.mode] ?? session.mode;
  return session.venue ? `${mode}, ${session.venue}` : mode;
}

export function placesLeft(session: Pick<SessionSummary, 'places_left'>): string {
  return session.places_left === null ? 'Unlimited' : String(session.places_left);
}
