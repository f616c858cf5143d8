// The text before the caret and where the caret is on screen, for textareas, inputs and rich editors.

import { textBeforeCaret } from '../lib/text-context.js';
import { selectionFor } from './fields.js';
import { uiRoot } from './ui-root.js';

const BLOCKS = new Set(['ADDRESS', 'ARTICLE', 'ASIDE', 'BLOCKQUOTE', 'DD', 'DIV', 'DL', 'DT', 'FIGCAPTION', 'FIGURE',
  'FOOTER', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HEADER', 'HR', 'LI', 'MAIN', 'NAV', 'OL', 'P', 'PRE', 'SECTION', 'TABLE', 'TR', 'UL']);

/** The collapsed-or-not range of the selection if it lies in `host`, else null. */
export function caretRange(host) {
  const selection = selectionFor(host);
  if (!selection || selection.rangeCount === 0) return null;
  const range = selection.getRangeAt(0);
  return host.contains(range.startContainer) ? range : null;
}

/** Text of a DOM subtree with line breaks where blocks and <br>s are (Range.toString() drops them). */
export function domText(root) {
  let out = '';
  const walk = (node) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) out += child.data;
      else if (child.nodeType === Node.ELEMENT_NODE) {
        if (child.tagName === 'BR') {
          out += '\n';
          continue;
        }
        if (child.getAttribute?.('contenteditable') === 'false' && child.getAttribute('aria-hidden') === 'true') continue;
        const block = BLOCKS.has(child.tagName);
        if (block && out && !out.endsWith('\n')) out += '\n';
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

/** The text before the caret in a field, or null when the caret is not in it. */
export function textBeforeCaretOf(field) {
  if (field.kind !== 'editable') {
    const { value, selectionStart } = field.el;
    return textBeforeCaret(value, selectionStart ?? value.length);
  }
  const range = caretRange(field.el);
  if (!range) return null;
  const before = document.createRange();
  before.selectNodeContents(field.el);
  before.setEnd(range.startContainer, range.startOffset);
  return textBeforeCaret(domText(before.cloneContents()));
}

/** Viewport rectangle {left, top, bottom} of the caret. */
export function caretRect(field) {
  const fieldRect = field.el.getBoundingClientRect();
  const rect = field.kind === 'editable' ? editableCaretRect(field.el) : textFieldCaretRect(field.el);
  if (!rect) return { left: fieldRect.left, top: fieldRect.top, bottom: fieldRect.bottom };
  // A caret scrolled out of its field: pin to the field's edge.
  const top = Math.min(Math.max(rect.top, fieldRect.top), fieldRect.bottom);
  const bottom = Math.min(Math.max(rect.bottom, fieldRect.top), fieldRect.bottom);
  return { left: Math.min(Math.max(rect.left, fieldRect.left), fieldRect.right), top, bottom: Math.max(bottom, top) };
}

function editableCaretRect(host) {
  const range = caretRange(host);
  if (!range) return null;
  const caret = range.cloneRange();
  caret.collapse(false);
  const rect = [...caret.getClientRects()].pop();
  if (rect && (rect.height > 0 || rect.left > 0)) return { left: rect.left, top: rect.top, bottom: rect.bottom };
  // An empty line has no text box to measure: use the element the caret sits in.
  const container = caret.startContainer;
  const node = container.nodeType === Node.ELEMENT_NODE ? container.childNodes[caret.startOffset] ?? container : container.parentElement;
  const el = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement ?? host;
  const box = el.getBoundingClientRect();
  const line = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.3 || 18;
  return { left: box.left, top: box.top, bottom: box.top + Math.min(line, box.height || line) };
}

const MIRRORED = ['boxSizing', 'width', 'height', 'overflowX', 'overflowY', 'borderTopWidth', 'borderRightWidth',
  'borderBottomWidth', 'borderLeftWidth', 'borderStyle', 'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft',
  'fontStyle', 'fontVariant', 'fontWeight', 'fontStretch', 'fontSize', 'lineHeight', 'fontFamily', 'textAlign',
  'textTransform', 'textIndent', 'letterSpacing', 'wordSpacing', 'tabSize', 'direction'];

/** Caret position in a textarea/input, measured on an invisible copy of it (the usual "mirror div"). */
function textFieldCaretRect(el) {
  const style = getComputedStyle(el);
  const mirror = document.createElement('div');
  for (const prop of MIRRORED) mirror.style[prop] = style[prop];
  Object.assign(mirror.style, {
    position: 'fixed', top: '0', left: '-10000px', visibility: 'hidden', overflow: 'hidden',
    whiteSpace: el instanceof HTMLInputElement ? 'pre' : 'pre-wrap', overflowWrap: 'break-word',
  });
  const caret = el.selectionEnd ?? el.value.length;
  mirror.textContent = el.value.slice(0, caret);
  const marker = document.createElement('span');
  marker.textContent = '\u200b';
  mirror.appendChild(marker);
  uiRoot().appendChild(mirror); // measured inside the extension's own shadow root: the page's DOM is not touched
  try {
    const box = el.getBoundingClientRect();
    const left = box.left + parseFloat(style.borderLeftWidth) + marker.offsetLeft - el.scrollLeft;
    const top = box.top + parseFloat(style.borderTopWidth) + marker.offsetTop - el.scrollTop;
    return { left, top, bottom: top + (marker.offsetHeight || parseFloat(style.fontSize) * 1.3) };
  } finally {
    mirror.remove();
  }
}
