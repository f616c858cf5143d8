// The backend HTTP API client (used only from the background context).

import { normalizeErrorCode } from './error-codes.js';
import { parseRetryAfter } from './backoff.js';

export const REQUEST_TIMEOUT_MS = 8000;

export class BackendError extends Error {
  constructor({ code, status = 0, message = '', retryAfterMs = null }) {
    super(message || code);
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * @param {{baseUrl: string, apiKey?: string, fetchImpl?: typeof fetch, timeoutMs?: number, now?: () => number}} config
 */
export function createBackendClient({ baseUrl, apiKey = '', fetchImpl = globalThis.fetch, timeoutMs = REQUEST_TIMEOUT_MS, now = Date.now }) {
  const root = String(baseUrl).replace(/\/+$/, '');

  async function call(path, { method = 'GET', body } = {}) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (apiKey) headers.Authorization = `Bearer ${apiKey}`;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response;
    try {
      response = await fetchImpl(root + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (err) {
      const timedOut = controller.signal.aborted;
      throw new BackendError({
        code: timedOut ? 'network_timeout' : 'network_error',
        message: timedOut ? `No answer within ${timeoutMs} ms` : String(err?.message ?? err),
      });
    } finally {
      clearTimeout(timer);
    }
    let payload = null;
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
    if (!response.ok) {
      const error = payload?.error ?? {};
      throw new BackendError({
        code: normalizeErrorCode(error.code, response.status),
        status: response.status,
        message: typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
        retryAfterMs: parseRetryAfter(response.headers?.get?.('Retry-After'), now()),
      });
    }
    if (payload === null || typeof payload !== 'object') {
      throw new BackendError({ code: 'bad_response', status: response.status, message: 'Answer is not JSON' });
    }
    return payload;
  }

  return {
    /** `lang`: the language to name the emojis in (a BCP 47 tag; the backend falls back to English). */
    async suggest(text, k, lang) {
      const payload = await call('/v1/suggest', { method: 'POST', body: { text, k, ...(lang && { lang }) } });
      return parseSuggestions(payload.suggestions);
    },
    async health() {
      const payload = await call('/v1/health');
      if (payload.status !== 'ok') throw new BackendError({ code: 'bad_response', message: 'Health is not ok' });
      return { status: payload.status, model: payload.model ?? null };
    },
    async labels() {
      const payload = await call('/v1/labels');
      if (!Array.isArray(payload.emojis)) throw new BackendError({ code: 'bad_response', message: 'No emojis list' });
      return payload.emojis;
    },
  };
}

/** Keep only well-formed suggestions (distinct emojis, score in [0, 1]), best first. */
export function parseSuggestions(list) {
  if (!Array.isArray(list)) throw new BackendError({ code: 'bad_response', message: 'No suggestions list' });
  const seen = new Set();
  const out = [];
  for (const item of list) {
    if (!item || typeof item.emoji !== 'string' || item.emoji === '' || seen.has(item.emoji)) continue;
    seen.add(item.emoji);
    const score = Number(item.score);
    out.push({
      emoji: item.emoji,
      name: typeof item.name === 'string' ? item.name : '',
      score: Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0,
    });
  }
  return out.sort((a, b) => b.score - a.score);
}
