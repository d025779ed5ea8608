// Files in and out: the business manager uploads a plan with a bad row, reads the problem by its row
// and field, uploads the fixed file, imports it (the keyboard alone), and exports the register as
// Excel, which the journey opens with its own small XLSX reader; the scrutineer may not upload.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { check, everyTheme, guardOrigin, heading, journey, signIn, TIMEOUT } from '../lib.mjs';

async function tokenFor(base, person) {
  const response = await fetch(`${base}dev/sign-in`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ person_id: person.id }),
  });
  return (await response.json()).token;
}

/** One file out of a zip (an .xlsx), by its name: the central directory, then the local entry. */
export function unzipEntry(buffer, name) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end -= 1;
  check(end >= 0, 'the download is not a zip (an .xlsx is one)');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  for (let i = 0; i < count; i += 1) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const entry = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    if (entry === name) {
      const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
      const data = buffer.subarray(start, start + size);
      return (method === 0 ? data : inflateRawSync(data)).toString('utf8');
    }
    at += 46 + nameLength + extra + comment;
  }
  return null;
}

/** The first row of an .xlsx's first sheet, as text (shared or inline strings). */
export function firstRow(buffer) {
  const shared = [...(unzipEntry(buffer, 'xl/sharedStrings.xml') ?? '').matchAll(/<si>([\s\S]*?)<\/si>/g)].map((m) =>
    [...m[1].matchAll(/<t[^>]*>([^<]*)<\/t>/g)].map((t) => t[1]).join(''),
  );
  const sheet = unzipEntry(buffer, 'xl/worksheets/sheet1.xml');
  check(sheet, 'the workbook has no first sheet');
  const row = /<row[^>]*r="1"[^>]*>([\s\S]*?)<\/row>/.exec(sheet);
  check(row, 'the sheet has no first row');
  return [...row[1].matchAll(/<c([^>]*)>([\s\S]*?)<\/c>/g)].map(([, attributes, body]) => {
    const value = /<v>([^<]*)<\/v>/.exec(body)?.[1] ?? /<t[^>]*>([^<]*)<\/t>/.exec(body)?.[1] ?? '';
    return /t="s"/.test(attributes) ? shared[Number(value)] : value;
  });
}

/** A CSV line, split on commas outside quotes (enough for the register's own export). */
function cells(line) {
  const out = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

function csvLine(values) {
  return values.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',');
}

/** The register as the plan importer reads it: its own CSV export, with row `bad` given a due date
 * that is not a date (or none, for the fixed file). Rows whose text spans lines are left out. */
async function planFiles(base, manager) {
  const token = await tokenFor(base, manager);
  const response = await fetch(`${base}api/v1/exports/register?format=csv`, { headers: { Authorization: `Bearer ${token}` } });
  check(response.status === 200, `the register export answered ${response.status}`);
  const lines = (await response.text()).replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  const header = cells(lines[0]);
  const width = header.length;
  const rows = lines.slice(1).map(cells).filter((row) => row.length === width).slice(0, 6);
  const due = header.indexOf('due');
  const folder = mkdtempSync(join(tmpdir(), 'desk-files-'));
  const good = [header, ...rows].map(csvLine).join('\n') + '\n';
  const broken = rows.map((row, index) => (index === 2 ? row.map((v, i) => (i === due ? 'the twelfth of never' : v)) : row));
  const bad = [header, ...broken].map(csvLine).join('\n') + '\n';
  writeFileSync(join(folder, 'plan-with-a-mistake.csv'), bad);
  writeFileSync(join(folder, 'plan.csv'), good);
  return { folder, bad: join(folder, 'plan-with-a-mistake.csv'), good: join(folder, 'plan.csv') };
}

function businessManager(people) {
  const manager = people.find((p) => p.roles.includes('admin') && !p.roles.includes('scrutineer'));
  check(manager, 'the demo roster has no admin');
  return manager;
}

