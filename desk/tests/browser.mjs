// The desk's browser journeys: playwright-core drives Debian's Chromium; axe-core checks every page
// in the light, dark and high-contrast themes; screenshots go to build/desk/ for the guide.
//   DESK_URL=http://127.0.0.1:3978/desk/ node tests/browser.mjs   against a running bot (development)
//   node tests/browser.mjs                                          against tests/stub-server.mjs
// DESK_CHROMIUM overrides /usr/bin/chromium; DESK_JOURNEY runs only the journeys whose name holds it.
// The journeys are in tests/journeys/*.mjs, one file per part of the desk. Journeys that need the
// stub's own data (a person not on the roster, a title that looks like markup, production mode) run
// only against the stub; those that change real data (realOnly) only against a bot.
import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { startStub } from './stub-server.mjs';
import { HERE, SHOTS, TIMEOUT, axeRuns, check, guardOrigin, journeys, offsite, results } from './lib.mjs';

const JOURNEYS = resolve(HERE, 'journeys');
for (const file of readdirSync(JOURNEYS).filter((f) => f.endsWith('.mjs')).sort()) {
  await import(resolve(JOURNEYS, file));
}

async function main() {
  mkdirSync(SHOTS, { recursive: true });
  const stub = process.env.DESK_URL ? null : await startStub({ dev: true });
  const base = (process.env.DESK_URL ?? stub.url).replace(/\/?$/, '/');
  const browser = await chromium.launch({
    executablePath: process.env.DESK_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const people = await (await fetch(`${base}dev/people`)).json();
    // DESK_CHAIR names the chair by roster code (make e2e: Helen Achebe, who chairs Quality Assurance
    // and Performance, DESK_CHAIR_GROUP); otherwise the first chair.
    const chair = people.find((p) => p.id === process.env.DESK_CHAIR) ?? people.find((p) => p.roles.some((r) => /chair/i.test(r)));
    const scrutineer = people.find((p) => p.roles.some((r) => /scrutin/i.test(r)));
    check(chair && scrutineer, 'the demo people need a chair and a scrutineer');
    const tokens = new Map();
    /** A call to the API as one demo person (a dev sign-in token): status, content type and body. */
    const api = async (person, method, path, body) => {
      if (!tokens.has(person.id)) {
        const signedIn = await fetch(`${base}dev/sign-in`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ person_id: person.id }),
        });
        tokens.set(person.id, (await signedIn.json()).token);
      }
      const response = await fetch(`${base}api/v1/${path}`, {
        method,
        headers: { Authorization: `Bearer ${tokens.get(person.id)}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const type = response.headers.get('content-type') ?? '';
      return { status: response.status, type, body: type.includes('json') ? await response.json() : null };
    };
    const filters = (await api(chair, 'GET', 'actions/filters')).body;
    const only = process.env.DESK_JOURNEY;
    for (const item of journeys) {
      if (item.stubOnly && !stub) continue;
      if (item.realOnly && stub) continue;
      if (only && !item.name.includes(only)) continue;
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      const errors = [];
      page.on('pageerror', (error) => errors.push(String(error)));
      await guardOrigin(context, base);
      offsite.length = 0;
      const started = Date.now();
      try {
        await item.run({ page, browser, base, people, chair, scrutineer, filters, api, stub: Boolean(stub) });
        check(errors.length === 0, `errors in the page: ${errors.join('; ')}`);
        check(offsite.length === 0, `fetched from elsewhere: ${offsite.join('; ')}`);
        results.push({ name: item.name, ok: true, ms: Date.now() - started });
      } catch (error) {
        await page.screenshot({ path: resolve(SHOTS, `FAILED-${item.name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
        results.push({ name: item.name, ok: false, ms: Date.now() - started, error: String(error?.stack ?? error) });
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await stub?.close();
  }
  for (const result of results) {
    console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${result.name} (${result.ms} ms)`);
    if (!result.ok) console.log(`     ${result.error.split('\n').join('\n     ')}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`desk browser tests: ${results.length - failed} passed, ${failed} failed; axe ran on ${axeRuns.length} page states; screenshots in ${SHOTS}`);
  process.exitCode = failed ? 1 : 0;
}

await main();
