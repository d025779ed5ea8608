import { describe, expect, it } from 'vitest';
import type { Filters } from './api';
import {
  addressQueryString,
  apiQueryString,
  clearFilters,
  describeFilters,
  emptyQuery,
  hasFilters,
  parseQuery,
  toggleSort,
} from './query';

const filters: Filters = {
  groups: [{ code: 'QA', name: 'Quality assurance' }],
  priorities: [],
  sources: [],
  leads: [{ id: 'P03', name: 'Priya Shah' }],
  agencies: [],
  statuses: ['open'],
  rags: ['red', 'amber', 'green'],
};

describe('apiQueryString', () => {
  it('always sends page and page size', () => {
    expect(apiQueryString(emptyQuery())).toBe('page=1&page_size=25');
  });
  it('sends each filter, flag, search and sort under the contract names', () => {
    const query = parseQuery(
      '?group=QA&lead=P03&rag=red&lead_rag=amber&overdue=true&stale=false&no_impact=true&q=home+visits&sort=due&order=desc&page=3',
    );
    const sent = new URLSearchParams(apiQueryString(query));
    expect(Object.fromEntries(sent)).toEqual({
      page: '3',
      page_size: '25',
      group: 'QA',
      lead: 'P03',
      rag: 'red',
      lead_rag: 'amber',
      overdue: 'true',
      stale: 'false',
      no_impact: 'true',
      q: 'home visits',
      sort: 'due',
      order: 'desc',
    });
  });
  it('encodes search text', () => {
    const query = { ...emptyQuery(), q: 'a&b=c #1' };
    expect(new URLSearchParams(apiQueryString(query)).get('q')).toBe('a&b=c #1');
    expect(apiQueryString(query)).not.toContain('&b=');
  });
});

describe('parseQuery', () => {
  it('ignores unknown sorts, bad pages, odd page sizes and flags that are not true/false', () => {
    const query = parseQuery('?sort=password&page=-2&page_size=7&overdue=yes&order=sideways');
    expect(query).toEqual(emptyQuery());
  });
  it('round-trips through the address', () => {
    const query = parseQuery('?group=QA&overdue=true&sort=title&order=desc&page=2&page_size=50');
    expect(parseQuery(addressQueryString(query))).toEqual(query);
  });
});

describe('addressQueryString', () => {
  it('is empty for the default register', () => {
    expect(addressQueryString(emptyQuery())).toBe('');
  });
});

describe('filters', () => {
  it('describes the active filters in words, with names not codes', () => {
    const query = parseQuery('?group=QA&lead=P03&overdue=true&stale=false&q=visits');
    expect(describeFilters(query, filters)).toEqual([
      'Group: Quality assurance',
      'Lead: Priya Shah',
      'Overdue',
      'Not stale',
      'Search: “visits”',
    ]);
  });
  it('clears filters and search but keeps sort and page size', () => {
    const query = parseQuery('?group=QA&overdue=true&q=x&sort=due&page=4&page_size=50');
    const cleared = clearFilters(query);
    expect(hasFilters(query)).toBe(true);
    expect(hasFilters(cleared)).toBe(false);
    expect(addressQueryString(cleared)).toBe('?page_size=50&sort=due&order=asc');
  });
  it('a header click sorts ascending, a second click descending, and goes back to page 1', () => {
    const first = toggleSort({ ...emptyQuery(), page: 3 }, 'due');
    expect([first.sort, first.order, first.page]).toEqual(['due', 'asc', 1]);
    const second = toggleSort(first, 'due');
    expect(second.order).toBe('desc');
    expect(toggleSort(second, 'title').order).toBe('asc');
  });
});
