// Popup: try suggestions in a text box (click copies), see the backend's status, switch the current site on/off.

import { api } from '../lib/browser-api.js';
import { localizePage, t } from '../lib/i18n.js';
import { MSG, request } from '../lib/messages.js';
import { loadSettings } from '../lib/storage.js';
import { isWorthSuggesting } from '../lib/text-context.js';

const $ = (id) => document.getElementById(id);
let generation = 0;
let timer = 0;

localizePage();
init();

async function init() {
  const settings = await loadSettings(api);
  $('text').addEventListener('input', () => {
    generation += 1;
    clearTimeout(timer);
    const mine = generation;
    timer = setTimeout(() => suggest(mine), settings.debounceMs);
  });
  $('suggestions').addEventListener('click', (e) => {
    const button = e.target.closest('button');
    if (button) copy(button.dataset.emoji);
  });
  $('open-options').addEventListener('click', () => {
    api.runtime.openOptionsPage();
    window.close();
  });
  showHealth();
  showSite();
}

async function suggest(mine) {
  const text = $('text').value;
  if (!isWorthSuggesting(text)) {
    render([]);
    return;
  }
  try {
    const { suggestions } = await request(api.runtime, { type: MSG.SUGGEST, text });
    if (mine !== generation) return; // stale
    render(suggestions);
    say('');
  } catch (err) {
    if (mine !== generation) return;
    render([]);
    say(err.message);
  }
}

function render(suggestions) {
  $('suggestions').replaceChildren(
    ...suggestions.map((s) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.setAttribute('role', 'listitem');
      button.dataset.emoji = s.emoji;
      button.title = t('popupCopyScore', s.emoji, s.name, Math.round(s.score * 100));
      button.setAttribute('aria-label', button.title);
      button.textContent = s.emoji;
      return button;
    }),
  );
}

async function copy(emoji) {
  try {
    await navigator.clipboard.writeText(emoji);
    say(t('copied', emoji));
  } catch {
    say(t('copyFailed'));
    return;
  }
  request(api.runtime, { type: MSG.RECORD_USE, emoji }).catch(() => {});
}

function say(text) {
  $('message').textContent = text;
}

async function showHealth() {
  const status = $('status');
  try {
    const health = await request(api.runtime, { type: MSG.HEALTH });
    if (health.ok) {
      status.dataset.state = 'ok';
      const model = health.model?.name ?? health.model?.id ?? '';
      $('status-text').textContent = model ? t('popupBackendOkModel', model) : t('popupBackendOk');
      status.title = t('popupBackendUp', health.backendUrl);
    } else {
      status.dataset.state = 'down';
      $('status-text').textContent = t(health.error.code === 'network_error' ? 'popupBackendOffline' : 'popupBackendProblem');
      status.title = `${health.backendUrl}: ${health.error.message}`;
    }
  } catch (err) {
    status.dataset.state = 'down';
    $('status-text').textContent = t('popupBackendProblem');
    status.title = err.message;
  }
}

/** The page the popup is about: the active tab, or ?tab=<id> (lets tests open the popup in a tab of its own). */
async function targetTab() {
  const id = Number(new URLSearchParams(location.search).get('tab'));
  if (Number.isInteger(id) && id > 0) return api.tabs.get(id);
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab;
}

async function showSite() {
  const tab = await targetTab().catch(() => null);
  if (!tab?.url) return;
  const state = await request(api.runtime, { type: MSG.SITE_STATE, url: tab.url }).catch(() => null);
  if (!state?.supported) return;
  $('site').hidden = false;
  showSiteLabel(state.site);
  const box = $('site-enabled');
  box.checked = state.enabled;
  box.addEventListener('change', async () => {
    try {
      await request(api.runtime, { type: MSG.SET_SITE_ENABLED, url: tab.url, enabled: box.checked });
      say(t(box.checked ? 'popupSiteOn' : 'popupSiteOff', state.site));
    } catch (err) {
      box.checked = !box.checked;
      say(err.message);
    }
  });
}

/** "Suggest while typing on <site>", the site in bold wherever the language puts it. */
function showSiteLabel(site) {
  const marker = '\u0000';
  const [before, after = ''] = t('popupSiteSwitch', marker).split(marker);
  const name = $('site-name');
  name.textContent = site;
  $('site-label').replaceChildren(before, name, after);
}
