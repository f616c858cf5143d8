import assert from 'node:assert/strict';
import test from 'node:test';
import { isSensitiveField, isSuggestibleField } from '../src/lib/sensitive-fields.js';
import { isSiteEnabled, siteOf, withSiteEnabled } from '../src/lib/sites.js';

const input = (extra) => ({ tagName: 'INPUT', type: 'text', ...extra });

test('never passwords, e-mail, numbers, card data or one-time codes', () => {
  for (const type of ['password', 'email', 'number', 'tel', 'date', 'hidden', 'url']) {
    assert.equal(isSuggestibleField(input({ type })), false, type);
  }
  for (const autocomplete of ['cc-number', 'cc-csc', 'cc-exp', 'cc-name', 'one-time-code', 'current-password', 'new-password', 'email', 'billing cc-number', 'section-x one-time-code']) {
    assert.equal(isSensitiveField(input({ autocomplete })), true, autocomplete);
  }
  for (const autocomplete of ['name', 'given-name', 'shipping street-address', 'postal-code', 'username', 'tel', 'bday']) {
    assert.equal(isSensitiveField(input({ autocomplete })), true, autocomplete);
  }
  for (const autocomplete of ['', 'on', 'off', 'section-blue off', 'OFF']) {
    assert.equal(isSensitiveField(input({ autocomplete })), false, autocomplete);
  }
  assert.equal(isSensitiveField(input({ inputMode: 'numeric' })), true);
  assert.equal(isSensitiveField(input({ name: 'otp' })), true);
  assert.equal(isSensitiveField(input({ id: 'card-number' })), true);
  assert.equal(isSensitiveField(input({ name: 'user_password2' })), true);
  assert.equal(isSensitiveField({ tagName: 'DIV', isContentEditable: true, autocomplete: 'one-time-code' }), true);
});

test('ordinary text fields are fine', () => {
  assert.equal(isSuggestibleField({ tagName: 'TEXTAREA', name: 'comment' }), true);
  assert.equal(isSuggestibleField(input({ type: 'search', autocomplete: 'off' })), true);
  assert.equal(isSuggestibleField(input({ type: '' })), true);
  assert.equal(isSuggestibleField({ tagName: 'DIV', isContentEditable: true, id: 'tweet-box' }), true);
  assert.equal(isSuggestibleField({ tagName: 'TEXTAREA', readOnly: true }), false);
  assert.equal(isSuggestibleField({ tagName: 'TEXTAREA', disabled: true }), false);
  assert.equal(isSuggestibleField({ tagName: 'DIV' }), false);
});

test('sites', () => {
  assert.equal(siteOf('https://X.com/compose/post'), 'x.com');
  assert.equal(siteOf('http://127.0.0.1:8000/a'), '127.0.0.1');
  assert.equal(siteOf('chrome://settings'), null);
  assert.equal(siteOf('file:///tmp/a.html'), null);
  assert.equal(siteOf('garbage'), null);
  assert.equal(isSiteEnabled('https://x.com/', []), true);
  assert.equal(isSiteEnabled('https://x.com/', ['x.com']), false);
  assert.equal(isSiteEnabled('chrome-extension://id/popup.html', []), false);
  assert.deepEqual(withSiteEnabled(['b.com'], 'a.com', false), ['a.com', 'b.com']);
  assert.deepEqual(withSiteEnabled(['a.com', 'b.com'], 'a.com', true), ['b.com']);
  assert.deepEqual(withSiteEnabled(['a.com'], 'a.com', false), ['a.com']);
});
