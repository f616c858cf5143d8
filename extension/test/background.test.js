// The background's message router end to end in Node: fake browser APIs, fake backend.
import './fake-i18n.js';
import assert from 'node:assert/strict';
import test from 'node:test';
import { MENU_ID, installContextMenu, onContextMenuClicked } from '../src/background/context-menu.js';
import { createHandlers } from '../src/background/handlers.js';
import { createRouter } from '../src/lib/messages.js';
import { EXTENSION_PAGE, contentScript, dispatch, fakeBrowser, fakeFetch } from './fake-browser.js';

const SUGGESTIONS = [
  { emoji: '😂', name: 'face with tears of joy', score: 0.3 },
  { emoji: '👍', name: 'thumbs up', score: 0.29 },
  { emoji: '🎉', name: 'party popper', score: 0.2 },
  { emoji: '❤️', name: 'red heart', score: 0.1 },
  { emoji: '🔥', name: 'fire', score: 0.05 },
];

function setup(respond = () => ({ json: { suggestions: SUGGESTIONS } })) {
  const api = fakeBrowser();
  const fetchImpl = fakeFetch(respond);
  let clock = 1_000_000;
  const deps = { api, fetchImpl, now: () => clock };
  const router = createRouter(createHandlers(deps));
  return { api, fetchImpl, deps, router, tick: (ms) => (clock += ms), send: (m, sender = EXTENSION_PAGE) => dispatch(router, m, sender) };
}

test('suggest: text goes to the configured backend, answer comes back ranked', async () => {
  const { api, fetchImpl, send } = setup();
  await api.storage.sync.set({ backendUrl: 'http://127.0.0.1:9999', k: 5 });
  await api.storage.local.set({ apiKey: 'key1' });
  const answer = await send({ type: 'suggest', text: 'this is hilarious' }, contentScript('https://x.com/home'));
  assert.equal(answer.ok, true);
  assert.deepEqual(answer.data.suggestions.map((s) => s.emoji), ['😂', '👍', '🎉', '❤️', '🔥']);
  assert.equal(fetchImpl.requests[0].url, 'http://127.0.0.1:9999/v1/suggest');
  assert.deepEqual(fetchImpl.requests[0].body, { text: 'this is hilarious', k: 5, lang: 'en' });
  assert.equal(fetchImpl.requests[0].headers.Authorization, 'Bearer key1');
});

test('suggest: nothing is sent from a disabled site or for empty text', async () => {
  const { api, fetchImpl, send } = setup();
  await api.storage.sync.set({ disabledSites: ['x.com'] });
  const off = await send({ type: 'suggest', text: 'hello' }, contentScript('https://x.com/home'));
  assert.equal(off.ok, false);
  assert.equal(off.error.code, 'site_disabled');
  assert.equal(off.error.display, 'none');
  const notHttp = await send({ type: 'suggest', text: 'hello' }, contentScript('file:///tmp/x.html'));
  assert.equal(notHttp.error.code, 'site_disabled');
  const blank = await send({ type: 'suggest', text: '   ' }, contentScript('https://ok.com/'));
  assert.deepEqual(blank, { ok: true, data: { suggestions: [] } });
  assert.equal(fetchImpl.requests.length, 0);
});

test('suggest: recents and skin tone', async () => {
  const { api, send } = setup();
  await api.storage.sync.set({ skinTone: 'dark' });
  assert.deepEqual(await send({ type: 'record-use', emoji: '👍🏿' }), { ok: true, data: null });
  assert.deepEqual(api.storage.local.data.recents, ['👍']);
  const answer = await send({ type: 'suggest', text: 'great job' });
  assert.deepEqual(answer.data.suggestions.slice(0, 2).map((s) => s.emoji), ['👍🏿', '😂']);
  assert.equal(answer.data.suggestions[0].name, 'thumbs up');
  assert.equal((await send({ type: 'record-use', emoji: '' })).ok, false);
});

