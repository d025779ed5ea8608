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
  | { name: 'files' }
  | { name: 'not-found' };

export function routeFor(pathname: string, search: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\//, '');
  const parts = path.split('/').filter(Boolean).map((part) => decodeURIComponent(part));
  if (parts.length === 0) return { name: 'home' };
  if (parts[0] === 'actions' && parts.length === 1) return { name: 'register', search };
  if (parts[0] === 'files' && parts.length === 1) return { name: 'files' };
  if (parts[0] === 'actions' && parts.length === 2) return { name: 'action', ref: parts[1] };
  if (parts[0] === 'actions' && parts.length === 3 && parts[2] === 'update') return { name: 'update', ref: parts[1] };
  return { name: 'not-found' };
}

export const paths = {
  home: () => BASE,
  register: (search = '') => `${BASE}actions${search}`,
  action: (ref: string) => `${BASE}actions/${encodeURIComponent(ref)}`,
  update: (ref: string) => `${BASE}actions/${encodeURIComponent(ref)}/update`,
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
