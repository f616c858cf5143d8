// What text is sent: only the text before the caret, at most MAX_CONTEXT_CHARS of it.

export const MAX_CONTEXT_CHARS = 1000;

const INVISIBLE = /[\u200b\u200c\u2060\ufeff]/g; // zero-width chars editors put in the DOM (ZWJ is kept: it joins emojis)

/** Clean text taken from a field or the DOM: no zero-width spaces, plain spaces, \n line ends. */
export function normalizeText(text) {
  return String(text ?? '')
    .replace(INVISIBLE, '')
    .replace(/\u00a0/g, ' ')
    .replace(/\r\n?/g, '\n');
}

/** Take at most `max` UTF-16 units from the end of `text` without splitting a surrogate pair, starting at a word if one starts near the cut. */
export function tailOf(text, max = MAX_CONTEXT_CHARS) {
  if (text.length <= max) return text;
  let start = text.length - max;
  const code = text.charCodeAt(start);
  if (code >= 0xdc00 && code <= 0xdfff) start += 1; // low surrogate: skip the broken half
  let tail = text.slice(start);
  const space = tail.search(/\s/);
  if (space >= 0 && space < 40) tail = tail.slice(space + 1);
  return tail;
}

/** The text a suggestion should be based on: everything before the caret, cleaned and bounded. */
export function textBeforeCaret(value, caret, max = MAX_CONTEXT_CHARS) {
  const text = String(value ?? '');
  const end = Number.isInteger(caret) ? Math.max(0, Math.min(caret, text.length)) : text.length;
  return tailOf(normalizeText(text.slice(0, end)), max).trimStart();
}

/** Worth asking the backend: something with a letter, digit or emoji in it. */
export function isWorthSuggesting(text) {
  return typeof text === 'string' && /[\p{L}\p{N}\p{Extended_Pictographic}]/u.test(text);
}
