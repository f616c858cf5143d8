import './fake-i18n.js';
import assert from 'node:assert/strict';
import test from 'node:test';
import { DEFAULT_SETTINGS, localWithDefaults, settingsWithDefaults, splitByArea, validateOptions } from '../src/lib/options.js';

test('defaults', () => {
  assert.equal(DEFAULT_SETTINGS.backendUrl, 'http://127.0.0.1:5000');
  assert.equal(DEFAULT_SETTINGS.k, 5);
  assert.deepEqual(settingsWithDefaults({}), { ...DEFAULT_SETTINGS, disabledSites: [] });
  assert.deepEqual(localWithDefaults(undefined), { apiKey: '', recents: [] });
});

test('valid values are normalised', () => {
  const r = validateOptions({ backendUrl: ' https://emoji.example.org/api/ ', k: '7', debounceMs: 200, skinTone: 'medium', apiKey: ' abc123 ' });
  assert.equal(r.ok, true);
  assert.deepEqual(r.value, { backendUrl: 'https://emoji.example.org/api', k: 7, debounceMs: 200, skinTone: 'medium', apiKey: 'abc123' });
  assert.deepEqual(validateOptions({ backendUrl: 'http://127.0.0.1:5000/' }).value, { backendUrl: 'http://127.0.0.1:5000' });
});

test('invalid values are refused with a message each', () => {
  const r = validateOptions({ backendUrl: 'ftp://x', k: 11, debounceMs: 'fast', skinTone: 'green', apiKey: 'has space', colour: 'red' });
  assert.equal(r.ok, false);
  assert.deepEqual(Object.keys(r.errors).sort(), ['apiKey', 'backendUrl', 'colour', 'debounceMs', 'k', 'skinTone']);
  for (const bad of ['', 'not a url', 'http://user:pw@host', 'http://host/?q=1', 'javascript:alert(1)']) {
    assert.equal(validateOptions({ backendUrl: bad }).ok, false, bad);
  }
  for (const bad of [0, 11, 2.5, '', null, '3x']) assert.equal(validateOptions({ k: bad }).ok, false, String(bad));
  for (const good of [1, 10, '10']) assert.equal(validateOptions({ k: good }).ok, true, String(good));
  for (const bad of [49, 5001, -1]) assert.equal(validateOptions({ debounceMs: bad }).ok, false, String(bad));
  assert.equal(validateOptions({ apiKey: 'x'.repeat(513) }).ok, false);
  assert.equal(validateOptions({ disabledSites: 'a.com' }).ok, false);
  assert.deepEqual(validateOptions({ disabledSites: ['B.com', 'a.com', 'b.com'] }).value.disabledSites, ['a.com', 'b.com']);
});

test('broken stored values fall back to defaults', () => {
  const s = settingsWithDefaults({ k: 99, debounceMs: 500, backendUrl: 'nope', skinTone: 'dark', extra: 1 });
  assert.equal(s.k, 5);
  assert.equal(s.debounceMs, 500);
  assert.equal(s.backendUrl, DEFAULT_SETTINGS.backendUrl);
  assert.equal(s.skinTone, 'dark');
  assert.ok(!('extra' in s));
  assert.deepEqual(localWithDefaults({ apiKey: 'k', recents: ['😂', 3] }), { apiKey: 'k', recents: ['😂'] });
});

test('the API key is stored locally, the rest synced', () => {
  assert.deepEqual(splitByArea({ apiKey: 'k', k: 3, backendUrl: 'http://h' }), { sync: { k: 3, backendUrl: 'http://h' }, local: { apiKey: 'k' } });
});
