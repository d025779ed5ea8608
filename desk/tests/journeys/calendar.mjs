// Meetings and training (issue 18, item 1): the calendar as a month table and as a list, every
// theme, 375 px, and the business manager moving a training session with the keyboard alone, the
// page saying how many people booked or waiting were told (tests/desk/test_meetings.py checks
// the outbox rows are the calendar re-import's own). Against the real bot only: the stub has no
// calendar.
import { axe, check, everyTheme, guardOrigin, heading, journey, shot, signIn, TIMEOUT } from '../lib.mjs';

function manager(people) {
  const found = people.find((p) => p.roles.includes('admin') && !p.roles.includes('scrutineer'));
  check(found, 'the demo people need someone on the business team');
  return found;
}

/** A session to come with people booked or waiting on it, as the business manager sees it. */
async function sessionWithPeople(api, person) {
  const listed = await api(person, 'GET', 'calendar?kind=session&since=2026-12-01&until=2027-11-30');
  check(listed.status === 200, `the calendar answered ${listed.status}`);
  const found = listed.body.items.filter((item) => !item.cancelled && item.booked + item.waiting > 0);
  check(found.length > 0, 'no session in the demo has people booked or waiting');
  return found[found.length - 1];
}

/** Fails naming what sticks out when the page is wider than the window. */
async function fitsTheWindow(page, what) {
  const wide = await page.evaluate(() =>
    [...document.querySelectorAll('main *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 3)
      .map((el) => `${el.tagName}.${el.className} ${Math.round(el.getBoundingClientRect().right)}px`),
  );
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${what} scrolls sideways: ${wide.join(' | ')}`);
}

function nextWeek(day) {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 7);
  return date.toISOString().slice(0, 10);
}

async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName ?? '', text: (el?.textContent ?? '').trim(), label: el?.getAttribute('aria-label') ?? '', type: el?.getAttribute('type') ?? '', id: el?.id ?? '' };
  });
}

async function tabUntil(page, test, what, limit = 120) {
  for (let step = 0; step < limit; step += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (test(now)) return now;
  }
  throw new Error(`Tab never reached ${what}`);
}

journey('the calendar in every theme, as a month and as a list', { realOnly: true }, async ({ page, base, people, api }) => {
  const boss = manager(people);
  const session = await sessionWithPeople(api, boss);
  await signIn(page, base, boss);
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Calendar', exact: true }).click();
  await heading(page, 'Calendar');
  await page.goto(`${base}calendar?month=${session.day.slice(0, 7)}`);
  await heading(page, 'Calendar');
  const table = page.getByRole('table');
  await table.waitFor({ timeout: TIMEOUT });
  const headers = await table.getByRole('columnheader').allInnerTexts();
  check(headers.join('|') === 'Mon|Tue|Wed|Thu|Fri|Sat|Sun', `the month's headers: ${headers.join('|')}`);
  await table.getByRole('link', { name: new RegExp(session.title) }).first().waitFor({ timeout: TIMEOUT });
  // The arrow keys move between the month's days.
  const first = table.locator('td[data-day]').first();
  await first.focus();
  await page.keyboard.press('ArrowRight');
  const second = await page.evaluate(() => document.activeElement?.getAttribute('data-day'));
  check(second === `${session.day.slice(0, 7)}-02`, `ArrowRight moved to ${second}`);
  await page.keyboard.press('ArrowDown');
  const below = await page.evaluate(() => document.activeElement?.getAttribute('data-day'));
  check(below === `${session.day.slice(0, 7)}-09`, `ArrowDown moved to ${below}`);
  await everyTheme(page, 'calendar-month');
  await page.getByRole('button', { name: 'List' }).click();
  await page.waitForURL(/view=list/);
  await page.getByRole('list', { name: 'Days with meetings or training' }).waitFor({ timeout: TIMEOUT });
  await everyTheme(page, 'calendar-list');
  await page.getByLabel('Course', { exact: true }).selectOption(session.code);
  await page.waitForURL(new RegExp(`course=${session.code}`));
  await page.getByRole('list', { name: 'Days with meetings or training' }).waitFor({ timeout: TIMEOUT });
  const links = await page.getByRole('main').getByRole('link', { name: /Change, move or cancel/ }).allInnerTexts();
  check(links.length > 0 && links.every((text) => text.includes(session.title)), `the course filter shows others: ${links.join(' / ')}`);
  await page.getByRole('link', { name: /Change, move or cancel/ }).first().click();
  await page.getByRole('heading', { level: 2, name: 'Change, move or cancel' }).waitFor({ timeout: TIMEOUT });
  await everyTheme(page, 'calendar-session-edit');
  await page.goto(`${base}calendar/new?kind=meeting`);
  await heading(page, 'Add a meeting');
  await page.getByRole('combobox', { name: /^Group/ }).waitFor({ timeout: TIMEOUT });
  await everyTheme(page, 'calendar-new-meeting');
});

journey('the business manager moves a session with the keyboard alone, and its people are told', { realOnly: true }, async ({ browser, base, people, api }) => {
  const boss = manager(people);
  const session = await sessionWithPeople(api, boss);
  const expected = session.booked + session.waiting;
  const newDay = nextWeek(session.day);
  // en-US: the date field takes month, day, year as typed.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  await guardOrigin(context, base);
  const page = await context.newPage();
  try {
    await signIn(page, base, boss);
    await page.goto(`${base}calendar?month=${session.day.slice(0, 7)}&view=list&course=${session.code}`);
    await heading(page, 'Calendar');
    await page.getByRole('list', { name: 'Days with meetings or training' }).waitFor({ timeout: TIMEOUT });
    await tabUntil(page, (f) => f.tag === 'A' && f.text.startsWith('Change, move or cancel') && f.text.includes(session.title), 'the session\'s change link');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 2, name: 'Change, move or cancel' }).waitFor({ timeout: TIMEOUT });
    check(await page.evaluate(() => document.activeElement?.tagName === 'H1'), 'focus did not move to the page heading');
    await tabUntil(page, (f) => f.tag === 'INPUT' && f.type === 'date', 'the date');
    const [year, month, day] = newDay.split('-');
    await page.keyboard.type(`${month}${day}${year}`);
    check((await page.getByLabel('Date').inputValue()) === newDay, `the date field holds ${await page.getByLabel('Date').inputValue()}, not ${newDay}`);
    await tabUntil(page, (f) => f.tag === 'BUTTON' && f.text === 'Save changes', 'Save changes');
    await page.keyboard.press('Enter');
    const told = page.getByRole('status').filter({ hasText: /booked or waiting told/ });
    await told.waitFor({ timeout: TIMEOUT });
    const text = await told.innerText();
    const people_ = expected === 1 ? '1 person' : `${expected} people`;
    check(text.includes(`The session has moved: ${people_} booked or waiting told`), `the confirmation says: ${text}`);
    await axe(page, 'calendar-session-moved');
    await shot(page, 'calendar-session-moved');
    const after = await api(boss, 'GET', `calendar/sessions/${session.id}`);
    check(after.body.day === newDay, `the session is on ${after.body.day}, not ${newDay}`);
  } finally {
    await context.close();
    // Put it back where the demo had it, for the journeys after this one.
    await api(boss, 'PATCH', `calendar/sessions/${session.id}`, {
      course: session.code, day: session.day, start: session.start, end: session.end, capacity: session.capacity,
    });
  }
});