test('suggest: k from the message, else from the settings', async () => {
  const { api, fetchImpl, send } = setup();
  await api.storage.sync.set({ k: 3 });
  await send({ type: 'suggest', text: 'a' });
  await send({ type: 'suggest', text: 'a', k: 8 });
  assert.deepEqual(fetchImpl.requests.map((r) => r.body.k), [3, 8]);
});

test('backend down: quiet indicator, back-off without requests, recovery', async () => {
  let down = true;
  const { api, fetchImpl, send, tick } = setup(() => (down ? new TypeError('Failed to fetch') : { json: { suggestions: SUGGESTIONS } }));
  const first = await send({ type: 'suggest', text: 'hi' });
  assert.equal(first.error.code, 'network_error');
  assert.equal(first.error.display, 'indicator');
  assert.equal(first.error.retryAfterMs, 1000);
  assert.deepEqual(api.calls.badge, ['!']);
  const during = await send({ type: 'suggest', text: 'hi again' });
  assert.equal(during.error.code, 'network_error');
  assert.equal(fetchImpl.requests.length, 1, 'no request during the back-off');
  tick(1001);
  down = false;
  const after = await send({ type: 'suggest', text: 'hi' });
  assert.equal(after.ok, true);
  assert.equal(api.calls.badge.at(-1), '');
  assert.equal(api.storage.session.data.backoff, undefined);
});

test('429 honours Retry-After', async () => {
  const { fetchImpl, send, tick } = setup(() => ({ status: 429, headers: { 'Retry-After': '5' }, json: { error: { code: 'rate_limited', message: 'x' } } }));
  const a = await send({ type: 'suggest', text: 'hi' });
  assert.equal(a.error.code, 'rate_limited');
  assert.equal(a.error.retryAfterMs, 5000);
  tick(4000);
  assert.equal((await send({ type: 'suggest', text: 'hi' })).error.retryAfterMs, 1000);
  assert.equal(fetchImpl.requests.length, 1);
  tick(1001);
  await send({ type: 'suggest', text: 'hi' });
  assert.equal(fetchImpl.requests.length, 2);
});

test('401 prompts for the API key; text_too_long is a hint without back-off', async () => {
  const { api, send } = setup(({ body }) =>
    body.text === 'long'
      ? { status: 400, json: { error: { code: 'text_too_long', message: 'too long' } } }
      : { status: 401, json: { error: { code: 'unauthorized', message: 'missing key' } } });
  const auth = await send({ type: 'suggest', text: 'x' });
  assert.equal(auth.error.code, 'unauthorized');
  assert.equal(auth.error.display, 'prompt');
  assert.equal(auth.error.action, 'open-options');
  assert.deepEqual(api.calls.badge, ['?']);
  await api.storage.session.remove('backoff');
  const long = await send({ type: 'suggest', text: 'long' });
  assert.equal(long.error.code, 'text_too_long');
  assert.equal(long.error.display, 'hint');
  assert.equal(long.error.retryAfterMs, null);
});

test('health: ok, down, and with unsaved settings from the options page', async () => {
  const { fetchImpl, send } = setup(({ url }) => (url.startsWith('http://down') ? new TypeError('refused') : { json: { status: 'ok', model: { name: 'tiny' } } }));
  const ok = await send({ type: 'health' });
  assert.deepEqual(ok.data, { ok: true, backendUrl: 'http://127.0.0.1:5000', status: 'ok', model: { name: 'tiny' } });
  const down = await send({ type: 'health', backendUrl: 'http://down:1', apiKey: '' });
  assert.equal(down.data.ok, false);
  assert.equal(down.data.error.code, 'network_error');
  const bad = await send({ type: 'health', backendUrl: 'ftp://x' });
  assert.equal(bad.error.code, 'invalid_options');
  assert.equal(fetchImpl.requests.length, 2);
  assert.equal((await send({ type: 'health' }, contentScript('https://x.com/'))).error.code, 'forbidden');
});

