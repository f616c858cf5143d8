// Content script: watches typing in text fields of enabled sites, asks the background for
// suggestions after a pause, shows the bar near the caret and inserts the chosen emoji.
// It never reads a field the user has not typed into, nor a sensitive one (see fields.js).

import { api } from '../lib/browser-api.js';
import { createRouter, MessageError, MSG, request } from '../lib/messages.js';
import { DEFAULT_SETTINGS } from '../lib/options.js';
import { loadSettings } from '../lib/storage.js';
import { isWorthSuggesting } from '../lib/text-context.js';
import { caretRange, caretRect, textBeforeCaretOf } from './caret.js';
import { deepActiveElement, resolveField, sameField, selectionFor } from './fields.js';
import { insertIntoField } from './insert.js';
import { SelectionBubble } from './selection-bubble.js';
import { SuggestionBar } from './suggestion-bar.js';

const state = {
  enabled: null, // for this site: null until asked, on the first keystroke (page loads cost nothing)
  siteCheck: null,
  debounceMs: DEFAULT_SETTINGS.debounceMs,
  field: null, // the field last typed into
  generation: 0, // bumped on every keystroke: answers for older generations are stale
  timer: 0,
  retryTimer: 0,
  retries: 0, // automatic retries since the last keystroke
  lastText: null,
  savedRange: null,
  inserting: false,
};

const MAX_AUTO_RETRIES = 8; // then wait for the next keystroke: no endless polling of a dead backend

const bar = new SuggestionBar({ onPick: (i) => pick(i), onAction: (action) => runAction(action) });
const bubble = new SelectionBubble();

// ---- listeners (registered once, at top level) ----
addEventListener('beforeinput', onTyping, true);
addEventListener('input', onTyping, true);
addEventListener('compositionend', onTyping, true);
addEventListener('keydown', onKeyDown, true);
addEventListener('focusout', onFocusOut, true);
addEventListener('pointerdown', onPointerDown, true);
addEventListener('scroll', () => requestAnimationFrame(reposition), { capture: true, passive: true });
addEventListener('resize', () => requestAnimationFrame(reposition), { passive: true });
api.runtime.onMessage.addListener(
  createRouter({
    [MSG.CHECK_FIELD]: async () => ({ allowed: resolveField(deepActiveElement()) !== null }),
    [MSG.EMOJIFY_SELECTION]: (message) => emojifySelection(message),
  }),
);
api.storage.onChanged.addListener((changes, area) => {
  if (area !== 'sync') return;
  if (changes.debounceMs) state.debounceMs = changes.debounceMs.newValue ?? DEFAULT_SETTINGS.debounceMs;
  if (changes.disabledSites && state.enabled !== null) {
    state.siteCheck = null;
    state.enabled = null;
    if (state.field) siteEnabled(); // switched off while in use: hide at once
  }
});

/** Whether suggestions are on for this tab's site (asked from the background once, then on changes). */
function siteEnabled() {
  state.siteCheck ??= (async () => {
    try {
      const [site, settings] = await Promise.all([request(api.runtime, { type: MSG.SITE_STATE }), loadSettings(api)]);
      state.enabled = site.enabled;
      state.debounceMs = settings.debounceMs;
    } catch {
      state.enabled = false; // extension reloaded or unavailable: stay silent
    }
    if (!state.enabled) reset();
    return state.enabled;
  })();
  return state.siteCheck;
}

// ---- typing ----
function onTyping(event) {
  if (state.enabled === false || !event.isTrusted || state.inserting || event.isComposing) return;
  // Typing, pasting, deleting, IME: yes. Autofill and other input without an inputType: no.
  if (event.type !== 'compositionend' && !/^(insert|delete|history)/.test(event.inputType ?? '')) return;
  const field = resolveField(event.composedPath()[0] ?? event.target);
  if (!field) {
    if (state.field) reset();
    return;
  }
  if (!sameField(field, state.field)) reset();
  state.field = field;
  state.generation += 1;
  state.retries = 0;
  clearTimeout(state.timer);
  clearTimeout(state.retryTimer);
  const generation = state.generation;
  const schedule = () => {
    if (state.enabled && generation === state.generation) {
      clearTimeout(state.timer);
      state.timer = setTimeout(() => suggestNow(field, generation), state.debounceMs);
    }
  };
  if (state.enabled) schedule();
  else siteEnabled().then(schedule);
}

