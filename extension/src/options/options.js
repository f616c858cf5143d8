// Options page: backend URL, API key, number of suggestions, pause, skin tone; validated before saving.

import { api } from '../lib/browser-api.js';
import { localizePage, t } from '../lib/i18n.js';
import { MSG, request } from '../lib/messages.js';
import { DEFAULT_LOCAL, DEFAULT_SETTINGS } from '../lib/options.js';
import { loadLocal, loadSettings, saveOptions } from '../lib/storage.js';

const FIELDS = ['backendUrl', 'apiKey', 'k', 'debounceMs', 'skinTone'];
const $ = (id) => document.getElementById(id);

localizePage();
init();

async function init() {
  await fill();
  $('form').addEventListener('submit', async (e) => {
    e.preventDefault();
    await save(readForm());
  });
  $('reset').addEventListener('click', async () => {
    const { disabledSites, ...defaults } = DEFAULT_SETTINGS;
    void disabledSites;
    await save({ ...defaults, apiKey: DEFAULT_LOCAL.apiKey });
    await fill();
  });
  $('test').addEventListener('click', testConnection);
  api.storage.onChanged.addListener((changes, area) => {
    if (area === 'sync' && changes.disabledSites) showSites(changes.disabledSites.newValue ?? []);
  });
}

async function fill() {
  const [settings, local] = await Promise.all([loadSettings(api), loadLocal(api)]);
  const values = { ...settings, apiKey: local.apiKey };
  for (const field of FIELDS) $(field).value = String(values[field]);
  showSites(settings.disabledSites);
  showErrors({});
}

function readForm() {
  const values = {};
  for (const field of FIELDS) values[field] = $(field).value;
  return values;
}

async function save(values) {
  const result = await saveOptions(api, values);
  showErrors(result.errors);
  const saved = $('saved');
  saved.dataset.ok = String(result.ok);
  saved.textContent = t(result.ok ? 'optSaved' : 'optNotSaved');
  if (result.ok) setTimeout(() => (saved.textContent === t('optSaved') ? (saved.textContent = '') : null), 2500);
}

function showErrors(errors) {
  for (const field of FIELDS) {
    $(`${field}-error`).textContent = errors[field] ?? '';
    $(field).setAttribute('aria-invalid', String(Boolean(errors[field])));
  }
}

async function testConnection() {
  const out = $('test-result');
  out.dataset.ok = '';
  out.textContent = t('optTesting');
  try {
    const health = await request(api.runtime, { type: MSG.HEALTH, backendUrl: $('backendUrl').value, apiKey: $('apiKey').value });
    out.dataset.ok = String(health.ok);
    out.textContent = health.ok ? t('optConnected') : health.error.message;
  } catch (err) {
    out.dataset.ok = 'false';
    out.textContent = err.message;
  }
}

function showSites(sites) {
  const list = $('disabledSites');
  list.replaceChildren(
    ...sites.map((site) => {
      const item = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = site;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = t('optSwitchOn');
      button.addEventListener('click', () =>
        request(api.runtime, { type: MSG.SET_SITE_ENABLED, url: `https://${site}/`, enabled: true }));
      item.append(name, button);
      return item;
    }),
  );
  $('no-sites').hidden = sites.length > 0;
}
