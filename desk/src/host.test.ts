import { teamsDarkTheme, teamsHighContrastTheme, teamsLightTheme } from '@fluentui/react-components';
import { describe, expect, it } from 'vitest';
import { colorScheme, fluentTheme, themeFromQuery, themeFromTeams } from './host';

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
