// Firefox smoke test of the built extension (dist/firefox), driven by puppeteer-core over WebDriver BiDi.
// Run by tests/extension/test_firefox_e2e.py, which starts the backend, the recording proxy and the page server.
// The extension runs with its default settings (backend http://127.0.0.1:5000, where the test's proxy listens).
// Env: EXT_DIR, PAGES_URL, FIREFOX, EXTENSION_ROOT (for node_modules), SCREENSHOT (optional path).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { EXT_DIR, PAGES_URL, FIREFOX, EXTENSION_ROOT, SCREENSHOT } = process.env;
const require = createRequire(join(EXTENSION_ROOT, 'package.json'));
const { default: puppeteer } = await import(pathToFileURL(require.resolve('puppeteer-core')).href);

const GECKO_ID = 'emoji-suggest@emoji-suggest.example';
const UUID = '5b1c9a3e-2f4d-4c1e-9a7b-0e5f6d7c8b9a'; // fixed, so the extension's pages have a known URL
const results = [];
const check = (name, ok, detail = '') => {
  results.push({ name, ok: Boolean(ok), detail: String(detail) });
  if (!ok) throw new Error(`${name} failed: ${detail}`);
};

const barCount = () => document.querySelector('[data-emoji-suggest]')?.shadowRoot?.querySelectorAll('.panel.bar:not([hidden]) button.emoji').length ?? 0;
const barEmojis = () => [...document.querySelector('[data-emoji-suggest]').shadowRoot.querySelectorAll('.panel.bar button.emoji')].map((b) => b.dataset.emoji);

const browser = await puppeteer.launch({
  browser: 'firefox',
  executablePath: FIREFOX,
  headless: true,
  extraPrefsFirefox: { 'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: UUID }) },
});
try {
  const id = await browser.installExtension(EXT_DIR);
  check('installed', id === GECKO_ID, id);
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));

  // Textarea: suggestions after typing, click inserts at the caret.
  await page.goto(`${PAGES_URL}/form.html`);
  await page.click('#ta');
  await page.keyboard.type('this party is going to be amazing', { delay: 15 });
  await page.waitForFunction(barCount);
  const emojis = await page.evaluate(barEmojis);
  check('textarea: five suggestions', emojis.length === 5, emojis.join(' '));
  const box = await page.evaluate(() => {
    const r = document.querySelector('[data-emoji-suggest]').shadowRoot.querySelectorAll('.panel.bar button.emoji')[1].getBoundingClientRect();
    return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
  });
  if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT });
  await page.mouse.click(box.x, box.y);
  const value = await page.$eval('#ta', (el) => el.value);
  check('textarea: click inserts', value === `this party is going to be amazing ${emojis[1]}`, value);

  // Lexical: Alt+1 inserts into the editor's state.
  await page.goto(`${PAGES_URL}/lexical.html`);
  await page.waitForFunction(() => typeof window.getEditorText === 'function');
  await page.click('#editor');
  await page.keyboard.type('pizza party tonight', { delay: 15 });
  await page.waitForFunction(barCount);
  const first = (await page.evaluate(barEmojis))[0];
  await page.keyboard.down('Alt');
  await page.keyboard.press('1');
  await page.keyboard.up('Alt');
  await page.waitForFunction((e) => window.getEditorText().includes(e), {}, first);
  const text = await page.evaluate(() => window.getEditorText());
  check('lexical: Alt+1 inserts into the editor state', text === `pizza party tonight ${first}`, text);

  // Sensitive field: nothing happens.
  await page.goto(`${PAGES_URL}/form.html`);
  await page.click('#pw');
  await page.keyboard.type('hunter2 secret');
  await new Promise((r) => setTimeout(r, 800));
  check('password: no bar', (await page.evaluate(barCount)) === 0);
  check('no page errors', errors.length === 0, errors.join('; '));
} finally {
  console.log(JSON.stringify(results));
  await browser.close();
}
