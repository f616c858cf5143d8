import assert from 'node:assert/strict';
import test from 'node:test';
import { BACKOFF_MAX_MS, RETRY_AFTER_MAX_MS, backoffRemaining, nextBackoff, parseRetryAfter } from '../src/lib/backoff.js';

test('Retry-After in seconds or as a date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(' 0 '), 0);
  assert.equal(parseRetryAfter('1.5'), 1500);
  assert.equal(parseRetryAfter(null), null);
  assert.equal(parseRetryAfter(''), null);
  assert.equal(parseRetryAfter('soon'), null);
  const now = Date.parse('2025-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now), 10_000);
  assert.equal(parseRetryAfter('Tue, 31 Dec 2024 00:00:10 GMT', now), 0);
  assert.equal(parseRetryAfter('99999'), RETRY_AFTER_MAX_MS);
});

test('429 and 503 wait exactly as long as Retry-After says', () => {
  for (const code of ['rate_limited', 'overloaded', 'timeout']) {
    const state = nextBackoff(null, { code, retryAfterMs: 7000 }, 1000);
    assert.deepEqual(state, { code, failures: 1, until: 8000 });
  }
});

test('network errors back off exponentially up to a cap', () => {
  let state = null;
  const delays = [];
  for (let i = 0; i < 8; i++) {
    state = nextBackoff(state, { code: 'network_error' }, 0);
    delays.push(state.until);
  }
  assert.deepEqual(delays.slice(0, 4), [1000, 2000, 4000, 8000]);
  assert.equal(Math.max(...delays), BACKOFF_MAX_MS);
});

test('errors that need no back-off give none', () => {
  assert.equal(nextBackoff(null, { code: 'text_too_long' }), null);
  assert.equal(nextBackoff(null, { code: 'empty_text' }), null);
  assert.equal(nextBackoff(null, { code: 'made_up' }), null);
});

test('remaining wait', () => {
  assert.equal(backoffRemaining(null, 5), 0);
  assert.equal(backoffRemaining({ until: 10 }, 5), 5);
  assert.equal(backoffRemaining({ until: 10 }, 50), 0);
});
