import './fake-i18n.js';
import assert from 'node:assert/strict';
import test from 'node:test';
import { API_ERROR_CODES, CLIENT_ERROR_CODES, ERROR_RULES, codeForStatus, normalizeErrorCode, uiForError } from '../src/lib/error-codes.js';

// The list from the backend's API contract, written out again on purpose.
const CONTRACT = ['bad_request', 'http_error', 'invalid_json', 'invalid_content_type', 'invalid_encoding', 'missing_field', 'invalid_type', 'empty_text',
  'text_too_long', 'k_out_of_range', 'batch_too_large', 'body_too_large', 'not_found', 'method_not_allowed',
  'unauthorized', 'rate_limited', 'timeout', 'overloaded', 'internal_error'];

test('every error code of the API contract has a UI rule', () => {
  assert.deepEqual([...API_ERROR_CODES].sort(), [...CONTRACT].sort());
  for (const code of [...CONTRACT, ...CLIENT_ERROR_CODES]) {
    assert.ok(Object.hasOwn(ERROR_RULES, code), `no rule for ${code}`);
    assert.equal(uiForError({ code }).code, code);
  }
});

test('no rule exists for a code nobody can send', () => {
  assert.deepEqual(Object.keys(ERROR_RULES).sort(), [...API_ERROR_CODES, ...CLIENT_ERROR_CODES].sort());
});

test('every rule is well formed', () => {
  for (const [code, rule] of Object.entries(ERROR_RULES)) {
    assert.ok(['none', 'indicator', 'hint', 'prompt'].includes(rule.display), code);
    assert.ok([null, 'exponential', 'retry-after'].includes(rule.backoff), code);
    assert.ok([null, 'open-options'].includes(rule.action), code);
    const { message } = uiForError({ code });
    if (rule.display !== 'none') assert.ok(message.length > 10 && !message.startsWith('error_'), `${code} needs a message`);
    if (rule.display === 'prompt') assert.equal(rule.action, 'open-options', code);
  }
});

test('the handling the issue asks for', () => {
  assert.equal(uiForError({ code: 'unauthorized' }).display, 'prompt');
  assert.match(uiForError({ code: 'unauthorized' }).message, /API key/);
  assert.equal(uiForError({ code: 'unauthorized' }).action, 'open-options');
  assert.equal(uiForError({ code: 'rate_limited' }).backoff, 'retry-after');
  assert.equal(uiForError({ code: 'overloaded' }).backoff, 'retry-after');
  assert.equal(uiForError({ code: 'timeout' }).backoff, 'retry-after');
  assert.match(uiForError({ code: 'text_too_long' }).message, /too long/i);
  assert.equal(uiForError({ code: 'text_too_long' }).display, 'hint');
  assert.equal(uiForError({ code: 'empty_text' }).display, 'none');
  assert.equal(uiForError({ code: 'network_error' }).display, 'indicator');
  assert.equal(uiForError({ code: 'internal_error' }).backoff, 'exponential');
});

test('unknown codes fall back on the HTTP status', () => {
  assert.equal(normalizeErrorCode('brand_new_code', 429), 'rate_limited');
  assert.equal(normalizeErrorCode(undefined, 401), 'unauthorized');
  assert.equal(normalizeErrorCode('bad_request', 400), 'bad_request');
  assert.equal(normalizeErrorCode('made_up_code', 400), 'unknown_error');
  assert.equal(normalizeErrorCode(null, 502), 'internal_error');
  assert.equal(normalizeErrorCode(null, 503), 'overloaded');
  assert.equal(normalizeErrorCode(null, 0), 'unknown_error');
  assert.equal(codeForStatus(404), 'not_found');
  assert.equal(codeForStatus(405), 'method_not_allowed');
  assert.equal(codeForStatus(413), 'body_too_large');
  assert.equal(uiForError({}).code, 'unknown_error');
});
