// Reference data: the business manager adds a course (an error first, shown beside its field, what
// she typed kept), edits a group's cadence, retires and reinstates the group, retires a source, and
// deactivates someone who leads open actions only after reassigning them; the keyboard alone adds an item; a chair only reads; narrow.
import { axe, check, everyTheme, guardOrigin, heading, journey, shot, signIn, TIMEOUT } from '../lib.mjs';

const manager = (people) => people.find((p) => p.roles.includes('admin'));
// Codes of this run's own, so that a journey run again against the same bot adds new ones.
const fresh = (prefix) => `${prefix}${Date.now().toString(36).slice(-5).toUpperCase()}`;

async function openReference(page, tab) {
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Reference data' }).click();
  await heading(page, 'Reference data');
  if (tab) await page.getByRole('tab', { name: tab }).click();
  await page.getByRole('table', { name: tab ?? 'Priorities' }).waitFor({ timeout: TIMEOUT });
}

async function said(page, text) {
  await page.getByRole('status').filter({ hasText: text }).waitFor({ timeout: TIMEOUT });
}

/** The field's input shows its error: aria-invalid, and the message it is described by. */
async function errorBeside(page, dialog, label, words) {
  const input = dialog.getByLabel(label, { exact: false }).first();
  await page.waitForFunction((el) => el.getAttribute('aria-invalid') === 'true', await input.elementHandle(), { timeout: TIMEOUT });
  const described = await input.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '').split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '),
  );
  check(words.test(described), `${label} is not described by its error: "${described}"`);
}

