// Opens each HTML page given on the command line in headless Chromium and
// fails unless it rendered: its root element (`#dry-run-report` for a
// validation pass's report.html, `#event-report` for an event page,
// `#reconcile-report` for a reconcile's page) is
// there and has content, no script error happened, and a page with a
// rows table shows rows. Saves `NAME.png` (the top of the page) and, when
// the page has a rejected-rows table, `NAME.rows.png` (that table) beside
// each page, and prints how long each page took to load.
//
// In: page paths. Out: one line per page on stdout; exit 1 if any page
// failed, 2 on a usage error. Chromium is the system's (CHROMIUM, else
// /usr/bin/chromium); playwright-core drives it.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOTS = ['dry-run-report', 'event-report', 'reconcile-report'];
const pages = process.argv.slice(2);
if (pages.length === 0) {
  console.error('usage: check_pages.mjs PAGE.html…');
  process.exit(2);
}

const profile = mkdtempSync(join(tmpdir(), 'ferry-pages-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1400, height: 1000 },
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
// Nothing leaves the machine: a page asking for anything but its own file fails.
await context.route(/^(?!file:|data:|about:)/, (route) => route.abort());

let failed = 0;
for (const path of pages) {
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const abs = resolve(path);
  const started = performance.now();
  let facts = null;
  try {
    await page.goto(pathToFileURL(abs).href, { waitUntil: 'load', timeout: 120000 });
    const loadMs = performance.now() - started;
    facts = await page.evaluate((roots) => {
      const id = roots.find((r) => document.getElementById(r));
      const root = id && document.getElementById(id);
      const filter = document.getElementById('filter');
      return {
        id,
        text: root ? root.innerText.trim().length : 0,
        rows: root ? root.querySelectorAll('tbody tr').length : 0,
        tables: root ? root.querySelectorAll('table').length : 0,
        // The filter script shows its form; hidden means it did not run.
        filterShown: filter ? !filter.hidden : null,
        height: document.documentElement.scrollHeight,
      };
    }, ROOTS);
    facts.loadMs = loadMs;
    if (!facts.id) problems.push(`no root element (#${ROOTS.join(' or #')})`);
    else if (facts.text === 0) problems.push(`#${facts.id} is empty`);
    if (facts.tables > 0 && facts.rows === 0) problems.push('tables without rows');
    if (facts.filterShown === false) problems.push('the filter script did not run');
    // A chart's link filters the rows: every row left shown has the code.
    if (facts.filterShown) {
      const code = await page.$eval('#filter select[name=code] option:nth-child(2)', (o) => o.value);
      await page.evaluate((c) => { location.hash = 'code-' + c; }, code);
      const f = await page.waitForFunction((c) => {
        const out = document.getElementById('filter-count').textContent;
        if (!out) return null;
        const rows = [...document.querySelectorAll('table.rows tr.data')];
        const shown = rows.filter((r) => !r.hidden);
        return { out, shown: shown.length, wrong: shown.filter((r) => !r.dataset.codes.includes(' ' + c + ' ')).length };
      }, code, { timeout: 10000 }).then((h) => h.jsonValue());
      if (f.wrong > 0 || f.shown === 0) problems.push(`filter by code ${code}: ${JSON.stringify(f)}`);
      facts.filter = `#code-${code}: ${f.out}`;
      await page.evaluate(() => { document.getElementById('filter').elements['code'].value = '';
        document.getElementById('filter').elements['code'].dispatchEvent(new Event('change'));
        history.replaceState(null, '', location.pathname); window.scrollTo(0, 0); });
    }
    const png = abs.replace(/\.html?$/i, '') + '.png';
    await page.screenshot({ path: png });
    // The rejected rows, scrolled right to the end: the row number and id
    // columns must stay in view beside the right-hand cells.
    const wide = await page.evaluate(() => {
      const section = document.getElementById('rejected');
      const box = section && section.querySelector('.scroll');
      if (!box) return null;
      section.scrollIntoView();
      box.scrollLeft = box.scrollWidth;
      return { scrollWidth: box.scrollWidth, clientWidth: box.clientWidth };
    });
    if (wide) {
      facts.wide = wide;
      await page.screenshot({ path: abs.replace(/\.html?$/i, '') + '.rows.png' });
    }
  } catch (e) {
    problems.push(String(e.message || e).split('\n')[0]);
  }
  const size = (await import('node:fs')).statSync(abs).size;
  if (problems.length === 0) {
    console.log(`ok   ${path}: #${facts.id}, ${facts.rows} table rows, ${size} bytes, ` +
      `loaded in ${Math.round(facts.loadMs)} ms, page ${facts.height} px tall` +
      (facts.wide ? `, rows table ${facts.wide.scrollWidth}/${facts.wide.clientWidth} px wide/shown` : '') +
      (facts.filter ? `, filter ${facts.filter}` : ''));
  } else {
    failed++;
    console.log(`FAIL ${path}: ${problems.join('; ')}`);
  }
  await page.close();
}
await context.close();
rmSync(profile, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