journey('the scrutineer reads the calendar and changes nothing', { realOnly: true }, async ({ page, base, people, scrutineer, api }) => {
  const session = await sessionWithPeople(api, manager(people));
  const form = { course: session.code, day: session.day, start: session.start, end: session.end };
  const refused = await api(scrutineer, 'PATCH', `calendar/sessions/${session.id}`, form);
  check(refused.status === 403 && /problem\+json/.test(refused.type), `the scrutineer's move answered ${refused.status}`);
  const added = await api(scrutineer, 'POST', 'calendar/meetings', { group: 'EXEC', day: session.day, start: '10:00', end: '11:00' });
  check(added.status === 403, `the scrutineer's new meeting answered ${added.status}`);
  await signIn(page, base, scrutineer);
  await page.goto(`${base}calendar?month=${session.day.slice(0, 7)}&view=list`);
  await page.getByRole('list', { name: 'Days with meetings or training' }).waitFor({ timeout: TIMEOUT });
  check((await page.getByRole('link', { name: /Change, move or cancel|Add a/ }).count()) === 0, 'the scrutineer is offered changes');
  await axe(page, 'calendar-scrutineer');
});

journey('on a phone the calendar is a list', { realOnly: true }, async ({ browser, base, people, api }) => {
  const boss = manager(people);
  const session = await sessionWithPeople(api, boss);
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
  await guardOrigin(context, base);
  const page = await context.newPage();
  try {
    await signIn(page, base, boss);
    await page.goto(`${base}calendar?month=${session.day.slice(0, 7)}`);
    await page.getByRole('list', { name: 'Days with meetings or training' }).waitFor({ timeout: TIMEOUT });
    check((await page.getByRole('table').count()) === 0, 'the narrow calendar still shows the month table');
    await fitsTheWindow(page, 'the narrow calendar');
    await everyTheme(page, 'calendar-phone');
    await page.goto(`${base}calendar/sessions/${session.id}`);
    await page.getByRole('heading', { level: 2, name: 'Change, move or cancel' }).waitFor({ timeout: TIMEOUT });
    await fitsTheWindow(page, 'the narrow form');
    await everyTheme(page, 'calendar-session-phone');
  } finally {
    await context.close();
  }
});
