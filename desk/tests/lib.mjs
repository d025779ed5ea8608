// What every desk browser journey uses: the journey list, axe-core in each theme, screenshots, and
// the few page helpers the journeys share. Journeys live in tests/journeys/*.mjs, one file per part of
// the desk, each calling journey(name, options, run); tests/browser.mjs runs them.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = fileURLToPath(new URL('.', import.meta.url));
export const SHOTS = resolve(HERE, '..', '..', 'build', 'desk');
export const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
export const THEMES = ['light', 'dark', 'contrast'];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
export const TIMEOUT = 15000;

export const results = [];
export const axeRuns = [];
export const offsite = [];

/** Nothing may be fetched from anywhere but the desk's own server (teams-js, say, asking its CDN). */
export async function guardOrigin(context, base) {
  const origin = new URL(base).origin;
  await context.route((url) => url.origin !== origin, (route) => {
    offsite.push(route.request().url());
    return route.abort();
  });
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Waits for the page's CSS transitions and animations to finish (a theme switch fades colours:
 * axe must judge the colours the page settles on, not a frame half-way between two themes). */
export async function settled(page) {
  await page.evaluate(() => {
    // A spinner runs for ever: only what will end is waited for.
    const ending = document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
    return Promise.all(ending.map((a) => a.finished.catch(() => undefined)));
  });
}

export async function axe(page, name) {
  await settled(page);
  await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    // Tabster's focus bumpers (Fluent's TabList, Dialog: <i data-tabster-dummy aria-hidden tabindex=0>)
    // are focusable by design and move focus on at once; axe's aria-hidden-focus flags them, a known
    // false positive that Accessibility Insights also suppresses (microsoft/fluentui#27517).
    const result = await axe.run({ exclude: [['[data-tabster-dummy]']] }, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} :: ${n.failureSummary?.split('\n').slice(0, 3).join(' ')}`),
    }));
  }, AXE_TAGS);
  axeRuns.push({ name, violations: found.length });
  check(found.length === 0, `axe on ${name}: ${found.length} violation(s)\n${JSON.stringify(found, null, 2)}`);
}

export async function shot(page, name) {
  await page.screenshot({ path: resolve(SHOTS, `${name}.png`), fullPage: true });
}

/** The dev theme switch: changes the theme while the page is open, as Teams would. */
export async function switchTheme(page, theme) {
  await page.getByLabel('Theme (development)').selectOption(theme);
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme, { timeout: TIMEOUT });
}

/** axe (and a screenshot) in each theme, switching while open: the page must not reload. */
export async function everyTheme(page, name) {
  const before = await page.evaluate(() => performance.timeOrigin);
  const backgrounds = new Set();
  for (const theme of THEMES) {
    await switchTheme(page, theme);
    backgrounds.add(await page.evaluate(() => getComputedStyle(document.querySelector('.fui-FluentProvider')).backgroundColor));
    await axe(page, `${name} (${theme})`);
    await shot(page, `${name}-${theme}`);
  }
  check((await page.evaluate(() => performance.timeOrigin)) === before, 'the theme change reloaded the page');
  check(backgrounds.size === 3, `three themes should give three backgrounds, got ${[...backgrounds].join(', ')}`);
  await switchTheme(page, 'light');
}

export async function heading(page, text) {
  await page.getByRole('heading', { level: 1, name: text }).waitFor({ timeout: TIMEOUT });
}

export async function signIn(page, base, person, theme = 'light') {
  await page.goto(`${base}?theme=${theme}`);
  await heading(page, 'Sign in as a demo person');
  await page.getByRole('button', { name: `Sign in as ${person.name}` }).click();
  await heading(page, `Welcome, ${person.name}`);
}

export async function registerRows(page) {
  await page.getByRole('status').filter({ hasText: /Showing|No actions/ }).waitFor({ timeout: TIMEOUT });
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: TIMEOUT });
  return page.locator('table[aria-label="Actions"] tbody tr');
}

export async function cellTexts(rows, column) {
  return rows.evaluateAll((trs, index) => trs.map((tr) => tr.children[index]?.textContent?.trim() ?? ''), column);
}

export const journeys = [];
export function journey(name, options, run) {
  journeys.push({ name, ...options, run });
}
