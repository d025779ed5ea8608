// The register and an action's page: a chair's filters, an action's history, the scrutineer, the
// keyboard alone, narrow screens, and the sign-in gates.
import { startStub } from '../stub-server.mjs';
import {
  axe, cellTexts, check, everyTheme, guardOrigin, heading, journey, registerRows, shot, signIn, THEMES, TIMEOUT,
} from '../lib.mjs';

journey('sign-in page in every theme', {}, async ({ page, base }) => {
  for (const theme of THEMES) {
    await page.goto(`${base}?theme=${theme}`);
    await heading(page, 'Sign in as a demo person');
    await page.getByRole('button', { name: /^Sign in as / }).first().waitFor();
    await axe(page, `sign-in (${theme})`);
    await shot(page, `sign-in-${theme}`);
  }
});

journey('a chair filters her group\'s overdue actions', {}, async ({ page, base, chair, filters }) => {
  await signIn(page, base, chair);
  await everyTheme(page, 'home');
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Register' }).click();
  await heading(page, 'Register');
  await registerRows(page);
  const group = filters.groups.find((g) => g.code === process.env.DESK_CHAIR_GROUP) ?? filters.groups[0];
  await page.getByLabel('Group', { exact: true }).selectOption(group.code);
  await page.waitForURL(/group=/);
  await page.getByLabel('Overdue', { exact: true }).selectOption('true');
  await page.waitForURL(/overdue=true/);
  const rows = await registerRows(page);
  const count = await rows.count();
  check(count > 0, `no overdue actions in ${group.name}; the journey needs some`);
  const groups = await cellTexts(rows, 2);
  check(groups.every((text) => text === group.name || text === group.code), `rows from other groups: ${groups.join(', ')}`);
  const overdue = await cellTexts(rows, 11);
  check(overdue.every((text) => /working day/.test(text)), `rows that are not overdue: ${overdue.join(', ')}`);
  await everyTheme(page, 'register-filtered');

  // Search for nothing: the empty state names each filter that hides everything.
  await page.getByLabel('Search titles and descriptions').fill('zzzz-no-such-action');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText('No action matches all of these filters:').waitFor({ timeout: TIMEOUT });
  const listed = await page.getByRole('list', { name: 'Filters in use' }).innerText();
  for (const words of [`Group: ${group.name}`, 'Overdue', 'Search: “zzzz-no-such-action”']) {
    check(listed.includes(words), `the empty state does not say "${words}": ${listed}`);
  }
  await everyTheme(page, 'register-empty');
  await page.getByRole('button', { name: 'Clear filters' }).first().click();
  await page.waitForURL((url) => !url.search.includes('group=') && !url.search.includes('q='));
  check((await (await registerRows(page)).count()) > 0, 'clearing the filters shows no actions');
});

journey('open an action and read its history', {}, async ({ page, base, chair, stub, api }) => {
  let search = 'sort=ref';
  if (!stub) {
    // Against the real bot, the chair first saves an update through the API (as the desk's update
    // form will), so the history shows her change beside what the demo data seeded.
    const mine = await api(chair, 'GET', 'actions?sort=ref&page_size=100');
    const action = mine.body.items.find((item) => item.can_update && item.status === 'in_progress');
    check(action, 'the chair may update none of the actions she reads');
    const rag = ['amber', 'green', 'red'].find((colour) => colour !== action.lead_rag);
    const saved = await api(chair, 'PATCH', `actions/${action.ref}`, { note: 'Audit dates agreed with the lead agencies.', rag });
    check(saved.status === 200, `the chair's update was refused: ${saved.status} ${JSON.stringify(saved.body)}`);
    search = `q=${encodeURIComponent(action.ref)}`;
  }
  await signIn(page, base, chair);
  await page.goto(`${base}actions?${search}`);
  const rows = await registerRows(page);
  const ref = (await cellTexts(rows, 0))[0];
  await rows.first().getByRole('link').click();
  await page.getByRole('heading', { level: 1, name: new RegExp(`^${ref}`) }).waitFor({ timeout: TIMEOUT });
  check(await page.evaluate(() => document.activeElement?.tagName === 'H1'), 'focus did not move to the new page heading');
  const history = page.getByRole('table', { name: /History/ });
  await history.waitFor({ timeout: TIMEOUT });
  const headers = await history.getByRole('columnheader').allInnerTexts();
  check(headers.join('|') === 'When|Who|What|Field|From|To', `history headers: ${headers.join('|')}`);
  check((await history.locator('tbody tr').count()) > 0, 'the history is empty');
  if (!stub) {
    const texts = await history.locator('tbody tr').allInnerTexts();
    check(texts.some((text) => text.includes(chair.name)), `the chair's change is not in the history: ${texts.slice(-5).join(' / ')}`);
  }
  if (stub) {
    const first = await history.locator('tbody tr').nth(1).innerText();
    check(/Updated/.test(first) && /Status/.test(first) && /not_started/.test(first) && /in_progress/.test(first), `history row: ${first}`);
    check(await page.getByRole('button', { name: 'Update this action' }).isVisible(), 'the chair has no update button on her group\'s action');
  }
  await everyTheme(page, 'action');
});

