// Where and how an emoji goes into a text value (textarea / input); the DOM side lives in content/.

/** Separator to put before an emoji so that it does not stick to the previous word ("funny" -> "funny 😂"). */
export function spacingBefore(textBefore) {
  if (!textBefore) return '';
  const last = [...textBefore].pop();
  return /[\p{L}\p{N}\p{Pe}\p{Pf}\p{Po}]/u.test(last) ? ' ' : '';
}

/**
 * Insert `emoji` in place of value[start, end) (the selection, often empty: the caret).
 * @returns {{value: string, text: string, start: number, end: number, caret: number}}
 *   text is what was really inserted (with spacing), [start, end) what it replaced.
 */
export function insertAtSelection(value, start, end, emoji) {
  const v = String(value ?? '');
  const [s, e] = clampRange(v, start, end);
  const text = spacingBefore(v.slice(0, s)) + emoji;
  return { value: v.slice(0, s) + text + v.slice(e), text, start: s, end: e, caret: s + text.length };
}

/** Insert `emoji` right after the selection, keeping the selected text ("Emojify selection" in a field). */
export function insertAfterSelection(value, start, end, emoji) {
  const v = String(value ?? '');
  const [, e] = clampRange(v, start, end);
  return insertAtSelection(v, e, e, emoji);
}

function clampRange(value, start, end) {
  const len = value.length;
  let s = Number.isInteger(start) ? Math.max(0, Math.min(start, len)) : len;
  let e = Number.isInteger(end) ? Math.max(0, Math.min(end, len)) : s;
  if (e < s) [s, e] = [e, s];
  return [s, e];
}
