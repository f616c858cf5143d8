import assert from 'node:assert/strict';
import test from 'node:test';
import { insertAfterSelection, insertAtSelection, spacingBefore } from '../src/lib/insertion.js';
import { MAX_CONTEXT_CHARS, isWorthSuggesting, normalizeText, tailOf, textBeforeCaret } from '../src/lib/text-context.js';

test('only the text before the caret is used', () => {
  assert.equal(textBeforeCaret('hello world, secret after', 11), 'hello world');
  assert.equal(textBeforeCaret('abc', undefined), 'abc');
  assert.equal(textBeforeCaret('abc', 99), 'abc');
  assert.equal(textBeforeCaret('abc', -3), '');
  assert.equal(textBeforeCaret('  \n hi', 6), 'hi');
});

test('text is cleaned of editor artefacts', () => {
  assert.equal(normalizeText('a\u200bb\u00a0c\r\nd\ufeff'), 'ab c\nd');
  assert.equal(normalizeText('👨\u200d👩'), '👨\u200d👩'); // ZWJ is part of emojis
});

test('long text keeps its end, never splits a surrogate pair, starts at a word', () => {
  const long = 'word '.repeat(1000) + 'the end 😂';
  const tail = textBeforeCaret(long, long.length);
  assert.ok(tail.length <= MAX_CONTEXT_CHARS);
  assert.ok(tail.endsWith('the end 😂'));
  assert.ok(tail.startsWith('word'));
  const emojis = '😂'.repeat(600); // 1200 UTF-16 units
  const cut = tailOf(emojis, 999);
  assert.ok(!/^[\udc00-\udfff]/.test(cut));
  assert.equal([...cut].every((c) => c === '😂'), true);
});

test('worth suggesting', () => {
  assert.equal(isWorthSuggesting('hi'), true);
  assert.equal(isWorthSuggesting('こんにちは'), true);
  assert.equal(isWorthSuggesting('🎉'), true);
  assert.equal(isWorthSuggesting('   '), false);
  assert.equal(isWorthSuggesting('...!?'), false);
  assert.equal(isWorthSuggesting(null), false);
});

test('insertion at the caret in a textarea value', () => {
  assert.deepEqual(insertAtSelection('so funny', 8, 8, '😂'), { value: 'so funny 😂', text: ' 😂', start: 8, end: 8, caret: 11 });
  assert.deepEqual(insertAtSelection('', 0, 0, '😂'), { value: '😂', text: '😂', start: 0, end: 0, caret: 2 });
  assert.equal(insertAtSelection('so  done', 3, 3, '🎉').value, 'so 🎉 done');
  assert.equal(insertAtSelection('haha', 4, 4, '😂').value, 'haha 😂');
  assert.equal(insertAtSelection('haha 😂', 7, 7, '😂').value, 'haha 😂😂');
  assert.equal(insertAtSelection('replace ME now', 8, 10, '🔥').value, 'replace 🔥 now');
  assert.equal(insertAtSelection('wow!', 4, 4, '😮').value, 'wow! 😮');
  assert.equal(insertAtSelection('(', 1, 1, '😮').value, '(😮');
});

test('insertion after a selection keeps the selected text', () => {
  const r = insertAfterSelection('I love pizza so much', 7, 12, '🍕');
  assert.equal(r.value, 'I love pizza 🍕 so much');
  assert.equal(r.caret, 15);
  assert.equal(insertAfterSelection('pizza', 5, 0, '🍕').value, 'pizza 🍕'); // reversed range
  assert.equal(insertAfterSelection('pizza', undefined, undefined, '🍕').value, 'pizza 🍕'); // no selection info: append
});

test('spacing', () => {
  assert.equal(spacingBefore(''), '');
  assert.equal(spacingBefore('a'), ' ');
  assert.equal(spacingBefore('a '), '');
  assert.equal(spacingBefore('a\n'), '');
  assert.equal(spacingBefore('1'), ' ');
  assert.equal(spacingBefore('日本'), ' ');
});
