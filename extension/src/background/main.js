// Background entry (Chromium service worker / Firefox event page).
// Listeners are registered synchronously at top level so that events wake the worker;
// no state is kept here: everything lives in chrome.storage.

import { api } from '../lib/browser-api.js';
import { createRouter } from '../lib/messages.js';
import { installContextMenu, onContextMenuClicked } from './context-menu.js';
import { createHandlers } from './handlers.js';

const deps = { api, fetchImpl: (...args) => fetch(...args), now: () => Date.now() };

api.runtime.onMessage.addListener(
  createRouter(createHandlers(deps), { onError: (err, message) => console.error('emoji-suggest:', message?.type, err) }),
);
api.runtime.onInstalled.addListener(() => installContextMenu(api));
api.runtime.onStartup.addListener(() => installContextMenu(api));
api.contextMenus.onClicked.addListener((info, tab) => {
  onContextMenuClicked(deps, info, tab).catch((err) => console.warn('emoji-suggest: context menu', err));
});
