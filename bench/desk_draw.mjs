// How long the desk's register takes to draw in headless Chromium (issue 17's goal: under 1.5 s),
// from navigation until the first page of rows is on screen. Run by `python -m bench.desk_register
// --draw`, which starts the bot on the synthetic partnership and passes its address and a
// development sign-in token:
//   node bench/desk_draw.mjs <desk url> <token> <times>
// playwright-core comes from the desk's own packages (desk/node_modules); Chromium is Debian's.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const require = createRequire(resolve(ROOT, 'desk', 'package.json'));
const { chromium } = require('playwright-core');

const [desk, token, times = '20'] = process.argv.slice(2);
const ROWS = 'table[aria-label="Actions"] tbody tr';

/** Milliseconds from the navigation's start until the register's rows are drawn. */
async function draw(context) {
  const page = await context.newPage();
  try {
    await page.goto(`${desk}actions`, { waitUntil: 'commit' });
    await page.locator(ROWS).first().waitFor({ state: 'visible', timeout: 30000 });
    // The navigation's own clock: from the request's start, not from when this script asked.
    return await page.evaluate(() => performance.now());
  } finally {
    await page.close();
  }
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const browser = await chromium.launch({
  executablePath: process.env.DESK_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript((t) => sessionStorage.setItem('desk.token', t), token);
  const cold = await draw(context); // the first visit fetches the scripts and styles
  const warm = [];
  for (let i = 0; i < Number(times); i += 1) warm.push(await draw(context));
  warm.sort((a, b) => a - b);
  console.log(
    `desk: drawn cold_ms=${cold.toFixed(0)} n=${warm.length} p50_ms=${quantile(warm, 0.5).toFixed(0)} ` +
      `p95_ms=${quantile(warm, 0.95).toFixed(0)}`,
  );
} finally {
  await browser.close();
}
