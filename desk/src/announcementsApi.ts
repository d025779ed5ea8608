/** The announcements part of the desk's API (web/desk/announcements.py): types and calls. */
import { apiGet, apiSend } from './api';
import type { Host } from './host';

export type AnnouncementStatus = 'draft' | 'scheduled' | 'sending' | 'sent' | 'cancelled';
export const STATUSES: AnnouncementStatus[] = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'];
export const STATUS_WORDS: Record<AnnouncementStatus, string> = {
  draft: 'Drafts',
  scheduled: 'Scheduled',
  sending: 'Sending',
  sent: 'Sent',
  cancelled: 'Cancelled',
};

export interface Listed {
  id: number;
  title: string;
  status: AnnouncementStatus;
  scheduled_for: string | null;
  started_at: string | null;
  updated_at: string;
}

export type Lists = Record<AnnouncementStatus, Listed[]> & {
  counts: Record<AnnouncementStatus, number>;
  can_compose: boolean;
};

export interface Reason {
  code: string;
  words: string;
  count: number;
}

export interface DeliveryCounts {
  recipients: number;
  pending: number;
  sent: number;
  failed: number;
  unreachable: number;
  cancelled: number;
  acknowledged: number;
  installing: number;
  reasons: Reason[];
}

/** What an announcement says, as stored and as a draft sends it. */
export interface Content {
  title: string;
  body: string;
  image_url: string;
  link_title: string;
  link_url: string;
  course: number | null;
  ack_days: number | null;
}

export interface Announcement extends Content {
  id: number;
  status: AnnouncementStatus;
  audience: { everyone: boolean; groups: number[]; agencies: number[]; champions: boolean; booked_on: number[]; words: string };
  scheduled_for: string | null;
  started_at: string | null;
  finished_at: string | null;
  cancelled_at: string | null;
  send_number: number;
  counts: DeliveryCounts | null;
  reach: { people: number; now: number; install_first: number; cannot: Reason[]; left_out_guests: number; left_out_inactive: number } | null;
  may: { edit: boolean; preview: boolean; send: boolean; schedule: boolean; cancel: boolean; resend: boolean };
  event: string;
  affected: number;
}

export interface Choice {
  id: number;
  name: string;
}

export interface ComposeOptions {
  groups: Choice[];
  agencies: Choice[];
  courses: Choice[];
  sending_hours: string;
  markdown_help: string;
}

export interface Draft extends Content {
  everyone: boolean;
  groups: number[];
  agencies: number[];
  champions: boolean;
  booked_on: number[];
  confirm_not_personal: boolean;
}

export type ReportFilter = '' | 'pending' | 'sent' | 'failed' | 'unreachable' | 'cancelled' | 'acknowledged' | 'not_acknowledged';
export const REPORT_FILTERS: { value: ReportFilter; label: string }[] = [
  { value: '', label: 'Everyone' },
  { value: 'sent', label: 'Sent' },
  { value: 'acknowledged', label: 'Acknowledged' },
  { value: 'not_acknowledged', label: 'Sent, not acknowledged' },
  { value: 'failed', label: 'Failed' },
  { value: 'unreachable', label: 'Not reachable' },
  { value: 'pending', label: 'Waiting' },
  { value: 'cancelled', label: 'Cancelled' },
];

export const DELIVERY_WORDS: Record<string, string> = {
  pending: 'Waiting',
  sent: 'Sent',
  failed: 'Failed',
  unreachable: 'Not reachable',
  cancelled: 'Cancelled',
};

export interface RecipientLine {
  name: string;
  email: string;
  agency: string;
  status: string;
  reason: string;
  sent_at: string | null;
  acknowledged_at: string | null;
  send_number: number;
}

export interface Report {
  id: number;
  title: string;
  status: AnnouncementStatus;
  counts: DeliveryCounts;
  items: RecipientLine[];
  total: number;
  page: number;
  page_size: number;
}

export interface ReachReport {
  on_roster: number;
  reachable: number;
  guests: number;
  installs_on: boolean;
  rows: { reason: string; label: string; count: number; fix: string }[];
}

export const announcementPath = (id: number | string) => `/announcements/${encodeURIComponent(String(id))}`;

export function saveDraft(host: Host, draft: Draft, id?: number): Promise<Announcement> {
  return id === undefined ? apiSend(host, 'POST', '/announcements', draft) : apiSend(host, 'PUT', announcementPath(id), draft);
}

export function act(host: Host, id: number, verb: 'send' | 'cancel' | 'resend'): Promise<Announcement> {
  return apiSend(host, 'POST', `${announcementPath(id)}/${verb}`);
}

export function schedule(host: Host, id: number, date: string, time: string): Promise<Announcement> {
  return apiSend(host, 'POST', `${announcementPath(id)}/schedule`, { date, time });
}

export function preview(host: Host, id: number): Promise<{ card: Record<string, unknown> }> {
  return apiGet(host, `${announcementPath(id)}/preview`);
}