/** With the keyboard alone: Tab to the file input, Space opens the chooser, then Tab to "Check". */
async function chooseAndCheck(page, path) {
  await page.getByLabel('What the file holds').focus();
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('type') === 'file')) break;
  }
  check(await page.evaluate(() => document.activeElement?.getAttribute('type') === 'file'), 'Tab never reaches the file input');
  const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: TIMEOUT }), page.keyboard.press('Space')]);
  await chooser.setFiles(path);
  for (let i = 0; i < 6; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.textContent === 'Check the file')) break;
  }
  check(await page.evaluate(() => document.activeElement?.textContent === 'Check the file'), 'Tab never reaches "Check the file"');
  await page.keyboard.press('Enter');
}

journey('the business manager fixes a plan, imports it and exports the register', { realOnly: true }, async ({ page, base, people }) => {
  const manager = businessManager(people);
  const files = await planFiles(base, manager);
  await signIn(page, base, manager);
  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Files' }).click();
  await heading(page, 'Files');
  await everyTheme(page, 'files');

  await chooseAndCheck(page, files.bad);
  const problems = page.getByRole('table', { name: 'Problems, by row and field' });
  await problems.waitFor({ timeout: TIMEOUT });
  const first = await problems.locator('tbody tr').first().locator('td').allInnerTexts();
  check(first[1] === '4' && first[2] === 'due', `the problem is not named by row 4 and field due: ${first.join(' | ')}`);
  check((await page.getByRole('button', { name: /^Import / }).count()) === 0, 'a file with problems offers Import');
  await everyTheme(page, 'files-problems');

  await chooseAndCheck(page, files.good);
  const plan = page.getByRole('table', { name: 'What the import will do' });
  await plan.waitFor({ timeout: TIMEOUT });
  const tally = await plan.locator('tbody tr').filter({ hasText: 'actions' }).locator('td').allInnerTexts();
  check(tally[3] !== undefined && Number(tally[3]) > 0, `the dry run does not say what is left alone: ${tally.join(' | ')}`);
  await everyTheme(page, 'files-dry-run');

  const importButton = page.getByRole('button', { name: 'Import plan.csv' });
  await importButton.focus();
  await page.keyboard.press('Enter');
  await page.getByText('plan.csv is imported').waitFor({ timeout: TIMEOUT });
  await everyTheme(page, 'files-imported');

  await page.getByRole('navigation', { name: 'Desk' }).getByRole('link', { name: 'Register' }).click();
  await heading(page, 'Register');
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: TIMEOUT }),
    page.getByRole('button', { name: 'Export (Excel)' }).click(),
  ]);
  check(/^register-.*\.xlsx$/.test(download.suggestedFilename()), `the export is named ${download.suggestedFilename()}`);
  const saved = join(files.folder, download.suggestedFilename());
  await download.saveAs(saved);
  const header = firstRow(readFileSync(saved));
  check(header[0] === 'reference' && header.includes('due') && header.includes('derived_rag'), `the export's first row: ${header.slice(0, 5).join(', ')}`);
});

journey('the Files page on a phone', { realOnly: true }, async ({ browser, base, people }) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 1 });
  await guardOrigin(context, base);
  const page = await context.newPage();
  try {
    await signIn(page, base, businessManager(people));
    await page.goto(`${base}files`);
    await heading(page, 'Files');
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'the narrow Files page scrolls sideways');
    await everyTheme(page, 'files-phone');
  } finally {
    await context.close();
  }
});

journey('the scrutineer may not upload', { realOnly: true }, async ({ base, scrutineer }) => {
  const form = new FormData();
  form.append('kind', 'plan');
  form.append('file', new Blob(['reference\nA01\n']), 'plan.csv');
  const response = await fetch(`${base}api/v1/imports`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${await tokenFor(base, scrutineer)}` },
    body: form,
  });
  check(response.status === 403, `the scrutineer's upload answered ${response.status}, not 403`);
});
