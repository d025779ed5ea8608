// The end-to-end journeys in the Microsoft 365 Agents Playground, driven headless with
// playwright-core and Debian's Chromium. Started by scripts/e2e.py (`make e2e`), which has
// already started the bot (development mode, demo data, its clock at Tuesday 22 December 2026
// 09:30) and the Playground, and passes where they are in E2E_* variables. See docs/e2e.md.
//
// Each journey acts as Bethany Olufemi would, asserts what she would see, and saves a screenshot
// in E2E_OUT. The first failure stops the run with a message naming the journey, and exit 1.

import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; run this through scripts/e2e.py (make e2e)`);
  return value;
};

const OUT = env('E2E_OUT');
const PLAYGROUND_URL = env('E2E_PLAYGROUND_URL');
const BOT_URL = env('E2E_BOT_URL');
const require = createRequire(join(env('E2E_NODE_MODULES'), 'noop.js'));
const { chromium } = require('playwright-core');

// Chromium flags: headless in a container, no GPU, and no calls home of its own.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// Tall enough for the longest card (the update form) to be photographed whole.
const VIEWPORT = { width: 1280, height: 1600 };
// How long to wait for the bot's answer to show (turns take well under a second here).
const ANSWER_MS = 20_000;
// Top-level cards only: a card inside a card (Action.ShowCard) is part of its parent.
const CARDS = '.ac-adaptiveCard:not(.ac-adaptiveCard .ac-adaptiveCard)';

class JourneyFailure extends Error {}

// Whether a card's text shows a needle: a string it contains, or a regular expression it matches.
function shows(text, needle) {
  return needle instanceof RegExp ? needle.test(text) : text.includes(needle);
}

function check(condition, message) {
  if (!condition) throw new JourneyFailure(message);
}

// -- the chat -------------------------------------------------------------------------------------

class Chat {
  constructor(page) {
    this.page = page;
  }

  cards() {
    return this.page.locator(CARDS);
  }

  async cardCount() {
    return this.cards().count();
  }

  async say(text) {
    const box = this.page.getByRole('textbox');
    await box.click();
    await this.page.keyboard.type(text);
    await this.page.keyboard.press('Enter');
  }

  // The first card after `after` (a count of cards) whose text contains every one of `needles`.
  async newCard(after, needles, what) {
    const deadline = Date.now() + ANSWER_MS;
    for (;;) {
      const count = await this.cardCount();
      for (let i = after; i < count; i += 1) {
        const card = this.cards().nth(i);
        const shown = await card.innerText();
        if (needles.every((n) => shows(shown, n))) return { card, index: i, shown };
      }
      if (Date.now() > deadline) {
        const last = count > after ? await this.cards().nth(count - 1).innerText() : '(no new card)';
        throw new JourneyFailure(
          `${what}: no new card showing ${needles.map(String).join(', ')} within ${ANSWER_MS / 1000}s; ` +
            `the last card read:\n${last.slice(0, 1200)}`,
        );
      }
      await this.page.waitForTimeout(200);
    }
  }

  // Wait until the card at `index` (replaced in place by an Action.Execute answer) shows `needles`.
  async refreshed(index, needles, what) {
    const card = this.cards().nth(index);
    const deadline = Date.now() + ANSWER_MS;
    for (;;) {
      const shown = await card.innerText();
      if (needles.every((n) => shows(shown, n))) return { card, index, shown };
      if (Date.now() > deadline) {
        throw new JourneyFailure(
          `${what}: the card did not change to show ${needles.map(String).join(', ')} within ` +
            `${ANSWER_MS / 1000}s; it reads:\n${shown.slice(0, 1200)}`,
        );
      }
      await this.page.waitForTimeout(200);
    }
  }

  // Wait for a new plain message (not a card) saying `needle`: `before` is how many said it before.
  async newText(before, needle, what) {
    const said = this.page.getByText(needle);
    const deadline = Date.now() + ANSWER_MS;
    while ((await said.count()) <= before) {
      if (Date.now() > deadline) {
        throw new JourneyFailure(`${what}: the bot did not say "${needle}" within ${ANSWER_MS / 1000}s`);
      }
      await this.page.waitForTimeout(200);
    }
  }

  // Type an answer and wait for the next question, a plain message.
  async answer(text, question, what) {
    const before = await this.page.getByText(question).count();
    await this.say(text);
    await this.newText(before, question, what);
  }

  async ask(text, needles, what) {
    const before = await this.cardCount();
    await this.say(text);
    return this.newCard(before, needles, what);
  }

  async click(card, name) {
    const button = card.getByRole('button', { name, exact: true });
    check((await button.count()) > 0, `the card has no "${name}" button`);
    await button.first().click();
  }

  // A screenshot once the card has stopped changing: a card replaced in place is drawn in steps.
  async shoot(locator, name) {
    await locator.scrollIntoViewIfNeeded();
    let previous = '';
    // Three unchanged looks in a row, or five seconds, whichever comes first.
    for (let stable = 0, looks = 0; stable < 3 && looks < 50; looks += 1) {
      await this.page.waitForTimeout(100);
      const now = JSON.stringify([await locator.boundingBox(), await locator.innerHTML()]);
      stable = now === previous ? stable + 1 : 0;
      previous = now;
    }
    // A clip of the page rather than an element screenshot, which draws some replaced cards
    // without the Playground's styles.
    const box = await locator.boundingBox();
    const margin = 8;
    check(box.height + 2 * margin <= VIEWPORT.height, `${name}: the card is taller than the page`);
    await this.page.screenshot({
      path: join(OUT, name),
      clip: {
        x: box.x - margin,
        y: box.y - margin,
        width: box.width + 2 * margin,
        height: box.height + 2 * margin,
      },
    });
  }
}

async function runJobs() {
  const response = await fetch(`${BOT_URL}/dev/run-jobs`, { method: 'POST' });
  check(response.ok, `POST /dev/run-jobs answered HTTP ${response.status}`);
  return response.json();
}

// -- the journeys ---------------------------------------------------------------------------------

async function welcome(chat) {
  const { card } = await chat.newCard(0, ['Welcome, Bethany', 'Things you can ask me'], 'install');
  await chat.shoot(card, '01-welcome.png');
}

async function myActions(chat) {
  const { card, shown } = await chat.ask('my actions', ['Your actions', 'A14'], '"my actions"');
  check(shown.includes('due 31 Dec 2026'), 'A14 is shown without its due date');
  // Teams announces an install twice; by now a second welcome would have arrived.
  const welcomes = await chat.cards().filter({ hasText: 'Welcome, Bethany' }).count();
  check(welcomes === 1, `the install was greeted ${welcomes} times, not once`);
  await chat.shoot(card, '02-my-actions.png');
}

async function updateAction(chat) {
  const { card, index } = await chat.ask('action A14', ['A14', 'Progress updates'], '"action A14"');
  const before = await chat.cardCount();
  await chat.click(card, 'Update');
  const form = await chat.refreshed(index, ['Update A14', 'Progress note'], 'the Update button');
  check((await chat.cardCount()) === before, 'Update sent a new card instead of refreshing');
  await form.card.getByLabel('Progress note').fill('52 of 60 licensed; two more courses booked.');
  await chat.shoot(form.card, '03-update-form.png');
  await chat.click(form.card, 'Save update');
  const saved = await chat.refreshed(index, ['Saved your update of'], 'Save update');
  check(saved.shown.includes('52 of 60 licensed'), 'the saved card does not show the new note');
  check((await chat.cardCount()) === before, 'Save update sent a new card instead of refreshing');
  await chat.shoot(saved.card, '04-update-saved.png');
}

async function screeningWarning(chat) {
  const { card, index } = await chat.ask('update A14', ['Update A14', 'Progress note'], '"update A14"');
  await card.getByLabel('Progress note').fill('Raised at the GP huddle, NHS number 943 476 5919.');
  await chat.click(card, 'Save update');
  const warned = await chat.refreshed(
    index,
    ['it may contain personal details', 'NHS number', '943 476 5919'],
    'a note holding an NHS number',
  );
  check(!warned.shown.includes('Saved your update'), 'the note with an NHS number was saved');
  await chat.shoot(warned.card, '05-screening-warning.png');
  // She takes the number out; the update saves.
  await warned.card.getByLabel('Progress note').fill('Raised at the GP huddle; follow-up booked.');
  await chat.click(warned.card, 'Save update');
  await chat.refreshed(index, ['Saved your update of'], 'the note without the number');
}

async function upcoming(chat) {
  const { card, shown } = await chat.ask(
    'my meetings',
    ['Thu 14 Jan', 'Case File Audit Group', 'Neglect Champions Network'],
    '"my meetings"',
  );
  check(!shown.includes('Executive'), '"my meetings" shows a group Bethany is not in');
  await chat.shoot(card, '06-upcoming.png');
}

async function bookTraining(chat) {
  const { card, index } = await chat.ask(
    'training in January',
    ['Training sessions', 'Learning from Local Reviews (briefing)'],
    '"training in January"',
  );
  await card.getByText('Learning from Local Reviews (briefing)').click();
  const course = await chat.newCard(index + 1, ['Book a place', '80 of 80 places left'], 'the course');
  await chat.shoot(course.card, '07-course.png');
  const before = await chat.cardCount();
  await chat.click(course.card, 'Book a place');
  const booked = await chat.newCard(before, ['Your place is booked', 'Thu 28 Jan 2027'], 'Book');
  await chat.shoot(booked.card, '08-booked.png');
  await chat.refreshed(course.index, ["You're booked", '79 of 80 places left'], 'the course card');
  await chat.ask('my meetings', ['Thu 28 Jan', 'Learning from Local Reviews'], 'the booked course');
}

async function reminder(chat) {
  const before = await chat.cardCount();
  const ran = await runJobs();
  check(ran.outbox.sent >= 1, `the dispatcher sent nothing: ${JSON.stringify(ran)}`);
  const { card, index } = await chat.newCard(
    before,
    ['A14 is due in 5 working days', 'Progress note', 'Snooze until tomorrow'],
    'the reminder (after POST /dev/run-jobs)',
  );
  await chat.shoot(card, '09-reminder.png');
  await card.getByLabel('Progress note').fill('54 of 60 licensed; the last six are booked.');
  await chat.click(card, 'Save update');
  const saved = await chat.refreshed(
    index,
    ['Saved your update of 22 Dec 2026', 'the last six are booked'],
    "the reminder's Save update",
  );
  await chat.shoot(saved.card, '10-reminder-saved.png');
}

const TITLE = 'Graded Care Profile 2 refresher sessions';

async function announcement(chat) {
  const { card, index } = await chat.ask('new announcement', ['New announcement'], '"new announcement"');
  await card.getByLabel('Title').fill(TITLE);
  await card.getByLabel('Message').fill('Refresher sessions run in February: book through the bot.');
  await card.getByRole('checkbox', { name: 'The neglect champions network' }).check();
  await chat.click(card, 'Save draft');
  const draft = await chat.refreshed(index, [`Draft: ${TITLE}`, 'Send now: reaches 1 of 6'], 'Save draft');
  await chat.click(draft.card, 'Send now: reaches 1 of 6');
  const report = await chat.refreshed(index, [`Delivery report: ${TITLE}`], 'Send now');
  const before = await chat.cardCount();
  const ran = await runJobs();
  check(ran.outbox.sent === 1, `expected 1 announcement sent, got ${JSON.stringify(ran)}`);
  const received = await chat.newCard(before, [TITLE, 'Got it'], 'the announcement');
  await chat.shoot(received.card, '11-announcement-received.png');
  await chat.click(received.card, 'Got it');
  const acked = await chat.refreshed(received.index, ['You acknowledged this on'], 'Got it');
  check(!acked.shown.includes('Got it'), '"Got it" is still offered after acknowledging');
  await chat.shoot(acked.card, '12-announcement-acknowledged.png');
  await chat.click(report.card, 'Refresh');
  const counted = await chat.refreshed(index, [/Acknowledged\s+1 \(/], "the report's Refresh");
  await chat.shoot(counted.card, '13-announcement-report.png');
}

// Someone else gives up a place on the full session, through the training use case (as the
// business team would for them): scripts/e2e_data.py with the bot's settings. Only Bethany is in
// the Playground, so no one else can click "Cancel my place".
function someoneGivesUpAPlace() {
  try {
    execFileSync(env('E2E_PYTHON'), ['-m', 'scripts.e2e_data', 'free', env('E2E_FULL_SESSION')], {
      env: JSON.parse(env('E2E_BOT_ENV')),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new JourneyFailure(`scripts.e2e_data free failed: ${error.stderr || error.message}`);
  }
}

const GCP2 = 'Neglect: Using Graded Care Profile 2';

async function waitingList(chat) {
  const { card, index } = await chat.ask(
    'training in February',
    ['Training sessions', GCP2],
    '"training in February"',
  );
  await card.getByText(GCP2).click();
  const course = await chat.newCard(
    index + 1,
    [GCP2, 'Full (no one waiting)', 'Join the waiting list'],
    'the full course',
  );
  check(!course.shown.includes('Book a place'), 'the full session still offers "Book a place"');
  await chat.shoot(course.card, '14-course-full.png');
  const before = await chat.cardCount();
  await chat.click(course.card, 'Join the waiting list');
  const waiting = await chat.newCard(
    before,
    ["You're on the waiting list", GCP2, 'Place in line', '1st'],
    'Join the waiting list',
  );
  await chat.shoot(waiting.card, '15-waiting-list.png');
  await chat.refreshed(
    course.index,
    ["You're on the waiting list (1st in line)", 'Full (1 on the waiting list)', 'Leave the waiting list'],
    'the course card after joining',
  );
  // A place comes free; it is Bethany's at once, and the outbox tells her.
  someoneGivesUpAPlace();
  const offeredAfter = await chat.cardCount();
  const ran = await runJobs();
  check(ran.outbox.sent >= 1, `the dispatcher sent nothing: ${JSON.stringify(ran)}`);
  const offered = await chat.newCard(
    offeredAfter,
    ["A place came free and it's yours", GCP2, 'Tue 16 Feb 2027', 'Cancel my place'],
    'the place offered (after POST /dev/run-jobs)',
  );
  await chat.shoot(offered.card, '16-place-came-free.png');
  await chat.click(offered.card, 'Open the course');
  await chat.newCard(
    offered.index + 1,
    [GCP2, "A place came free and it's yours: you're booked.", 'Cancel my place'],
    'Open the course',
  );
}

const CLOCK = 'RR-2026-09';

async function statutoryClock(chat) {
  const { card, index } = await chat.ask(
    'record serious incident notification',
    ['Record a serious incident notification', 'Reference'],
    '"record serious incident notification"',
  );
  await card.getByLabel('Reference').fill(CLOCK);
  await card.getByLabel('Date the notification was made').fill('2026-12-08');
  await chat.shoot(card, '17-clock-form.png');
  await chat.click(card, 'Record notification');
  // 15 working days from Tuesday 8 December, past Christmas Day and the Boxing Day holiday
  // (Monday 28 December 2026): due Thursday 31 December. The panel is reminded 10, 5, 2 and 1
  // working days before; on 22 December the first has passed and the second is today.
  const recorded = await chat.refreshed(
    index,
    [`Recorded ${CLOCK}`, 'Rapid review due Thu 31 December 2026', 'Tue 22 Dec, Tue 29 Dec, Wed 30 Dec'],
    'Record notification',
  );
  await chat.shoot(recorded.card, '18-clock-recorded.png');
  await chat.click(recorded.card, 'Open rapid reviews');
  const listed = await chat.refreshed(
    index,
    ['Rapid reviews', CLOCK, '5 working days left', 'Mark rapid review complete'],
    'Open rapid reviews',
  );
  await chat.shoot(listed.card, '19-rapid-reviews.png');
  await chat.click(listed.card, 'Mark rapid review complete');
  const closed = await chat.refreshed(
    index,
    ['Rapid reviews', CLOCK, 'Completed Tue 22 December 2026'],
    'Mark rapid review complete',
  );
  check(!closed.shown.includes('Mark rapid review complete'), 'the completed review can be completed again');
}

async function overview(chat) {
  // Bethany is in the business team, so the overview covers the whole register: the demo's 25
  // actions on 22 December 2026, A15 (due 31 December 2025) the longest overdue.
  const { card, index, shown } = await chat.ask(
    'actions overview',
    [
      'Actions overview',
      'All actions · 25 actions · at 22 Dec 2026',
      '25 actions: 9 red, 2 amber, 7 green, 7 complete.',
      'P4 Neglect · 6',
      'Overdue (6)',
      /A15 'Was not brought' guidance for missed health appointments · 248 working days/,
      'No update for 90 days or more (6)',
    ],
    '"actions overview"',
  );
  const overdue = shown.slice(shown.indexOf('Overdue (6)'), shown.indexOf('No update for 90 days'));
  check(!overdue.includes('A14'), 'A14, due 31 December, is listed as overdue on 22 December');
  await chat.shoot(card, '20-overview.png');
  const before = await chat.cardCount();
  await chat.click(card, 'Overdue list');
  const listed = await chat.refreshed(
    index,
    ['Overdue', 'Actions in every group, most urgent first.', 'A15', 'A19'],
    "the overview's Overdue list",
  );
  check(!listed.shown.includes('Actions overview'), 'Overdue list left the overview showing');
  check(!listed.shown.includes('A14'), 'A14 is in the overdue list on 22 December');
  const rows = listed.shown.match(/overdue by \d+ working days?/g) || [];
  check(rows.length === 6, `the overdue list has ${rows.length} actions, not the overview's 6`);
  check((await chat.cardCount()) === before, 'Overdue list sent a new card instead of refreshing');
  await chat.shoot(listed.card, '21-overdue-list.png');
}

