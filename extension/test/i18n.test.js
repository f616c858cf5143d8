import './fake-i18n.js';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import test from 'node:test';
import { ERROR_RULES, uiForError } from '../src/lib/error-codes.js';
import { direction, t, uiLanguage } from '../src/lib/i18n.js';
import { buildManifest } from '../src/manifest.js';
import { LOCALES_DIR, fill, readMessages, useLocale } from './fake-i18n.js';

const root = join(LOCALES_DIR, '..', '..');
const EN = readMessages('en');
const LOCALES = readdirSync(LOCALES_DIR).sort();
const uiLanguageIn = (locale) => {
  useLocale(locale);
  const tag = uiLanguage();
  useLocale('en');
  return tag;
};
const placeholdersIn = (text) => [...text.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1].toUpperCase()).sort();

function sources(dir = join(root, 'src')) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '_locales' ? [] : sources(path);
    return /\.(js|html)$/.test(entry.name) ? [path] : [];
  });
}

/** Every message name the code and pages ask for. */
function usedKeys() {
  const used = new Set();
  for (const path of sources()) {
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/\bt\(\s*'([^']+)'/g)) used.add(m[1]);
    for (const m of text.matchAll(/\bt\([^()]*?\?\s*'([^']+)'\s*:\s*'([^']+)'/g)) used.add(m[1]).add(m[2]);
    for (const m of text.matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) used.add(m[1]);
    for (const m of text.matchAll(/getMessage\('([^'@]+)'/g)) used.add(m[1]);
  }
  for (const m of JSON.stringify(buildManifest('chrome', { version: '1' })).matchAll(/__MSG_(\w+)__/g)) used.add(m[1]);
  for (const [code, rule] of Object.entries(ERROR_RULES)) if (rule.display !== 'none') used.add(`error_${code}`);
  return used;
}

test('the locales are the ones shipped, English first among equals', () => {
  assert.ok(LOCALES.includes('en'));
  assert.equal(buildManifest('firefox', { version: '1' }).default_locale, 'en');
  assert.ok(LOCALES.length >= 10, LOCALES.join(' '));
  for (const locale of LOCALES) assert.match(locale, /^[a-z]{2,3}(_[A-Z]{2})?$/, locale);
});

test('every message the code and pages use exists, and every message is used', () => {
  const used = usedKeys();
  assert.deepEqual([...used].filter((key) => !Object.hasOwn(EN, key)), []);
  assert.deepEqual(Object.keys(EN).filter((key) => !used.has(key)), []);
});

test('every locale translates every message, with the same placeholders', () => {
  for (const locale of LOCALES) {
    const messages = readMessages(locale);
    assert.deepEqual(Object.keys(messages), Object.keys(EN), locale);
    for (const [key, entry] of Object.entries(EN)) {
      const theirs = messages[key];
      assert.ok(theirs.message.trim(), `${locale} ${key}`);
      assert.deepEqual(placeholdersIn(theirs.message), placeholdersIn(entry.message), `${locale} ${key}`);
      assert.deepEqual(theirs.placeholders ?? null, entry.placeholders ?? null, `${locale} ${key}`);
      for (const keep of ['http://', 'https://', 'Alt+1', '🏻', '🏼', '🏽', '🏾', '🏿']) {
        if (entry.message.includes(keep)) assert.ok(theirs.message.includes(keep), `${locale} ${key}: ${keep}`);
      }
    }
    assert.ok([...messages.extDescription.message].length <= 132, `${locale}: the stores cut descriptions at 132`);
    assert.equal(messages.languageTag.message, locale.replace('_', '-'));
  }
});

test('a translated message reads as the language, with its placeholders filled', () => {
  for (const locale of LOCALES.filter((l) => l !== 'en')) {
    const messages = readMessages(locale);
    const same = Object.keys(EN).filter((key) => messages[key].message === EN[key].message);
    assert.ok(same.length <= 3, `${locale} leaves ${same.join(', ')} in English`);
    assert.equal(uiLanguageIn(locale), locale.replace('_', '-'));
    const copied = fill(messages.copied, ['🎉']);
    assert.ok(copied.includes('🎉') && !copied.includes('$'), `${locale}: ${copied}`);
  }
});

test('the UI speaks the browser language: error messages, options errors, direction', async () => {
  const { validateOptions } = await import('../src/lib/options.js');
  for (const locale of ['en', 'de', 'ar', 'ja']) {
    useLocale(locale);
    const messages = readMessages(locale);
    assert.equal(uiForError({ code: 'unauthorized' }).message, messages.error_unauthorized.message);
    assert.equal(uiForError({ code: 'empty_text' }).message, '');
    assert.equal(validateOptions({ k: 11 }).errors.k, fill(messages.invalidRange, [1, 10]));
    assert.equal(direction(), locale === 'ar' ? 'rtl' : 'ltr');
  }
  useLocale('en');
  assert.equal(t('no_such_message'), 'no_such_message');
});

test('the pages hold no text of their own but the product name', () => {
  for (const path of sources().filter((p) => p.endsWith('.html'))) {
    const text = readFileSync(path, 'utf8').replace(/<(script|style)[\s\S]*?<\/\1>/g, '');
    const words = [...text.matchAll(/>([^<]+)</g)].map((m) => m[1].trim()).filter(Boolean);
    assert.deepEqual(words.filter((w) => w !== 'Emoji Suggest'), [], relative(root, path));
    const attributes = [...text.matchAll(/\s(?:title|aria-label)="([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(attributes, [], relative(root, path));
  }
});
