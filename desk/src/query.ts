/**
 * The register's query: the filters, search, sort and page that the page's address carries and the
 * API receives. One builder serves both, so a filtered register can be bookmarked and shared, and
 * the back button steps through filters.
 */
import type { Filters } from './api';

export const SELECT_FILTERS = ['group', 'priority', 'source', 'lead', 'agency', 'status', 'rag', 'lead_rag'] as const;
export const FLAG_FILTERS = ['overdue', 'stale', 'no_impact'] as const;
export const SORT_FIELDS = [
  'ref',
  'title',
  'group',
  'priority',
  'source',
  'lead',
  'agency',
  'status',
  'rag',
  'lead_rag',
  'due',
  'overdue_working_days',
  'last_update_at',
] as const;
export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 25;

export type SelectFilter = (typeof SELECT_FILTERS)[number];
export type FlagFilter = (typeof FLAG_FILTERS)[number];
export type SortField = (typeof SORT_FIELDS)[number];
export type Order = 'asc' | 'desc';

export interface RegisterQuery {
  page: number;
  page_size: number;
  select: Partial<Record<SelectFilter, string>>;
  flags: Partial<Record<FlagFilter, boolean>>;
  q: string;
  sort: SortField | null;
  order: Order;
}

export function emptyQuery(): RegisterQuery {
  return { page: 1, page_size: DEFAULT_PAGE_SIZE, select: {}, flags: {}, q: '', sort: null, order: 'asc' };
}

function positiveInt(value: string | null, fallback: number): number {
  if (value === null || !/^\d{1,6}$/.test(value)) return fallback;
  const number = Number(value);
  return number >= 1 ? number : fallback;
}

/** Reads a query from an address's search part; anything unknown or malformed is ignored. */
export function parseQuery(search: string): RegisterQuery {
  const params = new URLSearchParams(search);
  const query = emptyQuery();
  query.page = positiveInt(params.get('page'), 1);
  const size = positiveInt(params.get('page_size'), DEFAULT_PAGE_SIZE);
  query.page_size = (PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE;
  for (const name of SELECT_FILTERS) {
    const value = params.get(name);
    if (value) query.select[name] = value;
  }
  for (const name of FLAG_FILTERS) {
    const value = params.get(name);
    if (value === 'true' || value === 'false') query.flags[name] = value === 'true';
  }
  query.q = (params.get('q') ?? '').trim();
  const sort = params.get('sort');
  if (sort && (SORT_FIELDS as readonly string[]).includes(sort)) query.sort = sort as SortField;
  query.order = params.get('order') === 'desc' ? 'desc' : 'asc';
  return query;
}

function params(query: RegisterQuery, withDefaults: boolean): URLSearchParams {
  const out = new URLSearchParams();
  if (withDefaults || query.page !== 1) out.set('page', String(query.page));
  if (withDefaults || query.page_size !== DEFAULT_PAGE_SIZE) out.set('page_size', String(query.page_size));
  for (const name of SELECT_FILTERS) {
    const value = query.select[name];
    if (value) out.set(name, value);
  }
  for (const name of FLAG_FILTERS) {
    const value = query.flags[name];
    if (value !== undefined) out.set(name, String(value));
  }
  if (query.q.trim()) out.set('q', query.q.trim());
  if (query.sort) {
    out.set('sort', query.sort);
    out.set('order', query.order);
  }
  return out;
}

/** The API's query string: `/actions?` + this. Page and page size are always sent. */
export function apiQueryString(query: RegisterQuery): string {
  return params(query, true).toString();
}

/** The page's own address: only what differs from the defaults, '' when nothing does. */
export function addressQueryString(query: RegisterQuery): string {
  const text = params(query, false).toString();
  return text ? `?${text}` : '';
}

export function hasFilters(query: RegisterQuery): boolean {
  return (
    Object.values(query.select).some(Boolean) ||
    Object.values(query.flags).some((value) => value !== undefined) ||
    query.q.trim() !== ''
  );
}

/** The query with filters and search cleared; sort and page size stay, the page goes back to 1. */
export function clearFilters(query: RegisterQuery): RegisterQuery {
  return { ...query, page: 1, select: {}, flags: {}, q: '' };
}

/** Clicking a column header: sort by it ascending, or flip the order if it is already the sort. */
export function toggleSort(query: RegisterQuery, field: SortField): RegisterQuery {
  const order: Order = query.sort === field && query.order === 'asc' ? 'desc' : 'asc';
  return { ...query, page: 1, sort: field, order };
}

export const SELECT_LABELS: Record<SelectFilter, string> = {
  group: 'Group',
  priority: 'Priority',
  source: 'Source',
  lead: 'Lead',
  agency: 'Agency',
  status: 'Status',
  rag: 'RAG',
  lead_rag: "Lead's RAG",
};

export const FLAG_LABELS: Record<FlagFilter, { yes: string; no: string; label: string }> = {
  overdue: { label: 'Overdue', yes: 'Overdue', no: 'Not overdue' },
  stale: { label: 'Stale', yes: 'Stale (no recent update)', no: 'Not stale' },
  no_impact: { label: 'Completed without impact', yes: 'Completed without impact', no: 'Not completed without impact' },
};

/** The name the filters list gives a code, so "which filters hide everything" reads in words. */
export function optionName(filters: Filters | null, name: SelectFilter, value: string): string {
  if (!filters) return value;
  const lists: Partial<Record<SelectFilter, { code?: string; id?: string; name: string }[]>> = {
    group: filters.groups,
    priority: filters.priorities,
    source: filters.sources,
    lead: filters.leads,
    agency: filters.agencies,
  };
  const found = lists[name]?.find((option) => (option.code ?? option.id) === value);
  return found?.name ?? value;
}

/** Each active filter in words, e.g. ['Group: Quality assurance', 'Overdue', 'Search: "visits"']. */
export function describeFilters(query: RegisterQuery, filters: Filters | null): string[] {
  const out: string[] = [];
  for (const name of SELECT_FILTERS) {
    const value = query.select[name];
    if (value) out.push(`${SELECT_LABELS[name]}: ${optionName(filters, name, value)}`);
  }
  for (const name of FLAG_FILTERS) {
    const value = query.flags[name];
    if (value !== undefined) out.push(value ? FLAG_LABELS[name].yes : FLAG_LABELS[name].no);
  }
  if (query.q.trim()) out.push(`Search: “${query.q.trim()}”`);
  return out;
}
