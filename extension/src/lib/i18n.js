// The extension's words in the browser's language: _locales/<locale>/messages.json through the i18n API
// (English where a locale lacks a message: the manifest's default_locale).

/** The browser's i18n API, looked up when needed (every extension context has one; Node tests install one). */
function i18n() {
  return globalThis.chrome?.i18n ?? globalThis.browser?.i18n;
}

/** The message `key` with its placeholders filled from `subs`; the key itself if no message has that name. */
export function t(key, ...subs) {
  return i18n()?.getMessage(key, subs.map(String)) || key;
}

/**
 * The language the extension's messages are shown in, as a BCP 47 tag ('de', 'pt-BR'), or '' where there is no
 * i18n API: each messages.json names its own (getUILanguage() and @@ui_locale can name another language than the
 * one getMessage picked, e.g. under a language override).
 */
export function uiLanguage() {
  return i18n()?.getMessage('languageTag') ?? '';
}

/** Text direction of the browser's language: 'ltr' or 'rtl'. */
export function direction() {
  return i18n()?.getMessage('@@bidi_dir') === 'rtl' ? 'rtl' : 'ltr';
}

/** Put the language and direction on an element of the extension's own UI. */
export function setLanguage(element) {
  const language = uiLanguage();
  if (language) element.lang = language;
  element.dir = direction();
}

const ATTRIBUTES = { 'data-i18n-placeholder': 'placeholder', 'data-i18n-title': 'title', 'data-i18n-aria-label': 'aria-label' };

/**
 * Fill an extension page from its data-i18n attributes, each naming a message: `data-i18n` for the element's
 * text, `data-i18n-placeholder`, `-title` and `-aria-label` for those attributes. Also sets `<html lang dir>`.
 */
export function localizePage(doc = document) {
  setLanguage(doc.documentElement);
  for (const element of doc.querySelectorAll('[data-i18n]')) element.textContent = t(element.dataset.i18n);
  for (const [data, attribute] of Object.entries(ATTRIBUTES)) {
    for (const element of doc.querySelectorAll(`[${data}]`)) element.setAttribute(attribute, t(element.getAttribute(data)));
  }
}
