// Work on actions from the desk (against the real bot: these change data): a lead updates her
// action with the keyboard alone, through the screening confirmation; the business manager adds an
// action and moves its due date, and the history names the group and lead; a possible overlap is
// linked; the drift overview in every theme and on a phone.
import { axe, check, everyTheme, heading, journey, shot, signIn, TIMEOUT } from '../lib.mjs';

/** Presses Tab (or Shift+Tab) until the focused element is the one `wanted` describes. */
async function tabTo(page, wanted, { back = false, most = 40 } = {}) {
  for (let i = 0; i < most; i += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const here = await page.evaluate(() => {
      const el = document.activeElement;
      return {
        tag: el?.tagName ?? '',
        text: (el?.textContent ?? '').trim(),
        label: (el?.labels?.[0]?.textContent ?? el?.getAttribute('aria-label') ?? '').trim(),
      };
    });
    if (wanted(here)) return here;
  }
  throw new Error(`Tab never reached the control wanted (${wanted})`);
}

function businessManager(people) {
  const admin = people.find((p) => p.roles.includes('admin'));
  check(admin, 'the demo people need an admin');
  return admin;
}

/** Someone who leads an open action and is neither admin, chair nor scrutineer: a plain lead. */
async function plainLead(api, people) {
  const admin = businessManager(people);
  const all = await api(admin, 'GET', 'actions?status=in_progress&page_size=100&sort=ref');
  for (const row of all.body.items) {
    const person = people.find((p) => p.id === row.lead_id);
    if (person && person.roles.every((r) => r === 'member' || r === 'champion')) return { person, action: row };
  }
  throw new Error('no in-progress action is led by someone without another role');
}

async function noSidewaysScroll(page, what) {
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(widths[0] <= widths[1], `${what} scrolls sideways at ${widths[1]} px (${widths[0]} px wide)`);
}

journey('a lead updates her action with the keyboard alone, confirming screening', { realOnly: true }, async ({ page, base, api, people }) => {
  const { person, action } = await plainLead(api, people);
  await signIn(page, base, person);
  await page.goto(`${base}actions/${action.ref}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${action.ref}`) }).waitFor({ timeout: TIMEOUT });
  await tabTo(page, (el) => el.tag === 'BUTTON' && el.text === 'Update this action');
  await page.keyboard.press('Enter');
  await heading(page, `Update ${action.ref}`);
  check(await page.evaluate(() => document.activeElement?.tagName === 'H1'), 'focus did not move to the form\'s heading');

  await tabTo(page, (el) => el.tag === 'TEXTAREA' && el.label.startsWith('Progress note'));
  const note = `Agreed the audit plan; NHS number 943 476 5919 was the clinic's reference (${Date.now()})`;
  await page.keyboard.type(note);
  await tabTo(page, (el) => el.tag === 'SELECT' && el.label.startsWith('Your RAG rating'));
  const before = await page.getByLabel('Your RAG rating').inputValue();
  await page.keyboard.press(before === 'red' ? 'ArrowUp' : 'ArrowDown');
  const rag = await page.getByLabel('Your RAG rating').inputValue();
  check(rag !== before, 'the arrow keys did not change the RAG rating');
  await tabTo(page, (el) => el.tag === 'BUTTON' && el.text === 'Save update');
  await page.keyboard.press('Enter');

  // Screening finds the number: the card's warning, and nothing saved yet.
  await page.getByText('Before I save this: it may contain personal details').waitFor({ timeout: TIMEOUT });
  check((await page.getByLabel(/^Progress note/).inputValue()) === note, 'what was typed was lost');
  await everyTheme(page, 'action-update-screening');
  await page.setViewportSize({ width: 375, height: 800 });
  await noSidewaysScroll(page, 'the update form');
  await axe(page, 'action update (375 px)');
  await shot(page, 'action-update-phone-light');
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole('heading', { level: 1 }).focus();
  await tabTo(page, (el) => el.tag === 'INPUT' && el.label === 'I confirm these are not personal data');
  await page.keyboard.press('Space');
  await tabTo(page, (el) => el.tag === 'BUTTON' && el.text === 'Save update');
  await page.keyboard.press('Enter');

  await page.getByRole('heading', { level: 1, name: new RegExp(`^${action.ref}:`) }).waitFor({ timeout: TIMEOUT });
  const updates = page.getByRole('table', { name: 'Updates' });
  await updates.waitFor({ timeout: TIMEOUT });
  check((await updates.locator('tbody tr').first().innerText()).includes('Agreed the audit plan'), 'the update is not the newest');
  const history = await page.getByRole('table', { name: /History/ }).locator('tbody tr').allInnerTexts();
  check(history.some((row) => /Screening confirmed/.test(row)), 'the confirmation is not in the history');
});

