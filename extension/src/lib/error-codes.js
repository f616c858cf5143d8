// Every error the backend API can answer with, and what the UI does about it.
// One table, so that each code is handled in exactly one place (see test/error-codes.test.js); what the user
// reads for a code is the message `error_<code>` of _locales/<locale>/messages.json.

import { t } from './i18n.js';

/** Codes documented by the backend's HTTP API. */
export const API_ERROR_CODES = Object.freeze([
  'bad_request',
  'http_error',
  'invalid_json',
  'invalid_content_type',
  'invalid_encoding',
  'missing_field',
  'invalid_type',
  'empty_text',
  'text_too_long',
  'k_out_of_range',
  'batch_too_large',
  'body_too_large',
  'not_found',
  'method_not_allowed',
  'unauthorized',
  'rate_limited',
  'timeout',
  'overloaded',
  'internal_error',
]);

/** Codes the extension makes up itself when no usable answer came back. */
export const CLIENT_ERROR_CODES = Object.freeze([
  'network_error', // backend unreachable (down, wrong URL, refused)
  'network_timeout', // no answer within the client's time limit
  'bad_response', // 2xx but not the JSON the contract promises
  'unknown_error', // an error code or status this table does not know
]);

/**
 * How the UI reacts:
 *  - display 'none': show nothing (hide the bar quietly).
 *  - display 'indicator': a quiet, small status in the bar / toolbar badge.
 *  - display 'hint': a short hint in the bar the user can act on.
 *  - display 'prompt': ask the user to do something (action names what).
 *  - backoff: 'retry-after' (honour the Retry-After header, else exponential),
 *    'exponential', or null (no back-off: the next keystroke may retry).
 * Every code shown (display other than 'none') has a message `error_<code>`.
 */
const RULES = {
  // Requests the extension built wrongly: a bug or an incompatible backend.
  bad_request: { display: 'indicator', backoff: null },
  http_error: { display: 'indicator', backoff: 'exponential' },
  invalid_json: { display: 'indicator', backoff: null },
  invalid_content_type: { display: 'indicator', backoff: null },
  invalid_encoding: { display: 'indicator', backoff: null },
  missing_field: { display: 'indicator', backoff: null },
  invalid_type: { display: 'indicator', backoff: null },
  k_out_of_range: { display: 'hint', backoff: null, action: 'open-options' },
  batch_too_large: { display: 'indicator', backoff: null },
  body_too_large: { display: 'hint', backoff: null },
  // Nothing to suggest for: not worth a message.
  empty_text: { display: 'none', backoff: null },
  text_too_long: { display: 'hint', backoff: null },
  // Wrong URL: the configured backend is not this API.
  not_found: { display: 'prompt', backoff: 'exponential', action: 'open-options' },
  method_not_allowed: { display: 'prompt', backoff: 'exponential', action: 'open-options' },
  unauthorized: { display: 'prompt', backoff: 'exponential', action: 'open-options' },
  rate_limited: { display: 'indicator', backoff: 'retry-after' },
  timeout: { display: 'indicator', backoff: 'retry-after' },
  overloaded: { display: 'indicator', backoff: 'retry-after' },
  internal_error: { display: 'indicator', backoff: 'exponential' },
  network_error: { display: 'indicator', backoff: 'exponential' },
  network_timeout: { display: 'indicator', backoff: 'exponential' },
  bad_response: { display: 'indicator', backoff: 'exponential' },
  unknown_error: { display: 'indicator', backoff: 'exponential' },
};

export const ERROR_RULES = Object.freeze(
  Object.fromEntries(Object.entries(RULES).map(([code, rule]) => [code, Object.freeze({ action: null, ...rule })])),
);

/** Map an HTTP status to a code when the body did not carry a known one. */
export function codeForStatus(status) {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 413) return 'body_too_large';
  if (status === 415) return 'invalid_content_type';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'overloaded';
  if (status === 504) return 'timeout';
  if (status >= 500) return 'internal_error';
  return 'unknown_error';
}

/** The code to act on: the backend's own if known, else one derived from the status. */
export function normalizeErrorCode(code, status) {
  if (typeof code === 'string' && Object.hasOwn(ERROR_RULES, code)) return code;
  if (Number.isInteger(status) && status > 0) return codeForStatus(status);
  return 'unknown_error';
}

/**
 * What the UI should show for an error.
 * @param {{code?: string, status?: number, retryAfterMs?: number|null, message?: string}} error
 * @returns {{code: string, display: string, message: string, action: string|null, backoff: string|null}}
 */
export function uiForError(error = {}) {
  const code = normalizeErrorCode(error.code, error.status);
  const rule = ERROR_RULES[code];
  const message = rule.display === 'none' ? '' : t(`error_${code}`);
  return { code, display: rule.display, message, action: rule.action, backoff: rule.backoff };
}