journey('what people typed is shown as text', { stubOnly: true }, async ({ page, base, chair }) => {
  await signIn(page, base, chair);
  await page.goto(`${base}actions/A-006`);
  await page.getByRole('heading', { level: 1, name: /<img src=x onerror=alert\(1\)>/ }).waitFor({ timeout: TIMEOUT });
  check((await page.locator('img[src="x"], b').count()) === 0, 'typed markup became elements');
  check(await page.getByText('Waiting for <b>health</b> data; not markup.').isVisible(), 'the note is not shown as typed');
});

journey('a refusal and a missing action are said plainly', { stubOnly: true }, async ({ page, base, chair }) => {
  await signIn(page, base, chair);
  await page.goto(`${base}actions/A-RESTRICTED`);
  await page.getByRole('alert').filter({ hasText: 'You are not allowed to see or do this' }).waitFor({ timeout: TIMEOUT });
  await page.getByText('This action belongs to a group whose actions you cannot read.').waitFor();
  await axe(page, 'forbidden action (light)');
  await page.goto(`${base}actions/A-404`);
  await page.getByRole('alert').filter({ hasText: 'There is no action A-404.' }).waitFor({ timeout: TIMEOUT });
  await page.goto(`${base}actions?page_size=10&page=99`);
  await page.getByText('There is no page 99: these actions fill 6 pages.').waitFor({ timeout: TIMEOUT });
  await page.getByRole('button', { name: 'Go to the first page' }).click();
  await page.getByText('Showing 1–10 of 60 actions').waitFor({ timeout: TIMEOUT });
  await page.goto(`${base}nowhere`);
  await heading(page, 'Page not found');
  await axe(page, 'not found (light)');
});

journey('the register with the keyboard alone', {}, async ({ page, base, chair, filters }) => {
  await signIn(page, base, chair);
  await page.goto(`${base}actions`);
  await registerRows(page);
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return {
        tag: el?.tagName,
        text: (el?.getAttribute('aria-label') || el?.textContent || '').trim().slice(0, 60),
        label: el?.labels?.[0]?.textContent ?? '',
        role: el?.getAttribute('role') ?? '',
        inTable: Boolean(el?.closest('table[aria-label="Actions"] tbody')),
      };
    });
  // Focus is visible when the focused control looks different from the same control unfocused.
  const focusShows = async () => {
    const box = await page.evaluate(() => {
      const r = document.activeElement?.getBoundingClientRect();
      return r && r.width > 0 ? { x: Math.max(0, r.x - 4), y: Math.max(0, r.y - 4), width: r.width + 8, height: r.height + 8 } : null;
    });
    if (!box) return false;
    const focusedShot = await page.screenshot({ clip: box });
    await page.evaluate(() => {
      window.__deskFocused = document.activeElement;
      document.activeElement.blur();
    });
    const blurredShot = await page.screenshot({ clip: box });
    await page.evaluate(() => window.__deskFocused.focus());
    return !focusedShot.equals(blurredShot);
  };
  const tabUntil = async (test, what) => {
    for (let i = 0; i < 80; i += 1) {
      await page.keyboard.press('Tab');
      const now = await focused();
      check(await focusShows(), `focus is not visible on ${now.tag} ${now.text}`);
      if (test(now)) return now;
    }
    throw new Error(`Tab never reached ${what}`);
  };
  await page.keyboard.press('Tab');
  check((await focused()).text === 'Skip to main content', 'the first Tab does not reach the skip link');
  await page.keyboard.press('Enter');
  await tabUntil((f) => f.tag === 'SELECT' && f.label === 'Group', 'the Group filter');
  // Chromium on Linux changes a closed select's value with the arrow keys.
  await page.keyboard.press('ArrowDown');
  await page.waitForURL(new RegExp(`group=${encodeURIComponent(filters.groups[0].code)}`));
  await registerRows(page);
  await shot(page, 'keyboard-filter');
  await tabUntil((f) => f.role === 'button' && f.text === 'Due', 'the Due column header');
  await page.keyboard.press('Enter');
  await page.waitForURL(/sort=due&order=asc/);
  const dueHeader = page.getByRole('columnheader', { name: 'Due', exact: true });
  await page.waitForFunction(() => [...document.querySelectorAll('th')].some((th) => th.getAttribute('aria-sort') === 'ascending'));
  check((await dueHeader.getAttribute('aria-sort')) === 'ascending', 'aria-sort is not ascending after Enter');
  check((await focused()).text === 'Due', 'focus left the header after sorting');
  await page.keyboard.press('Enter');
  await page.waitForURL(/order=desc/);
  check((await dueHeader.getAttribute('aria-sort')) === 'descending', 'aria-sort is not descending after a second Enter');
  await registerRows(page);
  const link = await tabUntil((f) => f.tag === 'A' && f.inTable, 'an action in the table');
  await shot(page, 'keyboard-sort');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: link.text }).waitFor({ timeout: TIMEOUT });
  check(await page.evaluate(() => document.activeElement?.tagName === 'H1'), 'focus is not on the action heading');
  await page.goBack(); // the back button returns to the sorted register
  await heading(page, 'Register');
});

