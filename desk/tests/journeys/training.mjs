// Training on the desk: the training officer marks attendance for a past session and exports it,
// books and removes someone on their behalf with the keyboard alone; the scrutineer reads the list
// and is refused changes; a member sees numbers but no names; every page in every theme, and narrow.
// They change real data, so they run against a bot (make e2e-desk: the session of 9 December 2026
// is past at the development clock, with places booked weeks before by scripts/e2e_data.py).
import { readFile } from 'node:fs/promises';
import { check, everyTheme, guardOrigin, heading, journey, shot, signIn, TIMEOUT } from '../lib.mjs';

const PAST = /^Wed, 9 Dec 2026/;
const FUTURE = /^Tue, 19 Jan 2027/;

function trainingOfficer(people) {
  const officer = people.find((p) => p.id === 'P06') ?? people.find((p) => p.roles.includes('admin'));
  check(officer, 'the demo people need an admin');
  return officer;
}

async function openTraining(page) {
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Training', exact: true }).click();
  await heading(page, 'Training');
}

async function openSession(page, when) {
  await page.getByRole('link', { name: when }).first().click();
  await page.getByRole('heading', { level: 1, name: /: / }).waitFor({ timeout: TIMEOUT });
}

async function notice(page, text) {
  await page.getByRole('status').filter({ hasText: text }).waitFor({ timeout: TIMEOUT });
}

/** A CSV's rows as arrays of cells (quoted cells may hold commas and doubled quotes). */
function csvRows(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), (i += 1);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i += 1;
      row.push(cell), rows.push(row), (row = []), (cell = '');
    } else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows.filter((r) => r.some((value) => value.trim() !== ''));
}

journey('the training officer marks attendance for a past session and exports it', { realOnly: true }, async ({ page, base, people, api }) => {
  const officer = trainingOfficer(people);
  await signIn(page, base, officer);
  await openTraining(page);
  await everyTheme(page, 'training');
  await openSession(page, PAST);
  const places = page.getByRole('table', { name: /Places/ });
  await places.waitFor({ timeout: TIMEOUT });
  const booked = await places.locator('tbody tr td:first-child').allInnerTexts();
  check(booked.length >= 2, `the past session needs people booked; it has ${booked.length}`);
  await everyTheme(page, 'session-attendance');

  const attended = booked.slice(0, 2);
  for (const name of attended) await page.getByRole('checkbox', { name: new RegExp(`^${name} \\(`) }).check();
  await page.getByRole('button', { name: 'Save attendance' }).click();
  await notice(page, 'Attendance saved (2 changes)');
  const marked = await places.locator('tbody tr').allInnerTexts();
  for (const name of attended) check(marked.some((row) => row.includes(name) && row.includes('Attended')), `${name} is not shown as attended`);
  await shot(page, 'session-attendance-marked');

  const sessionId = new URL(page.url()).pathname.split('/').pop();
  const probe = await api(officer, 'GET', `exports/attendance?session=${sessionId}&format=csv`);
  if (probe.status === 404 && probe.body?.type?.endsWith('/http')) {
    // The export API is the files part's (GET /desk/api/v1/exports/attendance); until it is in, the
    // button is there but the file cannot be checked.
    console.log('     (the attendance export API is not in this build: the download was not checked)');
    return;
  }
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: TIMEOUT }),
    page.getByRole('button', { name: 'Download attendance (CSV)' }).click(),
  ]);
  const rows = csvRows((await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, ''));
  for (const name of booked) {
    const row = rows.find((cells) => cells.some((cell) => cell.includes(name)));
    check(row, `${name} is not in the exported attendance`);
    const says = row.join(' ').toLowerCase();
    check(attended.includes(name) === /attended|yes/.test(says), `the export says "${row.join(', ')}" for ${name}`);
  }
});

