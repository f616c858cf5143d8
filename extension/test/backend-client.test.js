import assert from 'node:assert/strict';
import test from 'node:test';
import { BackendError, createBackendClient, parseSuggestions } from '../src/lib/backend-client.js';
import { fakeFetch } from './fake-browser.js';

const OK = { suggestions: [{ emoji: '😂', name: 'face with tears of joy', score: 0.4 }, { emoji: '🤣', name: 'rolling', score: 0.3 }] };

test('POST /v1/suggest with text, k and the API key', async () => {
  const fetchImpl = fakeFetch(() => ({ json: OK }));
  const client = createBackendClient({ baseUrl: 'http://h:1/', apiKey: 'sekret', fetchImpl });
  assert.deepEqual(await client.suggest('lol', 2), OK.suggestions);
  const [req] = fetchImpl.requests;
  assert.equal(req.url, 'http://h:1/v1/suggest');
  assert.equal(req.method, 'POST');
  assert.deepEqual(req.body, { text: 'lol', k: 2 });
  assert.equal(req.headers.Authorization, 'Bearer sekret');
  assert.equal(req.headers['Content-Type'], 'application/json');
  await client.suggest('lol', 2, 'pt-BR');
  assert.deepEqual(fetchImpl.requests[1].body, { text: 'lol', k: 2, lang: 'pt-BR' });
});

test('no Authorization header without a key', async () => {
  const fetchImpl = fakeFetch(() => ({ json: OK }));
  await createBackendClient({ baseUrl: 'http://h', fetchImpl }).suggest('x', 5);
  assert.ok(!('Authorization' in fetchImpl.requests[0].headers));
});

test('error bodies give their code, status and Retry-After', async () => {
  const fetchImpl = fakeFetch(() => ({ status: 429, headers: { 'Retry-After': '3' }, json: { error: { code: 'rate_limited', message: 'slow' } } }));
  await assert.rejects(createBackendClient({ baseUrl: 'http://h', fetchImpl }).suggest('x', 5), (err) => {
    assert.ok(err instanceof BackendError);
    assert.equal(err.code, 'rate_limited');
    assert.equal(err.status, 429);
    assert.equal(err.retryAfterMs, 3000);
    assert.equal(err.message, 'slow');
    return true;
  });
});

test('non-JSON errors fall back on the status; network failures and time-outs get client codes', async () => {
  const html = fakeFetch(() => ({ status: 502, text: '<html>bad gateway</html>' }));
  await assert.rejects(createBackendClient({ baseUrl: 'http://h', fetchImpl: html }).health(), { code: 'internal_error', status: 502 });
  const down = fakeFetch(() => new TypeError('Failed to fetch'));
  await assert.rejects(createBackendClient({ baseUrl: 'http://h', fetchImpl: down }).suggest('x', 5), { code: 'network_error' });
  const slow = (url, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
  await assert.rejects(createBackendClient({ baseUrl: 'http://h', fetchImpl: slow, timeoutMs: 20 }).suggest('x', 5), { code: 'network_timeout' });
  const garbage = fakeFetch(() => ({ text: 'not json' }));
  await assert.rejects(createBackendClient({ baseUrl: 'http://h', fetchImpl: garbage }).suggest('x', 5), { code: 'bad_response' });
});

test('health and labels', async () => {
  const fetchImpl = fakeFetch(({ url }) => (url.endsWith('/v1/health') ? { json: { status: 'ok', model: { name: 'm' } } } : { json: { emojis: [{ emoji: '😀', name: 'g' }] } }));
  const client = createBackendClient({ baseUrl: 'http://h', fetchImpl });
  assert.deepEqual(await client.health(), { status: 'ok', model: { name: 'm' } });
  assert.deepEqual(await client.labels(), [{ emoji: '😀', name: 'g' }]);
  assert.equal(fetchImpl.requests[0].method, 'GET');
});

test('suggestions are cleaned: distinct, scores clamped, best first', () => {
  assert.deepEqual(
    parseSuggestions([{ emoji: '🎉', name: 'p', score: 0.2 }, { emoji: '😂', score: 1.7 }, { emoji: '🎉', score: 0.9 }, { name: 'no emoji' }, null]),
    [{ emoji: '😂', name: '', score: 1 }, { emoji: '🎉', name: 'p', score: 0.2 }],
  );
  assert.throws(() => parseSuggestions('nope'), { code: 'bad_response' });
});