journey('the business manager keeps the reference data', { realOnly: true }, async ({ page, base, people, chair, scrutineer, api }) => {
  const admin = manager(people);
  check(admin, 'the demo people need a business manager (admin)');
  await signIn(page, base, admin);
  await openReference(page);
  await everyTheme(page, 'reference-priorities');

  // A course: a code the import would refuse, said beside the field; what she typed stays.
  await page.getByRole('tab', { name: 'Courses' }).click();
  await page.getByRole('button', { name: 'Add a course' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a course' });
  await dialog.getByLabel('Code').fill('DSL 2!');
  await dialog.getByLabel('Title').fill('Designated safeguarding lead refresher');
  await dialog.getByLabel('Mode').selectOption('online');
  await dialog.getByLabel('Places').fill('lots');
  await dialog.getByRole('button', { name: 'Add course' }).click();
  await errorBeside(page, dialog, 'Code', /letters, digits/);
  await errorBeside(page, dialog, 'Places', /number of places/);
  check((await dialog.getByLabel('Title').inputValue()) === 'Designated safeguarding lead refresher', 'the title typed was lost');
  await axe(page, 'reference course error (light)');
  await shot(page, 'reference-course-error');
  const course = fresh('DSL');
  await dialog.getByLabel('Code').fill(course);
  await dialog.getByLabel('Places').fill('20');
  await dialog.getByRole('button', { name: 'Add course' }).click();
  await said(page, `Added course ${course}.`);
  await page.getByRole('table', { name: 'Courses' }).getByRole('row', { name: new RegExp(course) }).waitFor({ timeout: TIMEOUT });

  // A group's cadence.
  await page.getByRole('tab', { name: 'Groups' }).click();
  await page.getByRole('button', { name: 'Edit NSIG' }).click();
  const group = page.getByRole('dialog', { name: 'Edit group NSIG' });
  await group.getByLabel('Cadence').fill('Every six weeks');
  await group.getByRole('button', { name: 'Save changes' }).click();
  await said(page, 'Saved group NSIG.');
  await page.getByRole('row', { name: /NSIG.*Every six weeks/ }).waitFor({ timeout: TIMEOUT });

  // Retire the group, confirmed first: listed, marked retired, its actions kept, no longer offered
  // for a new action; then reinstate it.
  await page.getByRole('button', { name: 'Retire NSIG', exact: true }).click();
  const retiring = page.getByRole('alertdialog', { name: 'Retire group NSIG?' });
  await retiring.getByRole('button', { name: 'Retire', exact: true }).click();
  await said(page, 'Retired group NSIG.');
  await page.getByRole('row', { name: /NSIG.*Retired/ }).waitFor({ timeout: TIMEOUT });
  const offered = (await api(admin, 'GET', 'action-facts/choices')).body.groups.map((g) => g.code);
  check(!offered.includes('NSIG'), `a retired group is still offered for new actions: ${offered.join(', ')}`);
  check((await api(admin, 'GET', 'actions?group=NSIG')).body.total > 0, 'the retired group lost its actions');
  await axe(page, 'reference group retired (light)');
  await page.getByRole('button', { name: 'Reinstate NSIG', exact: true }).click();
  const reinstating = page.getByRole('alertdialog', { name: 'Reinstate group NSIG?' });
  await reinstating.getByRole('button', { name: 'Reinstate', exact: true }).click();
  await said(page, 'Reinstated group NSIG.');
  await page.getByRole('row', { name: /NSIG.*Active/ }).waitFor({ timeout: TIMEOUT });
  check((await api(admin, 'GET', 'action-facts/choices')).body.groups.some((g) => g.code === 'NSIG'), 'a reinstated group is not offered');

  // Retire a source: confirmed first; it stays listed, marked retired.
  await page.getByRole('tab', { name: 'Sources' }).click();
  const sources = (await api(admin, 'GET', 'reference/sources')).body.items.filter((s) => s.active);
  const source = sources[sources.length - 1].code;
  await page.getByRole('button', { name: `Retire ${source}`, exact: true }).click();
  const confirm = page.getByRole('alertdialog', { name: `Retire source ${source}?` });
  await confirm.getByRole('button', { name: 'Retire', exact: true }).click();
  await said(page, `Retired source ${source}.`);
  await page.getByRole('row', { name: new RegExp(`${source}.*Retired`) }).waitFor({ timeout: TIMEOUT });

  // Deactivate someone who leads open actions: told to reassign first, then reassign and deactivate.
  const register = (await api(admin, 'GET', 'actions?page_size=100&sort=ref')).body.items;
  const open = register.filter((a) => ['not_started', 'in_progress'].includes(a.status) && a.lead_id && ![admin.id, chair.id, scrutineer.id].includes(a.lead_id));
  const leaver = open[0].lead_id;
  const theirs = open.filter((a) => a.lead_id === leaver).map((a) => a.ref);
  await page.getByRole('tab', { name: 'People' }).click();
  await page.getByRole('button', { name: `Deactivate ${leaver}`, exact: true }).click();
  const leaving = page.getByRole('alertdialog', { name: /^Deactivate / });
  await leaving.getByRole('button', { name: 'Deactivate', exact: true }).click();
  await leaving.getByRole('alert').filter({ hasText: 'Reassign their actions first' }).waitFor({ timeout: TIMEOUT });
  const told = await leaving.getByRole('alert').innerText();
  check(told.includes(`${theirs.length} open action`) && theirs.every((ref) => told.includes(ref)), `the refusal does not name the actions: ${told}`);
  await axe(page, 'reference deactivate refused (light)');
  for (const ref of theirs) {
    await leaving.getByLabel(new RegExp(`New lead for ${ref}:`)).selectOption(admin.id);
  }
  await shot(page, 'reference-reassign');
  await leaving.getByRole('button', { name: 'Reassign and deactivate' }).click();
  await said(page, 'Deactivated');
  await page.getByRole('row', { name: new RegExp(`${leaver}.*Inactive`) }).waitFor({ timeout: TIMEOUT });
  for (const ref of theirs) {
    const action = (await api(admin, 'GET', `actions/${ref}`)).body;
    check(action.action.lead_id === admin.id, `${ref} was not reassigned`);
    check(action.history.some((h) => h.event === 'reassigned'), `${ref}'s history has no reassignment`);
  }
  await everyTheme(page, 'reference-people');
});

journey('reference data: adding with the keyboard alone', { realOnly: true }, async ({ page, base, people }) => {
  await signIn(page, base, manager(people));
  await page.goto(`${base}reference?tab=priorities`);
  await heading(page, 'Reference data');
  await page.getByRole('table', { name: 'Priorities' }).waitFor({ timeout: TIMEOUT });
  const focusedText = () => page.evaluate(() => (document.activeElement?.textContent ?? '').trim());
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = (await focusedText()) === 'Add a priority';
  }
  check(reached, 'Tab never reached "Add a priority"');
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Add a priority' });
  await dialog.waitFor({ timeout: TIMEOUT });
  check(await dialog.evaluate((el) => el.contains(document.activeElement)), 'focus is not in the dialog');
  for (let i = 0; i < 5 && (await page.evaluate(() => document.activeElement?.tagName)) !== 'INPUT'; i += 1) {
    await page.keyboard.press('Tab');
  }
  const code = fresh('K');
  await page.keyboard.type(code);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Online safety');
  await page.keyboard.press('Enter');
  await said(page, `Added priority ${code}.`);
  await page.waitForFunction(() => document.activeElement?.textContent?.trim() === 'Add a priority', null, { timeout: TIMEOUT });
  await page.getByRole('row', { name: new RegExp(`${code}.*Online safety`) }).waitFor({ timeout: TIMEOUT });
});

journey('reference data: a chair reads, with no buttons and no people', { realOnly: true }, async ({ page, base, chair }) => {
  await signIn(page, base, chair);
  await openReference(page);
  const tabs = await page.getByRole('tab').allInnerTexts();
  check(!tabs.includes('People'), `a chair sees the people tab: ${tabs.join(', ')}`);
  await page.getByRole('tab', { name: 'Groups' }).click();
  await page.getByRole('table', { name: 'Groups' }).waitFor({ timeout: TIMEOUT });
  const buttons = await page.getByRole('main').getByRole('button').allInnerTexts();
  check(!buttons.some((text) => /add|edit|retire|deactivate/i.test(text)), `a chair sees: ${buttons.join(', ')}`);
});

journey('reference data in a phone\'s width', { realOnly: true }, async ({ browser, base, people }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
  await guardOrigin(context, base);
  const page = await context.newPage();
  try {
    await signIn(page, base, manager(people));
    await page.goto(`${base}reference?tab=courses`);
    await page.getByRole('table', { name: 'Courses' }).waitFor({ timeout: TIMEOUT });
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the narrow page scrolls sideways');
    await everyTheme(page, 'reference-phone');
    await page.getByRole('button', { name: 'Add a course' }).click();
    await page.getByRole('dialog', { name: 'Add a course' }).waitFor({ timeout: TIMEOUT });
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the narrow dialog scrolls sideways');
    await axe(page, 'reference add course phone (light)');
  } finally {
    await context.close();
  }
});
