// One suggestion request: back-off check, backend call, ranking with recents, skin tone.

import { createBackendClient } from '../lib/backend-client.js';
import { backoffRemaining, nextBackoff } from '../lib/backoff.js';
import { uiForError } from '../lib/error-codes.js';
import { uiLanguage } from '../lib/i18n.js';
import { MessageError } from '../lib/messages.js';
import { rankWithRecents } from '../lib/ranking.js';
import { applySkinTone } from '../lib/skin-tones.js';
import { loadBackoff, loadLocal, loadSettings, saveBackoff } from '../lib/storage.js';
import { isWorthSuggesting, textBeforeCaret } from '../lib/text-context.js';
import { clearProblem, showProblem } from './indicator.js';

/**
 * @param {{api: object, fetchImpl: typeof fetch, now: () => number}} deps
 * @param {{text: string, k?: number}} request
 * @returns {Promise<{suggestions: {emoji: string, name: string, score: number}[]}>}
 * @throws {MessageError} with {display, action, retryAfterMs} details for the UI
 */
export async function suggest(deps, { text, k }) {
  const { api, now } = deps;
  const clean = textBeforeCaret(typeof text === 'string' ? text : '', undefined);
  if (!isWorthSuggesting(clean)) return { suggestions: [] };
  const [settings, local, backoff] = await Promise.all([loadSettings(api), loadLocal(api), loadBackoff(api)]);
  const wait = backoffRemaining(backoff, now());
  if (wait > 0) throw uiError({ code: backoff.code }, wait);

  const client = createBackendClient({ baseUrl: settings.backendUrl, apiKey: local.apiKey, fetchImpl: deps.fetchImpl, now });
  const want = Number.isInteger(k) && k >= 1 && k <= 10 ? k : settings.k;
  let suggestions;
  try {
    suggestions = await client.suggest(clean, want, uiLanguage()); // emoji names in the browser's language
  } catch (err) {
    throw await recordFailure(deps, backoff, err);
  }
  if (backoff) await saveBackoff(api, null);
  await clearProblem(api);
  const ranked = rankWithRecents(suggestions, local.recents).slice(0, want);
  return { suggestions: ranked.map((s) => ({ ...s, emoji: applySkinTone(s.emoji, settings.skinTone) })) };
}

/** Health of the configured (or given) backend. Never throws for backend problems: the answer says what is wrong. */
export async function health(deps, { backendUrl, apiKey } = {}) {
  const { api, now } = deps;
  const [settings, local] = await Promise.all([loadSettings(api), loadLocal(api)]);
  const baseUrl = backendUrl ?? settings.backendUrl;
  const client = createBackendClient({ baseUrl, apiKey: apiKey ?? local.apiKey, fetchImpl: deps.fetchImpl, now, timeoutMs: 5000 });
  try {
    const result = await client.health();
    if (backendUrl === undefined) {
      await saveBackoff(api, null);
      await clearProblem(api);
    }
    return { ok: true, backendUrl: baseUrl, ...result };
  } catch (err) {
    const ui = uiForError(err);
    return { ok: false, backendUrl: baseUrl, error: { ...ui, status: err.status ?? 0, detail: err.message } };
  }
}

async function recordFailure(deps, previous, err) {
  const ui = uiForError(err);
  const state = nextBackoff(previous, { code: ui.code, retryAfterMs: err.retryAfterMs }, deps.now());
  if (state) await saveBackoff(deps.api, state);
  if (ui.display !== 'none' && ui.display !== 'hint') await showProblem(deps.api, ui);
  return uiError(ui, state ? state.until - deps.now() : null);
}

function uiError(error, retryAfterMs) {
  const ui = uiForError(error);
  return new MessageError(ui.code, ui.message, { display: ui.display, action: ui.action, retryAfterMs });
}
