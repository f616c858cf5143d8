// Reading and writing extension state. Every function takes the API object so tests can pass a fake.
// sync: settings; local: API key and recents; session: back-off state (gone when the browser closes).

import { DEFAULT_LOCAL, DEFAULT_SETTINGS, localWithDefaults, settingsWithDefaults, splitByArea, validateOptions } from './options.js';

export async function loadSettings(api) {
  return settingsWithDefaults(await api.storage.sync.get(Object.keys(DEFAULT_SETTINGS)));
}

export async function loadLocal(api) {
  return localWithDefaults(await api.storage.local.get(Object.keys(DEFAULT_LOCAL)));
}

/** Validate and save some options; nothing is written unless all of them are valid. */
export async function saveOptions(api, input) {
  const result = validateOptions(input);
  if (!result.ok) return result;
  const { sync, local } = splitByArea(result.value);
  if (Object.keys(sync).length) await api.storage.sync.set(sync);
  if (Object.keys(local).length) await api.storage.local.set(local);
  return result;
}

function sessionArea(api) {
  return api.storage.session ?? api.storage.local; // storage.session: Chrome 102+, Firefox 115+
}

export async function loadBackoff(api) {
  const { backoff = null } = await sessionArea(api).get('backoff');
  return backoff;
}

export async function saveBackoff(api, state) {
  if (state) await sessionArea(api).set({ backoff: state });
  else await sessionArea(api).remove('backoff');
}
