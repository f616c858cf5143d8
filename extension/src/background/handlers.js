// The background's message handlers: the only place pages, popup and options reach the backend through.

import { t } from '../lib/i18n.js';
import { MessageError, MSG } from '../lib/messages.js';
import { validateOptions } from '../lib/options.js';
import { addRecent } from '../lib/ranking.js';
import { isSiteEnabled, siteOf, withSiteEnabled } from '../lib/sites.js';
import { loadLocal, loadSettings } from '../lib/storage.js';
import { MENU_ID, onContextMenuClicked } from './context-menu.js';
import { health, suggest } from './suggest.js';

/* global __TEST_HOOKS__ */

/** @param {{api: object, fetchImpl: typeof fetch, now: () => number}} deps */
export function createHandlers(deps) {
  const { api } = deps;
  const extensionOrigin = api.runtime.getURL('');
  const fromExtensionPage = (sender) =>
    sender.id === api.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(extensionOrigin);
  const pageUrl = (sender) => sender.tab?.url ?? sender.url ?? '';

  return {
    async [MSG.SUGGEST](message, sender) {
      if (!fromExtensionPage(sender)) {
        // A content script: only for enabled sites, whatever the content script believes.
        const { disabledSites } = await loadSettings(api);
        if (!isSiteEnabled(pageUrl(sender), disabledSites)) {
          throw new MessageError('site_disabled', 'Suggestions are off on this site', { display: 'none' });
        }
      }
      return suggest(deps, { text: message.text, k: message.k });
    },

    [MSG.HEALTH]: {
      allow: fromExtensionPage,
      async handle(message) {
        const overrides = {};
        if (message.backendUrl !== undefined || message.apiKey !== undefined) {
          const input = {};
          if (message.backendUrl !== undefined) input.backendUrl = message.backendUrl;
          if (message.apiKey !== undefined) input.apiKey = message.apiKey;
          const { ok, value, errors } = validateOptions(input);
          if (!ok) throw new MessageError('invalid_options', Object.values(errors).join(' '), { errors });
          Object.assign(overrides, value);
        }
        return health(deps, overrides);
      },
    },

    async [MSG.SITE_STATE](message, sender) {
      const url = fromExtensionPage(sender) && typeof message.url === 'string' ? message.url : pageUrl(sender);
      const { disabledSites } = await loadSettings(api);
      const site = siteOf(url);
      return { site, supported: site !== null, enabled: isSiteEnabled(url, disabledSites) };
    },

    [MSG.SET_SITE_ENABLED]: {
      allow: fromExtensionPage,
      async handle(message) {
        const site = siteOf(message.url);
        if (!site) throw new MessageError('unsupported_site', t('unsupportedSite'));
        const { disabledSites } = await loadSettings(api);
        await api.storage.sync.set({ disabledSites: withSiteEnabled(disabledSites, site, Boolean(message.enabled)) });
        return { site, enabled: Boolean(message.enabled) };
      },
    },

    async [MSG.RECORD_USE](message) {
      if (typeof message.emoji !== 'string' || message.emoji.length === 0 || message.emoji.length > 32) {
        throw new MessageError('invalid_emoji', 'Not an emoji');
      }
      const { recents } = await loadLocal(api);
      await api.storage.local.set({ recents: addRecent(recents, message.emoji) });
      return null;
    },

    async [MSG.OPEN_OPTIONS]() {
      await api.runtime.openOptionsPage();
      return null;
    },

    // Set by esbuild's `define` (scripts/build.mjs): false in the shipped bundles, which then drop this code;
    // unbundled (the unit tests under node) it is undefined and the hooks are on.
    ...((typeof __TEST_HOOKS__ === 'undefined' || __TEST_HOOKS__) && {
      // e2e only: runs the context-menu handler as a click would (no test can click a browser's context menu)
      'test:context-menu': {
        allow: fromExtensionPage,
        async handle(message) {
          await onContextMenuClicked(
            deps,
            { menuItemId: MENU_ID, selectionText: message.selectionText, editable: Boolean(message.editable), frameId: message.frameId ?? 0 },
            { id: message.tabId },
          );
          return null;
        },
      },
    }),
  };
}
