/**
 * The one adapter between the desk and whatever hosts it. It owns three things: whether we run
 * inside Teams, the theme (and its changes while the tab is open), and the bearer token for each
 * API call. Inside Teams both come from teams-js; in development a query parameter drives the
 * theme and the token comes from the "Sign in as" page (kept in sessionStorage); in production
 * outside Teams there is no token at all and the page says to open the desk in Teams.
 */
import {
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  type Theme,
} from '@fluentui/react-components';

export type ThemeName = 'light' | 'dark' | 'contrast';
export type HostKind = 'teams' | 'dev' | 'outside';

export interface Host {
  readonly kind: HostKind;
  /** The theme now; `onThemeChange` reports later changes. */
  theme(): ThemeName;
  onThemeChange(listener: (theme: ThemeName) => void): () => void;
  /** The development host only: switch the theme as Teams would while the tab is open. */
  setTheme(theme: ThemeName): void;
  /** A fresh token for one API call, or null when there is none (then the person must sign in). */
  getToken(): Promise<string | null>;
  /** Development only: keep the token from /desk/dev/sign-in, or forget it (null). */
  setDevToken(token: string | null): void;
}

const TOKEN_KEY = 'desk.token';
const THEME_KEY = 'desk.theme';
/** How long teams-js may take to answer before we decide we are not in Teams. */
const TEAMS_TIMEOUT_MS = 3000;

/** Teams names its themes 'default', 'dark' and 'contrast'; anything unknown falls back to light. */
export function themeFromTeams(teamsTheme: string | undefined | null): ThemeName {
  switch ((teamsTheme ?? '').toLowerCase()) {
    case 'dark':
      return 'dark';
    case 'contrast':
    case 'highcontrast':
      return 'contrast';
    default:
      return 'light';
  }
}

/** The development `?theme=light|dark|contrast` parameter; null when absent or not one of those. */
export function themeFromQuery(search: string): ThemeName | null {
  const value = new URLSearchParams(search).get('theme');
  return value === 'light' || value === 'dark' || value === 'contrast' ? value : null;
}

export function fluentTheme(theme: ThemeName): Theme {
  switch (theme) {
    case 'dark':
      return teamsDarkTheme;
    case 'contrast':
      return teamsHighContrastTheme;
    default:
      return teamsLightTheme;
  }
}

/** The CSS color-scheme that matches, so native controls and scrollbars follow the theme. */
export function colorScheme(theme: ThemeName): 'light' | 'dark' {
  return theme === 'light' ? 'light' : 'dark';
}

class ThemeState {
  private listeners = new Set<(theme: ThemeName) => void>();
  constructor(private current: ThemeName) {}
  get(): ThemeName {
    return this.current;
  }
  set(theme: ThemeName): void {
    if (theme === this.current) return;
    this.current = theme;
    this.listeners.forEach((listener) => listener(theme));
  }
  subscribe(listener: (theme: ThemeName) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Teams runs a tab in an iframe on the web and desktop, and in a webview with a native bridge on phones. */
function mightBeInTeams(): boolean {
  const bridge = (window as unknown as { nativeInterface?: unknown }).nativeInterface;
  return window.self !== window.top || Boolean(bridge);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = window.setTimeout(() => reject(new Error('timed out')), ms);
    promise.then(
      (value) => {
        window.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        window.clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** The few teams-js calls the desk uses, so the Teams host can be built (and tested) from them. */
export interface TeamsSdk {
  registerOnThemeChangeHandler(handler: (theme: string) => void): void;
  getAuthToken(): Promise<string>;
}

/** The host inside Teams: the theme starts as Teams says and follows its changes while open. */
export function teamsHost(sdk: TeamsSdk, initialTeamsTheme: string | undefined): Host {
  const state = new ThemeState(themeFromTeams(initialTeamsTheme));
  sdk.registerOnThemeChangeHandler((theme) => state.set(themeFromTeams(theme)));
  return {
    kind: 'teams',
    theme: () => state.get(),
    onThemeChange: (listener) => state.subscribe(listener),
    setTheme: () => undefined,
    // teams-js caches the token and renews it near expiry, so asking on every call is cheap.
    getToken: () => sdk.getAuthToken(),
    setDevToken: () => undefined,
  };
}

async function connectTeams(): Promise<Host | null> {
  try {
    // Loaded only in a frame: teams-js asks Microsoft's CDN for its list of valid hosts as soon as it
    // is imported, which a browser outside Teams (development, the tests) has no reason to do.
    const { app, authentication } = await import('@microsoft/teams-js');
    await withTimeout(app.initialize(), TEAMS_TIMEOUT_MS);
    const context = await withTimeout(app.getContext(), TEAMS_TIMEOUT_MS);
    const host = teamsHost(
      {
        registerOnThemeChangeHandler: (handler) => app.registerOnThemeChangeHandler(handler),
        getAuthToken: () => authentication.getAuthToken(),
      },
      context.app.theme,
    );
    app.notifySuccess();
    return host;
  } catch {
    return null;
  }
}

/** True when the backend offers the development sign-in (it answers only in development). */
async function devRoutesOffered(): Promise<boolean> {
  try {
    // The probe answers without reading the roster (a large roster made every load wait for it).
    const response = await fetch(`${import.meta.env.BASE_URL}dev`, {
      headers: { Accept: 'application/json' },
    });
    return response.ok && (response.headers.get('content-type') ?? '').includes('json');
  } catch {
    return false;
  }
}

function devHost(): Host {
  const fromQuery = themeFromQuery(window.location.search);
  if (fromQuery) sessionStorage.setItem(THEME_KEY, fromQuery);
  const state = new ThemeState(fromQuery ?? themeFromQuery(`?theme=${sessionStorage.getItem(THEME_KEY) ?? ''}`) ?? 'light');
  return {
    kind: 'dev',
    theme: () => state.get(),
    onThemeChange: (listener) => state.subscribe(listener),
    setTheme: (theme) => {
      sessionStorage.setItem(THEME_KEY, theme);
      state.set(theme);
    },
    getToken: () => Promise.resolve(sessionStorage.getItem(TOKEN_KEY)),
    setDevToken: (token) => {
      if (token === null) sessionStorage.removeItem(TOKEN_KEY);
      else sessionStorage.setItem(TOKEN_KEY, token);
    },
  };
}

function outsideHost(): Host {
  const state = new ThemeState(
    window.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light',
  );
  return {
    kind: 'outside',
    theme: () => state.get(),
    onThemeChange: (listener) => state.subscribe(listener),
    setTheme: () => undefined,
    getToken: () => Promise.resolve(null),
    setDevToken: () => undefined,
  };
}

/** Finds out where the desk runs: Teams first, then the development sign-in, else outside Teams. */
export async function connectHost(): Promise<Host> {
  if (mightBeInTeams()) {
    const teams = await connectTeams();
    if (teams) return teams;
  }
  if (import.meta.env.DEV || (await devRoutesOffered())) return devHost();
  return outsideHost();
}
