// The i18n API of a browser whose language is `locale`, read from src/_locales like Chrome reads it: the locale's
// message, else the default locale's (en); named placeholders ($NAME$) filled from their content ($1 ... $9).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LOCALES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', '_locales');
const RTL = new Set(['ar', 'fa', 'he', 'ur']);

export function readMessages(locale) {
  return JSON.parse(readFileSync(join(LOCALES_DIR, locale, 'messages.json'), 'utf8'));
}

/** Chrome's substitution: $NAME$ -> its placeholder's content, then $1..$9 -> the substitutions, $$ -> $. */
export function fill(entry, subs = []) {
  const placeholders = Object.fromEntries(
    Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]),
  );
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (all, name) => placeholders[name.toLowerCase()] ?? all);
  return named.replace(/\$(\$|[1-9])/g, (all, what) => (what === '$' ? '$' : String(subs[Number(what) - 1] ?? '')));
}

export function fakeI18n(locale = 'en') {
  const own = readMessages(locale);
  const fallback = readMessages('en');
  return {
    getUILanguage: () => locale.replace('_', '-'),
    getMessage(key, subs) {
      if (key === '@@bidi_dir') return RTL.has(locale.split('_')[0]) ? 'rtl' : 'ltr';
      const entry = own[key] ?? fallback[key];
      return entry ? fill(entry, [].concat(subs ?? [])) : '';
    },
  };
}

/** Give this process a browser in `locale` (the i18n API only: the rest stays absent, as before). */
export function useLocale(locale = 'en') {
  globalThis.chrome = { ...globalThis.chrome, i18n: fakeI18n(locale) };
}

useLocale('en');
