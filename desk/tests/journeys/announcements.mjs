// Announcements and reach (issue 18, items 3 and 4): the business manager composes an announcement
// with the keyboard alone, previews the exact card, sends it, and follows its report until the
// recipient has acknowledged it; the scrutineer reads but changes nothing; axe in every theme and a
// 375 px check on each page. Against the real bot only: it changes data.
//
// The desk's bot runs in development mode with no Bot Connector, so the journey plays one: a small
// HTTP server that answers the bot's member look-up and accepts what it sends. The recipient
// installs the bot from it (an installationUpdate to /api/messages, as Teams would send), so her copy
// is delivered there when /dev/run-jobs drains the outbox; she then clicks "Got it" on it (the
// card's Action.Execute, as an invoke to /api/messages). Everyone else in the audience has not
// installed the bot, so the report shows them as not reachable, and why.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { HERE, axe, check, everyTheme, heading, journey, shot, signIn, TIMEOUT } from '../lib.mjs';

const TENANT = 'desk-journey-tenant';

/** A demo person's work email, from the demo data the e2e bot is seeded with (manage seed-demo). */
function demoEmail(code) {
  const demo = readFileSync(resolve(HERE, '..', '..', 'manage', 'seed_data', 'demo.yaml'), 'utf8');
  const line = demo.split('\n').find((l) => l.includes(`id: ${code},`));
  const found = line && /email: ([^,}\s]+)/.exec(line);
  check(found, `no email for ${code} in the demo data`);
  return found[1];
}