test('site switch', async () => {
  const { api, send } = setup();
  assert.deepEqual((await send({ type: 'site-state', url: 'https://news.example/a' })).data, { site: 'news.example', supported: true, enabled: true });
  await send({ type: 'set-site-enabled', url: 'https://news.example/a', enabled: false });
  assert.deepEqual(api.storage.sync.data.disabledSites, ['news.example']);
  // a content script asks about its own page, whatever url it claims
  const fromPage = await send({ type: 'site-state', url: 'https://other.example/' }, contentScript('https://news.example/b'));
  assert.equal(fromPage.data.enabled, false);
  assert.equal((await send({ type: 'set-site-enabled', url: 'https://news.example/', enabled: true }, contentScript('https://news.example/'))).error.code, 'forbidden');
  await send({ type: 'set-site-enabled', url: 'https://news.example/a', enabled: true });
  assert.deepEqual(api.storage.sync.data.disabledSites, []);
  assert.equal((await send({ type: 'set-site-enabled', url: 'chrome://x', enabled: false })).error.code, 'unsupported_site');
});

test('context menu: entry, click handling and the test hook', async () => {
  const { api, deps, send } = setup();
  await installContextMenu(api);
  assert.deepEqual(api.calls.menus.map((m) => [m.id, m.contexts]), [[MENU_ID, ['selection']]]);
  api.tabs.sendMessage = async (tabId, message, options) => {
    api.calls.sendMessage.push({ tabId, message, options });
    return message.type === 'check-field' ? { ok: true, data: { allowed: true } } : { ok: true, data: null };
  };
  await onContextMenuClicked(deps, { menuItemId: MENU_ID, selectionText: 'pizza night', editable: true, frameId: 3 }, { id: 12 });
  assert.deepEqual(api.calls.sendMessage[0], { tabId: 12, message: { type: 'check-field' }, options: { frameId: 3 } });
  const call = api.calls.sendMessage[1];
  assert.equal(call.tabId, 12);
  assert.deepEqual(call.options, { frameId: 3 });
  assert.equal(call.message.type, 'emojify-selection');
  assert.equal(call.message.editable, true);
  assert.equal(call.message.suggestions.length, 5);
  await onContextMenuClicked(deps, { menuItemId: 'other' }, { id: 12 });
  assert.equal(api.calls.sendMessage.length, 2);
  assert.deepEqual(await send({ type: 'test:context-menu', tabId: 5, selectionText: 'yay' }), { ok: true, data: null });
  assert.equal(api.calls.sendMessage[2].message.editable, false);
  assert.equal((await send({ type: 'test:context-menu', tabId: 5, selectionText: 'x' }, contentScript('https://evil.example/'))).error.code, 'forbidden');
});

test('context menu in a field: nothing is sent unless the content script says the field may be read', async () => {
  for (const [reply, expected] of [[{ ok: true, data: { allowed: false } }, 0], [null, 0], [{ ok: true, data: { allowed: true } }, 1]]) {
    const { api, deps, fetchImpl } = setup();
    api.tabs.sendMessage = async (tabId, message, options) => {
      api.calls.sendMessage.push({ tabId, message, options });
      if (message.type === 'check-field') {
        if (!reply) throw new Error('Could not establish connection. Receiving end does not exist.');
        return reply;
      }
      return { ok: true, data: null };
    };
    await onContextMenuClicked(deps, { menuItemId: MENU_ID, selectionText: 'hunter2', editable: true, frameId: 0 }, { id: 4 });
    assert.equal(fetchImpl.requests.length, expected, JSON.stringify(reply));
    assert.equal(api.calls.sendMessage[0].message.type, 'check-field');
    assert.equal(api.calls.sendMessage.length, 1 + expected);
  }
});

test('context menu with the backend down sends the error to the page', async () => {
  const { api, deps } = setup(() => new TypeError('down'));
  await onContextMenuClicked(deps, { menuItemId: MENU_ID, selectionText: 'x', editable: false }, { id: 1 });
  const { message } = api.calls.sendMessage[0];
  assert.deepEqual(message.suggestions, []);
  assert.equal(message.error.code, 'network_error');
});

test('open-options and unknown messages', async () => {
  const { api, send } = setup();
  await send({ type: 'open-options' });
  assert.equal(api.calls.openOptions, 1);
  assert.equal((await send({ type: 'fetch', url: 'https://evil.example' })).error.code, 'unknown_message');
});