journey('the business manager adds an action and moves its due date', { realOnly: true }, async ({ page, base, people }) => {
  const admin = businessManager(people);
  await signIn(page, base, admin);
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Register' }).click();
  await heading(page, 'Register');
  await page.getByRole('button', { name: 'New action' }).click();
  await heading(page, 'New action');
  // A form with mistakes: each error beside its field, and what was typed kept.
  await page.getByLabel(/^Action/).fill('Agree a joint audit of neglect referrals from GP practices');
  await page.getByLabel(/^Due date/).fill('2027-06-30');
  await page.getByRole('button', { name: 'Add the action' }).click();
  await page.getByText('is required').first().waitFor({ timeout: TIMEOUT });
  check((await page.getByLabel(/^Action/).inputValue()).startsWith('Agree a joint audit'), 'the typed text was lost');
  await everyTheme(page, 'action-new-errors');

  const pick = async (name) => {
    const select = page.getByLabel(new RegExp(`^${name}(?! agency)`));
    const option = await select.locator('option:not([value=""])').first();
    const [value, text] = [await option.getAttribute('value'), (await option.innerText()).trim()];
    await select.selectOption(value);
    return text;
  };
  const group = await pick('Group');
  await pick('Priority');
  await pick('Source');
  const lead = await pick('Lead');
  await page.getByRole('button', { name: 'Add the action' }).click();
  const title = page.getByRole('heading', { level: 1, name: /: Agree a joint audit of neglect referrals/ });
  await title.waitFor({ timeout: TIMEOUT });
  const ref = (await title.innerText()).split(':')[0];

  const historyRows = async () => page.getByRole('table', { name: /History/ }).locator('tbody tr').allInnerTexts();
  const created = await historyRows();
  const row = (field) => created.find((text) => text.split('\t')[3] === field) ?? '';
  check(row('Group').includes(group), `the history does not name the group: ${row('Group')}`);
  check(row('Lead').includes(lead), `the history does not name the lead: ${row('Lead')}`);
  for (const field of ['Group', 'Priority', 'Source', 'Lead', 'Lead agency']) {
    const to = row(field).split('\t')[5] ?? '';
    check(!/^\d+$/.test(to.trim()), `the history shows an id for ${field}: ${to}`);
  }

  await page.getByRole('button', { name: 'Edit facts' }).click();
  await heading(page, `Edit ${ref}`);
  await page.getByLabel(/^Due date/).fill('2027-09-30');
  await everyTheme(page, 'action-edit');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${ref}:`) }).waitFor({ timeout: TIMEOUT });
  const edited = (await historyRows()).find((text) => /Edited/.test(text) && /\bDue\b/.test(text));
  check(edited && /30 Jun 2027/.test(edited) && /30 Sept? 2027/.test(edited), `the due date's change is not in the history: ${edited}`);
});