/** A fake Bot Connector on loopback: the member look-up answers with the recipient; sends succeed. */
async function fakeConnector(member) {
  let sent = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.setHeader('Content-Type', 'application/json');
      if (request.method === 'GET' && request.url.includes('/members/')) {
        response.end(JSON.stringify(member));
        return;
      }
      sent += 1;
      response.end(JSON.stringify({ id: `activity-${sent}` }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, sent: () => sent, close: () => new Promise((r) => server.close(r)) };
}

function activity(connector, user, fields) {
  return {
    type: 'message',
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { id: `a:personal-${user.code}`, conversationType: 'personal', tenantId: TENANT },
    recipient: { id: '28:partnership-bot', name: 'Partnership Bot' },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-GB',
    ...fields,
  };
}

async function postActivity(origin, body) {
  const response = await fetch(`${origin}/api/messages`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  check(response.status < 300, `the bot answered ${response.status} to a ${body.type}`);
  return response.headers.get('content-type')?.includes('json') ? response.json() : null;
}

/** No horizontal scrolling at 375 px: the page fits a phone or Teams' side panel. */
async function narrow(page, name) {
  await page.setViewportSize({ width: 375, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 1, `${name} scrolls sideways at 375 px by ${overflow}px`);
  await axe(page, `${name} (375 px)`);
  await shot(page, `${name}-narrow`);
  await page.setViewportSize({ width: 1280, height: 900 });
}

journey('the business manager announces and follows the report to "acknowledged"', { realOnly: true }, async ({ page, base, people, chair, filters }) => {
  const origin = new URL(base).origin;
  const manager = people.find((p) => p.roles.includes('admin'));
  check(manager, 'the demo people need an admin (the business manager)');
  const group = filters.groups.find((g) => g.code === process.env.DESK_CHAIR_GROUP) ?? filters.groups[0];
  const email = demoEmail(chair.id);
  const recipient = { id: `29:${chair.id}`, code: chair.id, name: chair.name, aadObjectId: randomUUID() };
  const connector = await fakeConnector({
    id: recipient.id,
    name: chair.name,
    aadObjectId: recipient.aadObjectId,
    email,
    userPrincipalName: email,
  });
  try {
    // The chair installs the bot: the bot looks her up (the fake connector answers with her work
    // email) and links her Teams identity to her roster entry.
    await postActivity(origin, activity(connector, recipient, { type: 'installationUpdate', action: 'add' }));

    await signIn(page, base, manager);
    await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Announcements' }).click();
    await heading(page, 'Announcements');
    await everyTheme(page, 'announcements');
    await narrow(page, 'announcements');

    // Compose with the keyboard alone.
    const title = `Multi-agency audit dates ${Date.now() % 100000}`;
    await page.getByRole('button', { name: 'New announcement' }).focus();
    await page.keyboard.press('Enter');
    await heading(page, 'New announcement');
    await page.getByLabel('Title').waitFor();
    await everyTheme(page, 'announcement-compose');
    await narrow(page, 'announcement-compose');
    // Focus is on the page's heading after the navigation; Tab walks the form from there.
    const tabUntil = async (test, what) => {
      for (let i = 0; i < 80; i += 1) {
        await page.keyboard.press('Tab');
        const now = await page.evaluate(() => {
          const el = document.activeElement;
          return { tag: el?.tagName ?? '', label: el?.labels?.[0]?.textContent?.trim() ?? '', text: el?.textContent?.trim() ?? '' };
        });
        if (test(now)) return now;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await tabUntil((f) => f.tag === 'INPUT' && f.label.startsWith('Title'), 'the title');
    await page.keyboard.type(title);
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement?.tagName === 'TEXTAREA'), 'Tab from the title does not reach the message');
    await page.keyboard.type('The **audit dates** are agreed.\n- Read the toolkit\n- Bring your agency\'s figures');
    await tabUntil((f) => f.tag === 'INPUT' && f.label === group.name, `the ${group.name} checkbox`);
    await page.keyboard.press('Space');
    check(await page.getByRole('checkbox', { name: group.name, exact: true }).isChecked(), 'Space did not pick the group');
    await tabUntil((f) => f.tag === 'BUTTON' && f.text === 'Save draft', 'Save draft');
    await page.keyboard.press('Enter');
    await heading(page, title);

    // The preview is the card recipients get.
    const card = page.getByRole('region', { name: 'The announcement card' });
    await card.waitFor({ timeout: TIMEOUT });
    const shown = await card.innerText();
    check(shown.includes('Preview: only you can see this') && shown.includes(title) && shown.includes('Read the toolkit'), `the preview card shows: ${shown}`);
    check((await card.locator('strong').allInnerTexts()).includes('audit dates'), 'the preview does not show the bold text');
    await everyTheme(page, 'announcement-draft');
    await narrow(page, 'announcement-draft');

    // Send now; the jobs deliver it (the bot's scheduler is off in the journeys).
    await page.getByRole('button', { name: /^Send now: reaches/ }).click();
    await page.getByText('Sending has started.').waitFor({ timeout: TIMEOUT });
    const jobs = await fetch(`${origin}/dev/run-jobs`, { method: 'POST' });
    check(jobs.ok, `run-jobs answered ${jobs.status}`);
    check(connector.sent() > 0, 'nothing was sent to the recipient');
    const id = new URL(page.url()).pathname.split('/').filter(Boolean).pop();

    // She clicks "Got it" on her copy.
    const answer = await postActivity(origin, activity(connector, recipient, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb: 'broadcast_ack', data: { verb: 'broadcast_ack', announcement_id: Number(id) } }, trigger: 'manual' },
    }));
    check(JSON.stringify(answer).includes('You acknowledged this'), `"Got it" answered: ${JSON.stringify(answer).slice(0, 300)}`);

    // The report follows: her name, sent and acknowledged; the others not reachable, and why.
    await page.getByRole('button', { name: 'Refresh the report' }).click();
    await page.locator('main dl dd').first().filter({ hasText: /^Sent$/ }).waitFor({ timeout: TIMEOUT });
    check((await page.getByRole('button', { name: 'Cancel the send' }).count()) === 0, 'a finished send still offers "Cancel the send"');
    await page.getByLabel('Show').selectOption('acknowledged');
    await page.getByRole('status').filter({ hasText: /^1 person;/ }).waitFor({ timeout: TIMEOUT });
    const row = page.getByRole('table', { name: 'Recipients' }).locator('tbody tr');
    const cells = await row.first().locator('td').allInnerTexts();
    check(cells[0] === chair.name && cells[2] === 'Sent' && cells[5] !== '—', `the acknowledged row: ${cells.join(' | ')}`);
    await page.getByLabel('Show').selectOption('unreachable');
    await page.getByRole('status').filter({ hasText: /people;|person;/ }).waitFor({ timeout: TIMEOUT });
    const unreachable = await page.getByRole('table', { name: 'Recipients' }).locator('tbody tr td:nth-child(4)').allInnerTexts();
    check(unreachable.length > 0 && unreachable.every((why) => why === 'has not installed the bot'), `not reachable: ${unreachable.join(', ')}`);
    await page.getByLabel('Show').selectOption('');
    await everyTheme(page, 'announcement-report');
    await narrow(page, 'announcement-report');

    // Reach at a glance: she is now reachable.
    await page.goto(`${base}reach`);
    await heading(page, 'Reach at a glance');
    await page.getByRole('table', { name: 'Reach by reason' }).waitFor();
    await everyTheme(page, 'reach');
    await narrow(page, 'reach');
  } finally {
    await connector.close();
  }
});

journey('the scrutineer reads announcements and changes nothing', { realOnly: true }, async ({ page, base, scrutineer, api }) => {
  await signIn(page, base, scrutineer);
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Announcements' }).click();
  await heading(page, 'Announcements');
  check((await page.getByRole('button', { name: 'New announcement' }).count()) === 0, 'the scrutineer is offered "New announcement"');
  const lists = await api(scrutineer, 'GET', 'announcements');
  check(lists.status === 200, `the scrutineer's lists: ${lists.status}`);
  const refused = await api(scrutineer, 'POST', 'announcements', { title: 'No', body: 'No', everyone: true });
  check(refused.status === 403, `the scrutineer composed: ${refused.status}`);
  const first = [...lists.body.sent, ...lists.body.sending, ...lists.body.draft][0];
  if (first) {
    await page.goto(`${base}announcements/${first.id}`);
    await heading(page, first.title);
    const buttons = await page.getByRole('main').getByRole('button').allInnerTexts();
    check(!buttons.some((text) => /send|edit|cancel|resend|schedule/i.test(text)), `the scrutineer sees: ${buttons.join(', ')}`);
    await axe(page, 'announcement (scrutineer)');
  }
});
