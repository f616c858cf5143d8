// Finding the field the user types into, and deciding whether it may be read at all.

import { isSuggestibleField } from '../lib/sensitive-fields.js';

/** Plain description of an element for the (Node-tested) sensitive-field rules. */
export function describeField(el) {
  return {
    tagName: el.tagName,
    type: el instanceof HTMLInputElement ? el.type : '',
    autocomplete: el.getAttribute('autocomplete') ?? '',
    inputMode: el.getAttribute('inputmode') ?? '',
    name: el.getAttribute('name') ?? '',
    id: el.id ?? '',
    readOnly: Boolean(el.readOnly) || el.getAttribute('aria-readonly') === 'true',
    disabled: Boolean(el.disabled),
    isContentEditable: Boolean(el.isContentEditable),
  };
}

/**
 * The field a node belongs to, as {kind: 'textarea'|'input'|'editable', el}, or null when it is
 * no text field or a sensitive one (password, e-mail, number, card data, one-time code, ...).
 * For rich editors `el` is the editing host (the outermost contenteditable element).
 */
export function resolveField(node) {
  const el = node?.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  if (!el || el.nodeType !== Node.ELEMENT_NODE) return null;
  let field = null;
  if (el instanceof HTMLTextAreaElement) field = { kind: 'textarea', el };
  else if (el instanceof HTMLInputElement) field = { kind: 'input', el };
  else if (el.isContentEditable) {
    let host = el;
    while (host.parentElement?.isContentEditable) host = host.parentElement;
    field = { kind: 'editable', el: host };
  }
  return field && isSuggestibleField(describeField(field.el)) ? field : null;
}

/** The focused element, looking inside open shadow roots. */
export function deepActiveElement(doc = document) {
  let active = doc.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/** The selection that applies to a node (its shadow root's where the browser has one). */
export function selectionFor(node) {
  const root = node?.getRootNode?.();
  if (root && root !== document && typeof root.getSelection === 'function') return root.getSelection();
  return document.getSelection();
}

export function sameField(a, b) {
  return Boolean(a && b && a.el === b.el);
}
