// Back-off after failures: honour Retry-After where the backend sends it,
// otherwise grow exponentially. Pure functions; the state lives in storage.session.

import { ERROR_RULES } from './error-codes.js';

export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 10_000;
export const RETRY_AFTER_MAX_MS = 10 * 60_000;

/** Parse a Retry-After header (delta seconds or an HTTP date) into milliseconds, or null. */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null) return null;
  const text = String(value).trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.min(Math.round(Number(text) * 1000), RETRY_AFTER_MAX_MS);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), RETRY_AFTER_MAX_MS);
}

/**
 * The next back-off state after an error, or null if this error needs none.
 * @param {{failures?: number}|null} previous
 * @param {{code: string, retryAfterMs?: number|null}} error
 */
export function nextBackoff(previous, error, now = Date.now()) {
  const rule = ERROR_RULES[error.code];
  if (!rule || !rule.backoff) return null;
  const failures = (previous?.failures ?? 0) + 1;
  let delay = Math.min(BACKOFF_BASE_MS * 2 ** (failures - 1), BACKOFF_MAX_MS);
  if (rule.backoff === 'retry-after' && Number.isFinite(error.retryAfterMs) && error.retryAfterMs >= 0) {
    delay = Math.min(error.retryAfterMs, RETRY_AFTER_MAX_MS);
  }
  return { code: error.code, failures, until: now + delay };
}

/** Milliseconds left to wait, 0 when free to try. */
export function backoffRemaining(state, now = Date.now()) {
  if (!state || !Number.isFinite(state.until)) return 0;
  return Math.max(0, state.until - now);
}
