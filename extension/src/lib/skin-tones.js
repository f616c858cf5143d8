// Skin tone modifiers (Fitzpatrick, U+1F3FB..U+1F3FF), applied only to emojis that accept one.

export const SKIN_TONES = Object.freeze({
  none: '',
  light: '\u{1F3FB}',
  'medium-light': '\u{1F3FC}',
  medium: '\u{1F3FD}',
  'medium-dark': '\u{1F3FE}',
  dark: '\u{1F3FF}',
});

export const SKIN_TONE_NAMES = Object.freeze(Object.keys(SKIN_TONES));

const MODIFIER = /[\u{1F3FB}-\u{1F3FF}]/gu;
const MODIFIER_BASE = /^\p{Emoji_Modifier_Base}$/u;
const VS16 = '\ufe0f';
const ZWJ = '\u200d';

/** Remove any skin tone modifier (so recents and comparisons use the base emoji). */
export function stripSkinTone(emoji) {
  return String(emoji).replace(MODIFIER, '');
}

/** A key that is the same for an emoji with or without tone and presentation selector (✌️, ✌, ✌🏾). */
export function emojiKey(emoji) {
  return stripSkinTone(emoji).replaceAll(VS16, '');
}

/**
 * Whether a skin tone can be applied: the emoji's first code point is an
 * Emoji_Modifier_Base and it is one person (no second modifier base after a ZWJ,
 * e.g. families and couples are left alone).
 */
export function acceptsSkinTone(emoji) {
  const points = [...stripSkinTone(emoji)];
  if (points.length === 0 || !MODIFIER_BASE.test(points[0])) return false;
  return points.slice(1).filter((p) => MODIFIER_BASE.test(p)).length === 0;
}

/** Apply a tone ('none', 'light', ... 'dark') to an emoji that accepts one; return others unchanged. */
export function applySkinTone(emoji, tone) {
  const modifier = SKIN_TONES[tone];
  if (!modifier || !acceptsSkinTone(emoji)) return emoji;
  const [first, ...rest] = [...stripSkinTone(emoji)];
  // The modifier takes the place of a presentation selector right after the base (e.g. ✌️ -> ✌🏽).
  const tail = rest[0] === VS16 ? rest.slice(1) : rest;
  return first + modifier + tail.join('');
}

export { ZWJ };
