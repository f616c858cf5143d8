// Settings: defaults, validation and where each one is stored.
// chrome.storage.sync holds SETTINGS (follows the user's browsers); chrome.storage.local holds
// the API key (a secret: never synced) and the recently used emojis.

import { t } from './i18n.js';
import { SKIN_TONE_NAMES } from './skin-tones.js';

export const DEFAULT_SETTINGS = Object.freeze({
  backendUrl: 'http://127.0.0.1:5000',
  k: 5,
  debounceMs: 350,
  skinTone: 'none',
  disabledSites: Object.freeze([]),
});

export const DEFAULT_LOCAL = Object.freeze({
  apiKey: '',
  recents: Object.freeze([]),
});

export const LIMITS = Object.freeze({
  k: { min: 1, max: 10 },
  debounceMs: { min: 50, max: 5000 },
  apiKeyLength: 512,
});

const VALIDATORS = {
  backendUrl(value) {
    const text = String(value ?? '').trim();
    if (!text) return { error: t('invalidUrlEmpty', DEFAULT_SETTINGS.backendUrl) };
    let url;
    try {
      url = new URL(text);
    } catch {
      return { error: t('invalidUrl') };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: t('invalidUrlScheme') };
    if (url.username || url.password) return { error: t('invalidUrlCredentials') };
    if (url.search || url.hash) return { error: t('invalidUrlQuery') };
    return { value: url.origin + url.pathname.replace(/\/+$/, '') };
  },
  k(value) {
    return integerIn(value, LIMITS.k);
  },
  debounceMs(value) {
    return integerIn(value, LIMITS.debounceMs);
  },
  skinTone(value) {
    return SKIN_TONE_NAMES.includes(value) ? { value } : { error: t('invalidSkinTone') };
  },
  disabledSites(value) {
    if (!Array.isArray(value) || !value.every((s) => typeof s === 'string' && s.length > 0 && s.length < 254)) {
      return { error: t('invalidSites') };
    }
    return { value: [...new Set(value.map((s) => s.toLowerCase()))].sort() };
  },
  apiKey(value) {
    const text = String(value ?? '').trim();
    if (text.length > LIMITS.apiKeyLength) return { error: t('invalidApiKeyLength', LIMITS.apiKeyLength) };
    if (!/^[\x21-\x7e]*$/.test(text)) return { error: t('invalidApiKeyChars') };
    return { value: text };
  },
};

function integerIn(value, { min, max }) {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (!Number.isInteger(n)) return { error: t('invalidWholeNumber') };
  if (n < min || n > max) return { error: t('invalidRange', min, max) };
  return { value: n };
}

/**
 * Validate the fields present in `input` (unknown fields are rejected).
 * @returns {{ok: boolean, value: object, errors: Record<string, string>}}
 */
export function validateOptions(input) {
  const value = {};
  const errors = {};
  for (const [field, raw] of Object.entries(input ?? {})) {
    const validate = VALIDATORS[field];
    if (!validate) {
      errors[field] = t('invalidSetting');
      continue;
    }
    const result = validate(raw);
    if ('error' in result) errors[field] = result.error;
    else value[field] = result.value;
  }
  return { ok: Object.keys(errors).length === 0, value, errors };
}

/** Stored settings merged over the defaults; a stored value that no longer validates falls back to its default. */
export function settingsWithDefaults(stored) {
  return mergeValid(DEFAULT_SETTINGS, stored);
}

export function localWithDefaults(stored) {
  const merged = mergeValid({ apiKey: DEFAULT_LOCAL.apiKey }, stored);
  const recents = Array.isArray(stored?.recents) ? stored.recents.filter((e) => typeof e === 'string') : [];
  return { ...merged, recents };
}

function mergeValid(defaults, stored) {
  const out = { ...defaults };
  for (const key of Object.keys(defaults)) {
    if (stored && stored[key] !== undefined) {
      const { ok, value } = validateOptions({ [key]: stored[key] });
      if (ok) out[key] = value[key];
    }
  }
  return out;
}

/** Split validated fields into what goes to storage.sync and what goes to storage.local. */
export function splitByArea(values) {
  const sync = {};
  const local = {};
  for (const [key, value] of Object.entries(values)) {
    if (key in DEFAULT_LOCAL) local[key] = value;
    else sync[key] = value;
  }
  return { sync, local };
}