journey('a possible overlap is linked from the action page', { realOnly: true }, async ({ page, base, api, people }) => {
  const admin = businessManager(people);
  // A new action with the words of an existing one, from another source: the desk suggests the overlap.
  const existing = (await api(admin, 'GET', 'actions?page_size=1&sort=ref')).body.items[0];
  const choices = (await api(admin, 'GET', 'action-facts/choices')).body;
  const source = choices.sources.find((s) => s.code !== existing.source);
  const made = await api(admin, 'POST', 'action-facts', {
    text: existing.title,
    group: existing.group,
    priority: existing.priority,
    source: source.code,
    due: '2027-05-31',
  });
  check(made.status === 200, `the action was not created: ${made.status} ${JSON.stringify(made.body)}`);
  const ref = made.body.action.ref;
  check(made.body.action.links.some((l) => l.ref === existing.ref && l.state === 'suggested'), 'no overlap was suggested');

  await signIn(page, base, admin);
  await page.goto(`${base}actions/${ref}`);
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${ref}:`) }).waitFor({ timeout: TIMEOUT });
  const overlaps = page.getByRole('list', { name: `Overlaps of ${ref}` });
  await overlaps.getByText('Possible overlap').waitFor({ timeout: TIMEOUT });
  await everyTheme(page, 'action-overlap');
  await overlaps.getByRole('button', { name: `Link ${existing.ref}` }).click();
  await page.getByRole('status').filter({ hasText: `Linked ${ref} and ${existing.ref}` }).waitFor({ timeout: TIMEOUT });
  await overlaps.getByText('Linked: the same work').waitFor({ timeout: TIMEOUT });
  const history = await page.getByRole('table', { name: /History/ }).locator('tbody tr').allInnerTexts();
  check(history.some((text) => /Overlap linked/.test(text)), 'the link is not in the history');
  const other = await api(admin, 'GET', `actions/${existing.ref}`);
  check(other.body.action.links.some((l) => l.ref === ref && l.state === 'linked'), 'the link does not show on the other action');
});

journey('the drift overview: charts with tables, every theme, a phone', { realOnly: true }, async ({ page, base, people, scrutineer, api }) => {
  const admin = businessManager(people);
  await signIn(page, base, admin);
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Drift' }).click();
  await heading(page, 'Drift');
  const charts = page.locator('main svg[role="img"]');
  await charts.first().waitFor({ timeout: TIMEOUT });
  check((await charts.count()) === 4, `expected four charts, found ${await charts.count()}`);
  for (const label of await charts.evaluateAll((svgs) => svgs.map((s) => s.getAttribute('aria-label') ?? ''))) {
    check(/^Bar chart of /.test(label) && /\d/.test(label), `a chart's summary says too little: ${label}`);
  }
  for (const name of ['Derived RAG by group', 'Overdue actions by working days late', 'Signs of drift', 'Derived RAG by priority']) {
    const table = page.getByRole('table', { name, exact: true });
    check((await table.locator('tbody tr').count()) > 0, `the table "${name}" is empty`);
  }
  // The table beside the chart holds the figures the API gives.
  const drift = (await api(admin, 'GET', 'drift')).body;
  const firstGroup = await page.getByRole('table', { name: 'Derived RAG by group', exact: true }).locator('tbody tr').first().innerText();
  const g = drift.by_group[0];
  check(firstGroup.includes(g.name) && firstGroup.includes(String(g.counts.red)), `the group table disagrees with the API: ${firstGroup}`);
  await everyTheme(page, 'drift');
  await page.setViewportSize({ width: 375, height: 800 });
  await noSidewaysScroll(page, 'the drift page');
  await axe(page, 'drift (375 px)');
  await shot(page, 'drift-phone-light');
  await page.setViewportSize({ width: 1280, height: 900 });
  // The scrutineer reads the drift too; a champion has no Drift link and the API refuses her.
  check((await api(scrutineer, 'GET', 'drift')).status === 200, 'the scrutineer cannot read the drift');
});

journey('a save over a newer change is refused plainly, and a reload keeps what was typed', { realOnly: true }, async ({ page, base, api, people }) => {
  const admin = businessManager(people);
  const action = (await api(admin, 'GET', 'actions?status=in_progress&page_size=1&sort=ref')).body.items[0];
  await signIn(page, base, admin);
  await page.goto(`${base}actions/${action.ref}/update`);
  await heading(page, `Update ${action.ref}`);
  const note = 'Dates agreed with the lead agencies at the subgroup';
  await page.getByLabel(/^Progress note/).fill(note);
  // Someone else saves first.
  const meanwhile = await api(admin, 'PATCH', `actions/${action.ref}`, { note: 'Saved from the chat meanwhile' });
  check(meanwhile.status === 200, `the other update was refused: ${meanwhile.status}`);
  await page.getByRole('button', { name: 'Save update' }).click();
  await page.getByRole('alert').filter({ hasText: 'Changed since you opened it' }).waitFor({ timeout: TIMEOUT });
  await axe(page, 'action update conflict (light)');
  await page.getByRole('button', { name: 'Reload the action' }).click();
  await page.getByRole('status').filter({ hasText: 'Reloaded: the form now starts from the newest change' }).waitFor({ timeout: TIMEOUT });
  check((await page.getByLabel(/^Progress note/).inputValue()) === note, 'the reload lost what was typed');
  await page.getByRole('button', { name: 'Save update' }).click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${action.ref}:`) }).waitFor({ timeout: TIMEOUT });
  const newest = await page.getByRole('table', { name: 'Updates' }).locator('tbody tr').first().innerText();
  check(newest.includes(note), `the saved update is not the newest: ${newest}`);
});