async function suggestNow(field, generation) {
  if (!state.enabled || !sameField(field, state.field) || generation !== state.generation) return;
  if (!field.el.isConnected || !isFocused(field)) return;
  const text = textBeforeCaretOf(field);
  if (text === null || !isWorthSuggesting(text)) {
    state.lastText = text;
    bar.hide();
    return;
  }
  if (text === state.lastText && bar.visible) return;
  state.lastText = text;
  let answer = null;
  let problem = null;
  try {
    answer = await request(api.runtime, { type: MSG.SUGGEST, text });
  } catch (err) {
    problem = err;
  }
  if (generation !== state.generation || !sameField(field, state.field) || !isFocused(field)) return; // stale
  rememberCaret(field);
  if (answer) {
    if (answer.suggestions.length) bar.showSuggestions(answer.suggestions, field, caretRect(field));
    else bar.hide();
    return;
  }
  state.lastText = null;
  if (!(problem instanceof MessageError)) {
    // The extension was updated or reloaded under this page: its old content script stays silent.
    state.enabled = false;
    reset();
    return;
  }
  const display = problem.details?.display ?? 'indicator';
  if (display === 'none' || problem.code === 'no_answer') {
    bar.hide();
    return;
  }
  bar.showStatus({ display, message: problem.message, action: problem.details?.action ?? null }, field, caretRect(field));
  const wait = problem.details?.retryAfterMs;
  if (Number.isFinite(wait) && wait >= 0 && state.retries < MAX_AUTO_RETRIES) {
    state.retries += 1;
    // Recover by itself: ask again once the back-off is over, if the user is still here.
    state.retryTimer = setTimeout(() => suggestNow(field, generation), wait + 50);
  }
}

function isFocused(field) {
  const active = deepActiveElement();
  return active === field.el || field.el.contains(active);
}

function rememberCaret(field) {
  const range = field.kind === 'editable' ? caretRange(field.el) : null;
  state.savedRange = range ? range.cloneRange() : null;
}

// ---- choosing ----
const CARET_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

function onKeyDown(event) {
  if (!bar.visible || !event.isTrusted || !state.field || !isFocused(state.field)) return;
  if (CARET_KEYS.has(event.key)) {
    reset(); // the caret moves away from the text the suggestions were for; the key is the page's
    return;
  }
  if (event.key === 'Escape' && !event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    event.stopPropagation();
    reset();
    return;
  }
  // Alt+1..Alt+5 (by physical key: Alt+digit types other characters on some layouts; AltGr sets ctrlKey too).
  const m = /^(?:Digit|Numpad)([1-9])$/.exec(event.code ?? '');
  if (m && event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    const index = Number(m[1]) - 1;
    if (index < bar.suggestions.length) {
      event.preventDefault();
      event.stopPropagation();
      pick(index);
    }
  }
}

async function pick(index) {
  const field = state.field;
  const choice = bar.suggestions[index];
  if (!field || !choice) return;
  bar.hide();
  state.inserting = true;
  let inserted = false;
  try {
    inserted = await insertIntoField(field, choice.emoji, { savedRange: state.savedRange });
  } finally {
    state.inserting = false;
  }
  state.generation += 1; // whatever was pending is about text that changed
  clearTimeout(state.timer);
  state.lastText = null;
  if (inserted) request(api.runtime, { type: MSG.RECORD_USE, emoji: choice.emoji }).catch(() => {});
}

function runAction(action) {
  if (action === 'open-options') request(api.runtime, { type: MSG.OPEN_OPTIONS }).catch(() => {});
  reset();
}

function onFocusOut() {
  if (!state.field || !bar.visible) return;
  // Give the focus a moment to land; hide when it left the field.
  setTimeout(() => {
    if (state.field && !isFocused(state.field)) reset();
  }, 100);
}

function onPointerDown(event) {
  // A click anywhere but on the bar (in the field it moves the caret) makes the suggestions stale.
  if (bar.visible && !event.composedPath().includes(bar.panel)) reset();
}

function reposition() {
  if (!bar.visible || !state.field) return;
  if (state.field.el.isConnected) bar.reposition(caretRect(state.field));
  else reset(); // the field went away (e.g. the post was sent)
}

function reset() {
  clearTimeout(state.timer);
  clearTimeout(state.retryTimer);
  state.generation += 1;
  state.lastText = null;
  state.savedRange = null;
  bar.hide();
}

// ---- "Emojify selection" (context menu) ----
async function emojifySelection({ editable, suggestions, error }) {
  const active = deepActiveElement();
  const field = editable ? resolveField(active) : null;
  if (field && suggestions.length) {
    state.inserting = true;
    try {
      await insertIntoField(field, suggestions[0].emoji, { afterSelection: true });
    } finally {
      state.inserting = false;
    }
    request(api.runtime, { type: MSG.RECORD_USE, emoji: suggestions[0].emoji }).catch(() => {});
    return { inserted: suggestions[0].emoji };
  }
  const anchorInfo = selectionAnchor(field?.el ?? active);
  bubble.show({ suggestions, error }, anchorInfo.rect, anchorInfo.near);
  return { shown: suggestions.length };
}

function selectionAnchor(fallback) {
  const selection = selectionFor(fallback ?? document.body);
  if (selection && selection.rangeCount > 0) {
    const range = selection.getRangeAt(0);
    const rect = range.getBoundingClientRect();
    if (rect.width || rect.height) {
      const near = range.commonAncestorContainer.nodeType === Node.ELEMENT_NODE
        ? range.commonAncestorContainer
        : range.commonAncestorContainer.parentElement;
      return { rect, near: near ?? document.body };
    }
  }
  const el = fallback?.getBoundingClientRect ? fallback : document.body;
  return { rect: el.getBoundingClientRect(), near: el };
}
