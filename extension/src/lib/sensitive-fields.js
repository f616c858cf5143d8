// Which fields the extension may read: never passwords, e-mail, numbers, card data or one-time codes.

const TEXT_INPUT_TYPES = new Set(['', 'text', 'search']);
// Autofill tokens that only qualify another one (https://html.spec.whatwg.org/#autofill-field).
const AUTOCOMPLETE_MODIFIERS = /^(section-.*|shipping|billing|home|work|mobile|fax|pager|webauthn)$/;
const SENSITIVE_NAME = /pass(word|wd|code)?|pwd|otp|one.?time|2fa|totp|verification.?code|cvv|cvc|card.?(number|num|no)|cc.?(num|number|exp|csc)|iban|ssn|e-?mail/i;

/**
 * A field described with plain values (so this runs in Node):
 * @param {{tagName: string, type?: string, autocomplete?: string, inputMode?: string,
 *          name?: string, id?: string, readOnly?: boolean, disabled?: boolean,
 *          isContentEditable?: boolean}} field
 */
export function isSensitiveField(field) {
  const tag = String(field.tagName ?? '').toUpperCase();
  const type = String(field.type ?? '').toLowerCase();
  if (tag === 'INPUT' && !TEXT_INPUT_TYPES.has(type)) return true; // password, email, number, tel, ...
  // Any autofill field name (cc-*, one-time-code, current-password, email, name, street-address, ...) marks a field
  // for personal data, not a message; only "on"/"off" (or none) leave it a free-text field.
  const tokens = String(field.autocomplete ?? '').toLowerCase().split(/\s+/).filter((t) => t && !AUTOCOMPLETE_MODIFIERS.test(t));
  if (tokens.some((t) => t !== 'on' && t !== 'off')) return true;
  const inputMode = String(field.inputMode ?? '').toLowerCase();
  if (['numeric', 'decimal', 'tel', 'email'].includes(inputMode)) return true;
  return SENSITIVE_NAME.test(`${field.name ?? ''} ${field.id ?? ''}`);
}

/** A field the extension suggests for: a textarea, a text/search input or a contenteditable host, not sensitive, writable. */
export function isSuggestibleField(field) {
  const tag = String(field.tagName ?? '').toUpperCase();
  if (field.readOnly || field.disabled) return false;
  if (tag !== 'TEXTAREA' && tag !== 'INPUT' && !field.isContentEditable) return false;
  return !isSensitiveField(field);
}
