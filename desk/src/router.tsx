/**
 * Client-side routes under /desk/ without a routing library: the address is the state, pushState
 * changes it, popstate follows the back button. After each navigation focus moves to the new
 * page's heading, so keyboard and screen-reader users land at the top of the new content.
 */
import { Link as FluentLink } from '@fluentui/react-components';
import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from 'react';

const BASE = import.meta.env.BASE_URL; // "/desk/"

export type Route =
  | { name: 'home' }
  | { name: 'register'; search: string }
  | { name: 'action'; ref: string }
  | { name: 'update'; ref: string }
  | { name: 'announcements' }
  | { name: 'announcement'; id: number }
  | { name: 'announcement-new' }
  | { name: 'announcement-edit'; id: number }
  | { name: 'reach' }
  | { name: 'training' }
  | { name: 'session'; id: string }
  | { name: 'new-action' }
  | { name: 'edit-action'; ref: string }
  | { name: 'drift' }
  | { name: 'calendar'; search: string }
  | { name: 'calendar-entry'; kind: 'meeting' | 'session'; id: number | null }
  | { name: 'reference'; search: string }
  | { name: 'files' }
  | { name: 'not-found' };

export function routeFor(pathname: string, search: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\//, '');
  const parts = path.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'actions' && parts.length === 1) return { name: 'register', search };
  if (parts[0] === 'actions' && parts.length === 2 && parts[1] === 'new') return { name: 'new-action' };
  if (parts[0] === 'actions' && parts.length === 3 && parts[2] === 'edit') return { name: 'edit-action', ref: parts[1] };
  if (parts[0] === 'drift' && parts.length === 1) return { name: 'drift' };
  if (parts[0] === 'files' && parts.length === 1) return { name: 'files' };
  if (parts[0] === 'actions' && parts.length === 2) return { name: 'action', ref: parts[1] };
  if (parts[0] === 'actions' && parts.length === 3 && parts[2] === 'update') return { name: 'update', ref: parts[1] };
  const announcement = announcementRoute(parts);
  if (announcement) return announcement;
  if (parts[0] === 'training' && parts.length === 1) return { name: 'training' };
  if (parts[0] === 'sessions' && parts.length === 2) return { name: 'session', id: parts[1] };
  if (parts[0] === 'calendar') return calendarRoute(parts.slice(1), search);
  if (parts[0] === 'reference' && parts.length === 1) return { name: 'reference', search };
  return { name: 'not-found' };
}

function calendarRoute(parts: string[], search: string): Route {
  if (parts.length === 0) return { name: 'calendar', search };
  const kind = new URLSearchParams(search).get('kind') === 'session' ? 'session' : 'meeting';
  if (parts.length === 1 && parts[0] === 'new') return { name: 'calendar-entry', kind, id: null };
  const id = parts.length === 2 && /^\d{1,9}$/.test(parts[1]) ? Number(parts[1]) : 0;
  if (id > 0 && (parts[0] === 'meetings' || parts[0] === 'sessions')) {
    return { name: 'calendar-entry', kind: parts[0] === 'meetings' ? 'meeting' : 'session', id };
  }
  return { name: 'not-found' };
}

function announcementRoute(parts: string[]): Route | null {
  if (parts[0] === 'reach' && parts.length === 1) return { name: 'reach' };
  if (parts[0] !== 'announcements') return null;
  if (parts.length === 1) return { name: 'announcements' };
  if (parts.length === 2 && parts[1] === 'new') return { name: 'announcement-new' };
  const id = /^[1-9]\d{0,9}$/.test(parts[1] ?? '') ? Number(parts[1]) : 0;
  if (!id) return null;
  if (parts.length === 2) return { name: 'announcement', id };
  if (parts.length === 3 && parts[2] === 'edit') return { name: 'announcement-edit', id };
  return null;
}

export const paths = {
  home: () => BASE,
  register: (search = '') => `${BASE}actions${search}`,
  action: (ref: string) => `${BASE}actions/${encodeURIComponent(ref)}`,
  update: (ref: string) => `${BASE}actions/${encodeURIComponent(ref)}/update`,
  announcements: () => `${BASE}announcements`,
  announcement: (id: number) => `${BASE}announcements/${id}`,
  announcementNew: () => `${BASE}announcements/new`,
  announcementEdit: (id: number) => `${BASE}announcements/${id}/edit`,
  reach: () => `${BASE}reach`,
  training: () => `${BASE}training`,
  session: (id: number | string) => `${BASE}sessions/${encodeURIComponent(String(id))}`,
  newAction: () => `${BASE}actions/new`,
  editAction: (ref: string) => `${BASE}actions/${encodeURIComponent(ref)}/edit`,
  drift: () => `${BASE}drift`,
  reference: () => `${BASE}reference`,
  files: () => `${BASE}files`,
};

const listeners = new Set<() => void>();
let focusOnNextPage = false;

function notify(): void {
  listeners.forEach((listener) => listener());
}

window.addEventListener('popstate', () => {
  focusOnNextPage = true;
  notify();
});

export function navigate(to: string, options: { replace?: boolean; keepFocus?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  focusOnNextPage = !options.keepFocus;
  notify();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

export function useLocation(): { pathname: string; search: string } {
  useSyncExternalStore(subscribe, snapshot);
  return { pathname: window.location.pathname, search: window.location.search };
}

/** Sets the document title and, after a navigation, moves focus to the page's h1. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – Partnership desk`;
    if (focusOnNextPage) {
      focusOnNextPage = false;
      document.querySelector<HTMLElement>('main h1')?.focus();
    }
  }, [title]);
}

function isPlainClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

/** A Fluent link that navigates inside the desk (a modified click still opens a new tab). */
type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href' | 'onClick' | 'color'> & { href: string };

export function Link({ href, ...rest }: LinkProps) {
  return (
    <FluentLink
      {...rest}
      as="a"
      href={href}
      onClick={(event: MouseEvent<HTMLAnchorElement>) => {
        if (!isPlainClick(event)) return;
        event.preventDefault();
        navigate(href);
      }}
    />
  );
}
