// One manifest source; per-browser differences are applied at build time.

export const GECKO_ID = 'emoji-suggest@emoji-suggest.example';

/**
 * @param {'chrome'|'firefox'} browser
 * @param {{version: string}} pkg
 */
export function buildManifest(browser, { version }) {
  if (browser !== 'chrome' && browser !== 'firefox') throw new Error(`Unknown browser: ${browser}`);
  const icons = { 16: 'icons/icon-16.png', 32: 'icons/icon-32.png', 48: 'icons/icon-48.png', 128: 'icons/icon-128.png' };
  const manifest = {
    manifest_version: 3,
    name: 'Emoji Suggest',
    version,
    description: '__MSG_extDescription__', // _locales/<locale>/messages.json, in the browser's language
    default_locale: 'en',
    icons,
    permissions: ['storage', 'contextMenus', 'clipboardWrite'],
    host_permissions: ['http://*/*', 'https://*/*'],
    action: { default_title: 'Emoji Suggest', default_popup: 'popup.html', default_icon: icons },
    options_ui: { page: 'options.html', open_in_tab: true },
    content_scripts: [
      {
        matches: ['http://*/*', 'https://*/*'],
        js: ['content.js'],
        run_at: 'document_idle',
        all_frames: true,
      },
    ],
  };
  if (browser === 'chrome') {
    manifest.background = { service_worker: 'background.js' };
    manifest.minimum_chrome_version = '110';
  } else {
    manifest.background = { scripts: ['background.js'] };
    manifest.browser_specific_settings = {
      gecko: {
        id: GECKO_ID,
        strict_min_version: '140.0',
        // The text before the caret is sent to the backend the user configures (default: this machine);
        // Mozilla counts typed messages as "personal communications". Nothing else is sent.
        data_collection_permissions: { required: ['personalCommunications'] },
      },
      gecko_android: { strict_min_version: '142.0' },
    };
  }
  return manifest;
}