// -- everyday use (issue 20): reminders' buttons, a pause, "what needs me", everyday wording,
// courses by their aliases, undo. Each journey is its own function, listed in JOURNEYS below.

// The snoozed reminder comes back now rather than tomorrow morning: scripts/e2e_data.py.
function snoozeIsOver() {
  try {
    execFileSync(env('E2E_PYTHON'), ['-m', 'scripts.e2e_data', 'snooze-over'], {
      env: JSON.parse(env('E2E_BOT_ENV')),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new JourneyFailure(`scripts.e2e_data snooze-over failed: ${error.stderr || error.message}`);
  }
}

// Item 1: the reminder's Snooze works with its required progress note left empty. Runs before
// the reminder journey, which then gets the same reminder again (the snooze is over, reminders
// are back on).
async function everydaySnoozeWithTheNoteEmpty(chat) {
  const before = await chat.cardCount();
  const ran = await runJobs();
  check(ran.outbox.sent >= 1, `the dispatcher sent nothing: ${JSON.stringify(ran)}`);
  const { card, index } = await chat.newCard(
    before,
    ['A14 is due in 5 working days', 'Progress note', 'Snooze until tomorrow'],
    'the reminder (after POST /dev/run-jobs)',
  );
  const after = await chat.cardCount();
  await chat.click(card, 'Snooze until tomorrow');
  const snoozed = await chat.refreshed(
    index,
    [/Snoozed until Wed 23 Dec/, "I'll send you this reminder again then"],
    'Snooze until tomorrow, the progress note empty',
  );
  check(!/is required/.test(snoozed.shown), 'the snoozed card complains about a required field');
  check((await chat.cardCount()) === after, 'Snooze sent a new card instead of refreshing');
  await chat.shoot(snoozed.card, '30-reminder-snoozed.png');
  const settings = await chat.ask('reminder settings', ['Snoozed until'], '"reminder settings"');
  check(!settings.shown.includes('not snoozed'), '"reminder settings" says "not snoozed"');
  await chat.ask('turn reminders back on', ['Reminders are back on.'], '"turn reminders back on"');
  snoozeIsOver();
}

// Item 8: a saved update taken back with the card's Undo.
async function everydayUndo(chat) {
  const { card, index } = await chat.ask('update A14', ['Update A14', 'Progress note'], '"update A14"');
  await card.getByLabel('Progress note').fill('Saved on the wrong action by mistake.');
  await chat.click(card, 'Save update');
  const saved = await chat.refreshed(index, ['Saved your update of', 'Undo'], 'Save update');
  await chat.click(saved.card, 'Undo');
  const undone = await chat.refreshed(
    index,
    ['Removed your update of 22 Dec 2026: A14 is back to how it was before it.'],
    'Undo',
  );
  check(!undone.shown.includes('wrong action by mistake'), 'the undone note is still shown');
  await chat.shoot(undone.card, '36-update-undone.png');
}

// Item 2: a champion who paused her reminders still gets the announcement; it is not cancelled.
const PAUSED_TITLE = 'Neglect champions: January network meeting moved';

async function everydayAnnouncementWhilePaused(chat) {
  await chat.ask(
    'im on leave til 4th jan',
    ['Reminders paused. They start again on Mon 4 January 2027.'],
    '"im on leave til 4th jan"',
  );
  const { card, index } = await chat.ask('new announcement', ['New announcement'], '"new announcement"');
  await card.getByLabel('Title').fill(PAUSED_TITLE);
  await card.getByLabel('Message').fill('The January network meeting moves to the 14th, same time.');
  await card.getByRole('checkbox', { name: 'The neglect champions network' }).check();
  await chat.click(card, 'Save draft');
  const draft = await chat.refreshed(index, [`Draft: ${PAUSED_TITLE}`, 'Send now: reaches 1 of 6'], 'Save draft');
  await chat.click(draft.card, 'Send now: reaches 1 of 6');
  const report = await chat.refreshed(index, [`Delivery report: ${PAUSED_TITLE}`], 'Send now');
  const before = await chat.cardCount();
  const ran = await runJobs();
  check(ran.outbox.sent === 1, `expected the announcement sent to her, got ${JSON.stringify(ran)}`);
  await chat.newCard(before, [PAUSED_TITLE, 'Got it'], 'the announcement, her reminders paused');
  await chat.click(report.card, 'Refresh');
  const counted = await chat.refreshed(index, [/Sent\s+1 \(/], "the report's Refresh");
  check(!counted.shown.includes('Not sent (cancelled)'), 'the paused champion counts as cancelled');
  await chat.shoot(counted.card, '31-announcement-while-paused.png');
  await chat.ask('turn reminders back on', ['Reminders are back on.'], '"turn reminders back on"');
}

// Item 3: one answer to "what do I need to do?".
async function everydayWhatNeedsMe(chat) {
  const { card } = await chat.ask(
    'what do I need to do?',
    ['What needs you', 'A14', 'Coming up for you'],
    '"what do I need to do?"',
  );
  await chat.shoot(card, '32-what-needs-you.png');
}

// The plain sentence the bot sends for words it does not understand, with its suggested actions.
async function missWithSuggestions(chat, typed) {
  // Exactly the sentence: the Playground's log panel shows it too, inside a longer line.
  const sentence = "Sorry, I didn't catch that.";
  const before = await chat.page.getByText(sentence, { exact: true }).count();
  await chat.say(typed);
  const deadline = Date.now() + ANSWER_MS;
  while ((await chat.page.getByText(sentence, { exact: true }).count()) <= before) {
    check(Date.now() < deadline, `"${typed}": no "${sentence}" within ${ANSWER_MS / 1000}s`);
    await chat.page.waitForTimeout(200);
  }
  const help = chat.page.getByRole('button', { name: 'help', exact: true });
  while ((await help.count()) === 0) {
    check(Date.now() < deadline, `"${typed}": the answer offers no suggested actions`);
    await chat.page.waitForTimeout(200);
  }
  // The chat's copy is the one furthest left (the log panel is on the right), and the newest.
  const copies = await chat.page.getByText(sentence, { exact: true }).all();
  const placed = await Promise.all(copies.map(async (copy) => [copy, await copy.boundingBox()]));
  const inChat = placed.filter(([, box]) => box && box.x < VIEWPORT.width / 2);
  check(inChat.length > 0, `"${typed}": "${sentence}" is not in the chat`);
  return inChat.reduce((newest, next) => (next[1].y > newest[1].y ? next : newest))[0];
}

// Item 4: everyday wording, and a miss answered in one line with buttons, not the whole help.
async function everydayWording(chat) {
  await chat.ask('show me A10', ['A10'], '"show me A10"');
  await chat.ask('whats drifting in learning lessons', ['Learning Lessons'], '"whats drifting in learning lessons"');
  const helpCards = () => chat.cards().filter({ hasText: "Here's what I can do" }).count();
  const helpBefore = await helpCards();
  const typed = 'can u sort the thing from tuesday';
  const message = await missWithSuggestions(chat, typed);
  check((await helpCards()) === helpBefore, 'the miss was answered with the whole help');
  await message.scrollIntoViewIfNeeded();
  await chat.page.waitForTimeout(300);
  // What she typed, the one-line answer and its buttons under it, clipped from the chat column.
  const answer = await message.boundingBox();
  const help = await chat.page.getByRole('button', { name: 'help', exact: true }).last().boundingBox();
  const top = answer.y - 90;
  await chat.page.screenshot({
    path: join(OUT, '33-didnt-catch-that.png'),
    clip: { x: Math.max(0, answer.x - 70), y: top, width: 620, height: help.y + help.height + 16 - top },
  });
  const before = await chat.cardCount();
  await chat.page.getByRole('button', { name: 'help', exact: true }).last().click();
  await chat.newCard(before, ["Here's what I can do"], 'the suggested "help" button');
}

// Item 5: a course named the way people name it, and a month that agrees with the course card.
async function everydayCoursesByTheirNames(chat) {
  const march = await chat.ask(
    'book me on the domestic abuse course in march',
    [
      'Domestic Abuse and its Impact on Children',
      'The session in March 2027: Tue 2 Mar 2027.',
      '30 of 30 places left',
      'Book a place',
    ],
    '"book me on the domestic abuse course in march"',
  );
  check(!march.shown.includes('Nothing found'), 'the March session was not found');
  await chat.shoot(march.card, '34-book-in-march.png');
  const gcp2 = await chat.ask('gcp2 course', [GCP2, 'Tue 16 Feb 2027'], '"gcp2 course"');
  await chat.shoot(gcp2.card, '35-gcp2-course.png');
  await chat.ask('when is the next DA training', ['Domestic Abuse and its Impact on Children'], '"DA training"');
}

// A champion chats an update in both ways: one line shown back and saved with its Save button, then
// a conversation (botbuilder-dialogs) that asks in turn and saves when she says so.
async function chatAnUpdate(chat) {
  const line = await chat.ask(
    'A14 amber: 56 of 60 licensed, said in one line',
    ['Check your update to A14', '56 of 60 licensed, said in one line', 'Amber'],
    'a one-line update',
  );
  await chat.shoot(line.card, '22-one-line-update.png');
  const before = await chat.cardCount();
  await chat.click(line.card, 'Save update');
  await chat.refreshed(line.index, ['Saved your update of', 'said in one line'], 'its Save update');
  check((await chat.cardCount()) === before, 'Save update sent a new card instead of refreshing');

  // Typed: the cards' "Chat it instead" types the same words in Teams (an imBack), which the
  // Playground does not send (docs/e2e.md).
  await chat.answer('chat update A14', 'What has happened on A14', '"chat update A14"');
  await chat.answer('58 of 60 licensed, told in a chat', "What's its RAG now?", 'the progress note');
  await chat.answer('Green', 'Has the due date moved?', 'the RAG');
  await chat.answer('No change', 'Is it complete?', 'the revised date');
  const summary = await chat.ask(
    'No',
    ['Check your update to A14', '58 of 60 licensed, told in a chat', 'Green'],
    'the answers shown back',
  );
  await chat.shoot(summary.card, '23-chat-update-summary.png');
  const saved = await chat.ask('Save', ['Saved your update of', 'told in a chat'], 'Save');
  await chat.shoot(saved.card, '24-chat-update-saved.png');
}

const JOURNEYS = [
  ['welcome', welcome],
  ['my actions', myActions],
  ['update an action from its card', updateAction],
  ['screening warning', screeningWarning],
  ['upcoming meetings', upcoming],
  ['book a training place', bookTraining],
  ['a reminder snoozed with its note empty', everydaySnoozeWithTheNoteEmpty],
  ['a reminder arrives and is acted on', reminder],
  ['a saved update undone', everydayUndo],
  ['an announcement with "Got it"', announcement],
  ['an announcement to a champion whose reminders are paused', everydayAnnouncementWhilePaused],
  ['the waiting list: full, joined, a place comes free', waitingList],
  ['a statutory clock: recorded, listed, completed', statutoryClock],
  ['the actions overview', overview],
  ['what do I need to do?', everydayWhatNeedsMe],
  ['everyday wording and a miss with suggestions', everydayWording],
  ['courses by the names people use', everydayCoursesByTheirNames],
  ['a champion chats an update in both ways', chatAnUpdate],
];
// `make e2e` runs every journey; `python -m scripts.e2e --only NAME` the welcome and the named ones.
const ONLY = (process.env.E2E_ONLY || '').split('\n').filter(Boolean);
const CHOSEN = ONLY.length
  ? JOURNEYS.filter(([name]) => name === 'welcome' || ONLY.includes(name))
  : JOURNEYS;
const UNKNOWN = ONLY.filter((name) => !JOURNEYS.some(([known]) => known === name));
if (UNKNOWN.length) {
  console.error(`e2e: no journey is named ${UNKNOWN.join(', ')}`);
  process.exit(2);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: env('E2E_CHROMIUM'),
    args: CHROMIUM_ARGS,
  });
  let failed = null;
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    // The Playground's page asks a CDN for fonts and animations; stay offline.
    await page.route(/^https?:\/\/(?!localhost[:/]|127\.0\.0\.1[:/])/, (route) => route.abort());
    await page.goto(PLAYGROUND_URL, { waitUntil: 'domcontentloaded' });
    const chat = new Chat(page);
    for (const [name, journey] of CHOSEN) {
      const started = Date.now();
      try {
        await journey(chat);
        console.log(`e2e: PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)}s)`);
      } catch (error) {
        failed = name;
        await page.screenshot({ path: join(OUT, `FAILED-${name.replace(/\W+/g, '-')}.png`) });
        console.error(`e2e: FAIL ${name}: ${error.message}`);
        if (!(error instanceof JourneyFailure)) console.error(error.stack);
        break;
      }
    }
  } finally {
    await browser.close();
  }
  if (failed) {
    console.error(`e2e: the journey "${failed}" failed; screenshots and logs are in ${OUT}`);
    process.exit(1);
  }
  console.log(`e2e: all ${CHOSEN.length} journeys passed; screenshots in ${OUT}`);
}

await main();
