import assert from 'node:assert/strict';
import test from 'node:test';
import { MessageError, createRouter, request } from '../src/lib/messages.js';
import { dispatch } from './fake-browser.js';

test('routes by type and wraps the answer', async () => {
  const router = createRouter({ ping: async (m, sender) => ({ pong: m.n, from: sender.url }) });
  assert.deepEqual(await dispatch(router, { type: 'ping', n: 2 }, { url: 'u' }), { ok: true, data: { pong: 2, from: 'u' } });
});

test('answers asynchronously (returns true) for known types, false otherwise', () => {
  const router = createRouter({ ping: async () => 1 });
  assert.equal(router({ type: 'ping' }, {}, () => {}), true);
  assert.equal(router({ type: 'nope' }, {}, () => {}), false);
});

test('unknown, malformed and inherited types are errors, not exceptions', async () => {
  const router = createRouter({ ping: async () => 1 });
  for (const message of [{ type: 'nope' }, null, 'ping', { type: 42 }, { type: 'toString' }, { type: '__proto__' }]) {
    const answer = await dispatch(router, message, {});
    assert.equal(answer.ok, false);
    assert.equal(answer.error.code, 'unknown_message');
  }
});

test('handler errors become error answers; MessageError keeps its code and details', async () => {
  const seen = [];
  const router = createRouter(
    {
      known: async () => {
        throw new MessageError('rate_limited', 'slow down', { retryAfterMs: 5 });
      },
      crash: () => {
        throw new TypeError('boom');
      },
    },
    { onError: (err) => seen.push(err.message) },
  );
  assert.deepEqual(await dispatch(router, { type: 'known' }, {}), {
    ok: false,
    error: { code: 'rate_limited', message: 'slow down', retryAfterMs: 5 },
  });
  assert.deepEqual(await dispatch(router, { type: 'crash' }, {}), { ok: false, error: { code: 'internal', message: 'boom' } });
  assert.deepEqual(seen, ['boom']);
});

test('allow() restricts senders', async () => {
  const router = createRouter({ secret: { allow: (s) => s.url === 'ok', handle: async () => 'yes' } });
  assert.deepEqual(await dispatch(router, { type: 'secret' }, { url: 'ok' }), { ok: true, data: 'yes' });
  assert.equal((await dispatch(router, { type: 'secret' }, { url: 'page' })).error.code, 'forbidden');
});

test('request() unwraps answers and rethrows errors', async () => {
  const runtime = (answer) => ({ sendMessage: async () => answer });
  assert.equal(await request(runtime({ ok: true, data: 3 }), {}), 3);
  await assert.rejects(request(runtime({ ok: false, error: { code: 'x', message: 'm', display: 'hint' } }), {}), (err) => {
    assert.ok(err instanceof MessageError);
    assert.equal(err.code, 'x');
    assert.equal(err.details.display, 'hint');
    return true;
  });
  await assert.rejects(request(runtime(undefined), {}), { code: 'no_answer' });
});
