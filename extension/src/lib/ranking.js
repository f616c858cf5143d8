// Ordering suggestions: the backend's score first, recently used emojis first among near-equals.

import { emojiKey } from './skin-tones.js';

export const RECENTS_MAX = 24;
export const NEAR_EQUAL = 0.03; // at most this much score is made up for by being recent

/**
 * Re-rank suggestions: each recently used emoji gets a boost of up to NEAR_EQUAL
 * (most recent gets the most), so it only overtakes emojis whose score is within that margin.
 * @param {{emoji: string, score: number}[]} suggestions
 * @param {string[]} recents most recent first
 */
export function rankWithRecents(suggestions, recents = [], margin = NEAR_EQUAL) {
  const position = new Map();
  recents.forEach((emoji, i) => {
    const key = emojiKey(emoji);
    if (!position.has(key)) position.set(key, i);
  });
  return suggestions
    .map((s, index) => {
      const i = position.get(emojiKey(s.emoji));
      const boost = i === undefined ? 0 : margin * (1 - i / Math.max(recents.length, 1));
      return { s, index, key: (Number(s.score) || 0) + boost };
    })
    .sort((a, b) => b.key - a.key || a.index - b.index)
    .map(({ s }) => s);
}

/** Put an emoji at the front of the recents list (as its key: no tone, no VS16; no duplicates; bounded). */
export function addRecent(recents, emoji, max = RECENTS_MAX) {
  const key = emojiKey(emoji);
  if (!key) return [...(recents ?? [])];
  return [key, ...(recents ?? []).filter((e) => e !== key)].slice(0, max);
}
