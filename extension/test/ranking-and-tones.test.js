import assert from 'node:assert/strict';
import test from 'node:test';
import { NEAR_EQUAL, RECENTS_MAX, addRecent, rankWithRecents } from '../src/lib/ranking.js';
import { acceptsSkinTone, applySkinTone, emojiKey, stripSkinTone } from '../src/lib/skin-tones.js';

const s = (emoji, score) => ({ emoji, name: emoji, score });

test('recently used emojis win among near-equal scores only', () => {
  const list = [s('😂', 0.30), s('🤣', 0.29), s('😅', 0.10)];
  assert.deepEqual(rankWithRecents(list, ['🤣']).map((x) => x.emoji), ['🤣', '😂', '😅']);
  assert.deepEqual(rankWithRecents(list, ['😅']).map((x) => x.emoji), ['😂', '🤣', '😅']); // too far behind
  assert.deepEqual(rankWithRecents(list, []).map((x) => x.emoji), ['😂', '🤣', '😅']);
  // more recent = bigger boost
  const tie = [s('a', 0.5), s('b', 0.5), s('c', 0.5)];
  assert.deepEqual(rankWithRecents(tie, ['c', 'b']).map((x) => x.emoji), ['c', 'b', 'a']);
  assert.ok(NEAR_EQUAL < 0.1);
});

test('recents match with or without skin tone, and the objects are kept', () => {
  const list = [s('👍', 0.2), s('🙌', 0.21)];
  const ranked = rankWithRecents(list, ['👍🏽']);
  assert.equal(ranked[0], list[0]);
  const vs16 = [s('😂', 0.3), s('✌️', 0.29)];
  assert.equal(rankWithRecents(vs16, addRecent([], '✌🏾'))[0].emoji, '✌️'); // toned ✌🏾 has no VS16
});

test('recents list: front insertion, base form, no duplicates, bounded', () => {
  assert.deepEqual(addRecent(['a', 'b'], 'b'), ['b', 'a']);
  assert.deepEqual(addRecent([], '👍🏿'), ['👍']);
  assert.deepEqual(addRecent(['✌'], '✌️'), ['✌']);
  assert.equal(addRecent(Array.from({ length: 40 }, (_, i) => String(i)), 'x').length, RECENTS_MAX);
  assert.deepEqual(addRecent(undefined, '🎉'), ['🎉']);
});

test('skin tones apply only to emojis that take one', () => {
  assert.equal(applySkinTone('👍', 'medium'), '👍🏽');
  assert.equal(applySkinTone('👋', 'dark'), '👋🏿');
  assert.equal(applySkinTone('✌️', 'light'), '✌🏻'); // the modifier replaces VS16
  assert.equal(applySkinTone('🤦‍♂️', 'medium-dark'), '🤦🏾‍♂️');
  assert.equal(applySkinTone('😂', 'dark'), '😂');
  assert.equal(applySkinTone('❤️', 'dark'), '❤️');
  assert.equal(applySkinTone('🎉', 'light'), '🎉');
  assert.equal(applySkinTone('👍', 'none'), '👍');
  assert.equal(applySkinTone('👍🏻', 'dark'), '👍🏿'); // replaces an existing tone
  assert.equal(applySkinTone('👍', 'purple'), '👍');
  assert.equal(applySkinTone('👨‍👩‍👧', 'dark'), '👨‍👩‍👧'); // several people: left alone
  assert.equal(acceptsSkinTone('🙏'), true);
  assert.equal(acceptsSkinTone('🔥'), false);
  assert.equal(stripSkinTone('🙏🏽'), '🙏');
  assert.equal(emojiKey('✌️'), emojiKey('✌🏿'));
  assert.equal(emojiKey('❤️'), '❤');
});
