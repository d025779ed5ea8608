import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/react-components';
import { describe, expect, it } from 'vitest';
import { colorScheme, fluentTheme, teamsHost, themeFromQuery, themeFromTeams, type TeamsSdk } from './host';

describe('themeFromTeams', () => {
  it('maps the three Teams themes', () => {
    expect(themeFromTeams('default')).toBe('light');
    expect(themeFromTeams('dark')).toBe('dark');
    expect(themeFromTeams('contrast')).toBe('contrast');
  });
  it('falls back to light for anything unknown or missing', () => {
    expect(themeFromTeams('sepia')).toBe('light');
    expect(themeFromTeams(undefined)).toBe('light');
    expect(themeFromTeams('')).toBe('light');
  });
  it('ignores case', () => {
    expect(themeFromTeams('Dark')).toBe('dark');
  });
});

describe('themeFromQuery', () => {
  it('reads ?theme=', () => {
    expect(themeFromQuery('?theme=contrast&x=1')).toBe('contrast');
    expect(themeFromQuery('?theme=dark')).toBe('dark');
  });
  it('refuses other values', () => {
    expect(themeFromQuery('?theme=<script>')).toBeNull();
    expect(themeFromQuery('')).toBeNull();
  });
});

describe('fluentTheme', () => {
  it('gives each theme its Teams Fluent theme', () => {
    expect(fluentTheme('light')).toBe(teamsLightTheme);
    expect(fluentTheme('dark')).toBe(teamsDarkTheme);
    expect(fluentTheme('contrast')).toBe(teamsHighContrastTheme);
    expect(colorScheme('contrast')).toBe('dark');
    expect(colorScheme('light')).toBe('light');
  });
});

/** Stands in for the two teams-js calls; Teams itself cannot run here. */
function fakeTeams(): TeamsSdk & { changeTheme(theme: string): void; tokensIssued: number } {
  let handler: (theme: string) => void = () => {};
  const fake = {
    tokensIssued: 0,
    registerOnThemeChangeHandler(h: (theme: string) => void) {
      handler = h;
    },
    getAuthToken() {
      fake.tokensIssued += 1;
      return Promise.resolve(`token-${fake.tokensIssued}`);
    },
    changeTheme(theme: string) {
      handler(theme);
    },
  };
  return fake;
}

describe('teamsHost', () => {
  it('starts in the theme Teams reports and follows a change while the tab is open', () => {
    const teams = fakeTeams();
    const host = teamsHost(teams, 'dark');
    const seen: string[] = [];
    host.onThemeChange((theme) => seen.push(theme));
    expect(host.theme()).toBe('dark');
    teams.changeTheme('contrast');
    teams.changeTheme('contrast');
    teams.changeTheme('default');
    expect(seen).toEqual(['contrast', 'light']);
    expect(host.theme()).toBe('light');
  });
  it('stops telling a listener that unsubscribed', () => {
    const teams = fakeTeams();
    const host = teamsHost(teams, 'default');
    const seen: string[] = [];
    const unsubscribe = host.onThemeChange((theme) => seen.push(theme));
    unsubscribe();
    teams.changeTheme('dark');
    expect(seen).toEqual([]);
  });
  it('asks Teams for a token on every call', async () => {
    const teams = fakeTeams();
    const host = teamsHost(teams, 'default');
    expect(await host.getToken()).toBe('token-1');
    expect(await host.getToken()).toBe('token-2');
    expect(host.kind).toBe('teams');
  });
});
