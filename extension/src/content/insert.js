// Putting an emoji into the field through the editor's own input path, so its state stays right.

import { insertAfterSelection, insertAtSelection, spacingBefore } from '../lib/insertion.js';
import { caretRange, textBeforeCaretOf } from './caret.js';
import { selectionFor } from './fields.js';

/**
 * Insert at the caret (or, with afterSelection, right after the selected text).
 * textarea/input: setRangeText + an `input` event (React and friends see the change).
 * Rich editors: execCommand('insertText'), which fires the beforeinput/textInput/input events that
 * Draft.js, Lexical and ProseMirror handle; else a synthetic `beforeinput` they can handle;
 * else a plain DOM edit with an `input` event.
 * @returns {Promise<boolean>} whether the text went in
 */
export async function insertIntoField(field, emoji, { afterSelection = false, savedRange = null } = {}) {
  return field.kind === 'editable'
    ? insertIntoEditable(field.el, emoji, { afterSelection, savedRange })
    : insertIntoTextField(field.el, emoji, { afterSelection });
}

function insertIntoTextField(el, emoji, { afterSelection }) {
  if (el.ownerDocument.activeElement !== el) el.focus({ preventScroll: true });
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  const plan = (afterSelection ? insertAfterSelection : insertAtSelection)(el.value, start, end, emoji);
  el.setRangeText(plan.text, plan.start, plan.end, 'end');
  el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: plan.text }));
  return true;
}

async function insertIntoEditable(host, emoji, { afterSelection, savedRange }) {
  const doc = host.ownerDocument;
  if (!host.contains(doc.activeElement) && doc.activeElement !== host) host.focus({ preventScroll: true });
  const selection = selectionFor(host);
  if (savedRange && !caretRange(host)) {
    selection.removeAllRanges();
    selection.addRange(savedRange);
  }
  if (!caretRange(host)) return false;
  if (afterSelection) selection.collapseToEnd();
  const text = spacingBefore(textBeforeCaretOf({ kind: 'editable', el: host }) ?? '') + emoji;
  const before = host.textContent;

  let done = false;
  try {
    done = doc.execCommand('insertText', false, text);
  } catch {
    done = false;
  }
  if (done) {
    if (host.textContent !== before) return true;
    await nextFrame(); // some editors render on the next frame
    if (host.textContent !== before) return true;
  }

  const beforeInput = new InputEvent('beforeinput', { inputType: 'insertText', data: text, bubbles: true, cancelable: true, composed: true });
  const notHandled = host.dispatchEvent(beforeInput);
  if (!notHandled) return true; // the editor took it (Lexical, ProseMirror, Slate...)
  if (host.textContent !== before) return true;

  const range = caretRange(host);
  if (!range) return false;
  range.deleteContents();
  const node = doc.createTextNode(text);
  range.insertNode(node);
  range.setStartAfter(node);
  range.collapse(true);
  selection.removeAllRanges();
  selection.addRange(range);
  host.dispatchEvent(new InputEvent('input', { inputType: 'insertText', data: text, bubbles: true, composed: true }));
  return true;
}

function nextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