journey('the training officer books and removes someone on their behalf with the keyboard alone', { realOnly: true }, async ({ page, base, people, api }) => {
  const officer = trainingOfficer(people);
  await signIn(page, base, officer);
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el?.tagName, text: (el?.textContent || '').trim(), label: el?.labels?.[0]?.textContent ?? '' };
    });
  const tabUntil = async (test, what) => {
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      const now = await focused();
      if (test(now)) return now;
    }
    throw new Error(`Tab never reached ${what}`);
  };
  await page.keyboard.press('Tab');
  check((await focused()).text === 'Skip to main content', 'the first Tab does not reach the skip link');
  await tabUntil((f) => f.tag === 'A' && f.text === 'Training', 'the Training link');
  await page.keyboard.press('Enter');
  await heading(page, 'Training');
  await tabUntil((f) => f.tag === 'A' && FUTURE.test(f.text), 'the session of 19 January 2027');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: /: / }).waitFor({ timeout: TIMEOUT });
  check(await page.evaluate(() => document.activeElement?.tagName === 'H1'), 'focus is not on the session heading');

  await tabUntil((f) => f.tag === 'SELECT' && f.label.startsWith('Person to book'), 'the person to book');
  await page.keyboard.press('ArrowDown'); // a closed select changes with the arrow keys
  const chosen = await page.evaluate(() => document.activeElement.selectedOptions[0].textContent);
  const name = chosen.replace(/ \(.*$/, '');
  await tabUntil((f) => f.tag === 'BUTTON' && f.text === 'Book a place', 'Book a place');
  await page.keyboard.press('Enter');
  await notice(page, `${name} is booked.`);
  await everyTheme(page, 'session-booked-on-behalf');
  const sessionId = new URL(page.url()).pathname.split('/').pop();
  const after = await api(officer, 'GET', `sessions/${sessionId}`);
  check(after.body.people.some((p) => p.name === name && p.status === 'booked'), `${name} is not booked through the API's eyes`);

  await tabUntil((f) => f.tag === 'BUTTON' && f.text === `Remove ${name}`, `Remove ${name}`);
  await page.keyboard.press('Enter');
  check((await focused()).text === `Yes, remove ${name}`, 'focus did not move to the confirmation');
  await page.keyboard.press('Enter');
  await notice(page, `${name}'s place is cancelled.`);
  const removed = await api(officer, 'GET', `sessions/${sessionId}`);
  check(removed.body.people.some((p) => p.name === name && p.status === 'cancelled'), `${name} still holds a place`);
});

journey('the scrutineer reads a session\'s list and changes nothing', { realOnly: true }, async ({ page, base, scrutineer, api }) => {
  await signIn(page, base, scrutineer);
  await openTraining(page);
  await openSession(page, PAST);
  await page.getByRole('table', { name: /Places/ }).waitFor({ timeout: TIMEOUT });
  const buttons = await page.getByRole('main').getByRole('button').allInnerTexts();
  check(!buttons.some((text) => /book|remove|save|add/i.test(text)), `the scrutineer sees: ${buttons.join(', ')}`);
  await everyTheme(page, 'session-scrutineer');
  const sessionId = new URL(page.url()).pathname.split('/').pop();
  for (const [method, path, body] of [
    ['POST', `sessions/${sessionId}/bookings`, { person: 'P09' }],
    ['PUT', `sessions/${sessionId}/attendance`, { attended: [] }],
    ['DELETE', `sessions/${sessionId}/bookings/P09`, undefined],
  ]) {
    const refused = await api(scrutineer, method, path, body);
    check(refused.status === 403 && /problem\+json/.test(refused.type), `${method} ${path} as the scrutineer answered ${refused.status}`);
  }
});

journey('a member sees a session\'s places but not who is booked', { realOnly: true }, async ({ page, base, chair }) => {
  await signIn(page, base, chair);
  await openTraining(page);
  await openSession(page, FUTURE);
  await page.getByText('Who is booked is personal').waitFor({ timeout: TIMEOUT });
  check((await page.getByRole('table').count()) === 0, 'a member sees a list of people');
  await everyTheme(page, 'session-member');
});

journey('training on a phone or Teams\' narrow panel', { realOnly: true }, async ({ browser, base, people }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
  await guardOrigin(context, base);
  const page = await context.newPage();
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  try {
    await signIn(page, base, trainingOfficer(people));
    await openTraining(page);
    check(await fits(), 'the narrow training page scrolls sideways');
    await everyTheme(page, 'training-phone');
    await openSession(page, PAST);
    await page.getByRole('table', { name: /Places/ }).waitFor({ timeout: TIMEOUT });
    check(await fits(), 'the narrow session page scrolls sideways');
    await everyTheme(page, 'session-phone');
  } finally {
    await context.close();
  }
});
