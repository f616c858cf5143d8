// The WebExtension API object: `chrome` (Chromium, and Firefox MV3 which also returns promises there) or `browser`.
export const api = globalThis.chrome?.runtime?.id ? globalThis.chrome : globalThis.browser;