journey('the scrutineer sees no edit button', {}, async ({ page, base, scrutineer }) => {
  await signIn(page, base, scrutineer);
  check(await page.getByText('the scrutineer changes nothing').isVisible(), 'the home page does not say she changes nothing');
  await page.goto(`${base}actions`);
  const rows = await registerRows(page);
  for (const index of [0, 1, 2]) {
    await page.goto(`${base}actions`);
    await (await registerRows(page)).nth(index).getByRole('link').click();
    await page.getByRole('heading', { name: 'Facts' }).waitFor({ timeout: TIMEOUT });
    const buttons = await page.getByRole('main').getByRole('button').allInnerTexts();
    check(!buttons.some((text) => /update|edit|change|delete/i.test(text)), `the scrutineer sees: ${buttons.join(', ')}`);
  }
  check((await rows.count()) >= 0, 'unreachable');
  await shot(page, 'scrutineer-action');
});

journey('the API refuses the scrutineer', { realOnly: true }, async ({ scrutineer, api }) => {
  const listed = await api(scrutineer, 'GET', 'actions?page_size=5');
  check(listed.status === 200 && listed.body.items.length > 0, `the scrutineer cannot read the register: ${listed.status}`);
  for (const item of listed.body.items) {
    check(item.can_update === false, `the register offers the scrutineer an update of ${item.ref}`);
    const refused = await api(scrutineer, 'PATCH', `actions/${item.ref}`, { note: 'The scrutineer tries to change this.' });
    check(refused.status === 403, `PATCH ${item.ref} as the scrutineer answered ${refused.status}, not 403`);
    check(/problem\+json/.test(refused.type), `the refusal is not problem details: ${refused.type}`);
  }
});

journey('a phone or Teams\' narrow panel gets cards', {}, async ({ browser, base, chair }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
  await guardOrigin(context, base);
  const page = await context.newPage();
  try {
    await signIn(page, base, chair);
    await page.goto(`${base}actions`);
    await page.getByRole('list', { name: 'Actions' }).waitFor({ timeout: TIMEOUT });
    check((await page.locator('table[aria-label="Actions"]').count()) === 0, 'the narrow register still shows the table');
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the narrow page scrolls sideways');
    await everyTheme(page, 'register-phone');
    await page.getByRole('list', { name: 'Actions' }).getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Facts' }).waitFor({ timeout: TIMEOUT });
    await everyTheme(page, 'action-phone');
  } finally {
    await context.close();
  }
});

journey('a bad token sends the person back to sign in', {}, async ({ page, base }) => {
  await page.goto(`${base}?theme=light`);
  await heading(page, 'Sign in as a demo person');
  await page.evaluate(() => sessionStorage.setItem('desk.token', 'not-a-token'));
  await page.reload();
  await heading(page, 'Sign in as a demo person');
  await page.getByText('Your previous sign-in has ended').waitFor({ timeout: TIMEOUT });
});

journey('someone not on the roster is told how to be added', { stubOnly: true }, async ({ page, base }) => {
  for (const theme of THEMES) {
    await page.goto(`${base}?theme=${theme}`);
    await page.evaluate(() => sessionStorage.setItem('desk.token', 'stub-P99'));
    await page.reload();
    await heading(page, "You are not on the partnership's roster yet");
    await page.getByText('Ask the business team (business@northshire.example) to add you.').waitFor();
    await axe(page, `not-on-roster (${theme})`);
    await shot(page, `not-on-roster-${theme}`);
  }
});

journey('outside Teams in production, the page says to open it in Teams', { stubOnly: true }, async ({ browser }) => {
  const production = await startStub({ dev: false });
  try {
    for (const scheme of ['light', 'dark']) {
      const context = await browser.newContext({ colorScheme: scheme });
      await guardOrigin(context, production.url);
      const page = await context.newPage();
      await page.goto(`${production.url}actions?theme=dark`);
      await heading(page, 'Open the desk in Teams');
      check((await page.getByRole('button', { name: /Sign in as/ }).count()) === 0, 'production offers the dev sign-in');
      await axe(page, `open-in-teams (${scheme})`);
      await shot(page, `open-in-teams-${scheme}`);
      await context.close();
    }
  } finally {
    await production.close();
  }
});
