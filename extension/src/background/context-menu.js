// "Emojify selection": the context-menu entry and what a click on it does.

import { t } from '../lib/i18n.js';
import { MSG, toErrorPayload } from '../lib/messages.js';
import { suggest } from './suggest.js';

export const MENU_ID = 'emojify-selection';

/** (Re)create the menu entry; called on install and on browser start-up. */
export async function installContextMenu(api) {
  await api.contextMenus.removeAll();
  api.contextMenus.create({
    id: MENU_ID,
    title: t('menuEmojify'),
    contexts: ['selection'],
    documentUrlPatterns: ['http://*/*', 'https://*/*'],
  });
}

/**
 * Ask the backend about the selected text and hand the answer to the content script of the
 * frame the click came from: it inserts the top emoji after the selection in an editable
 * field, or shows the suggestions in a bubble on ordinary text.
 */
export async function onContextMenuClicked(deps, info, tab) {
  if (info?.menuItemId !== MENU_ID || !Number.isInteger(tab?.id)) return;
  const target = { frameId: Number.isInteger(info.frameId) ? info.frameId : 0 };
  if (info.editable) {
    // Selected text in a field: first make sure it is no password, card number, e-mail... field.
    const answer = await deps.api.tabs.sendMessage(tab.id, { type: MSG.CHECK_FIELD }, target).catch(() => null);
    if (!answer?.ok || !answer.data?.allowed) return;
  }
  const selectionText = String(info.selectionText ?? '');
  let answer;
  try {
    answer = { suggestions: (await suggest(deps, { text: selectionText })).suggestions, error: null };
  } catch (err) {
    answer = { suggestions: [], error: toErrorPayload(err) };
  }
  await deps.api.tabs.sendMessage(
    tab.id,
    { type: MSG.EMOJIFY_SELECTION, editable: Boolean(info.editable), selectionText, ...answer },
    target,
  );
}
