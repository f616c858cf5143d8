// Styles of the in-page UI. They live in a shadow root, so page CSS does not reach them and they do not leak out.

export const EMOJI_FONTS = '"Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji", "Twemoji Mozilla", "Android Emoji", "EmojiOne Color", sans-serif';
const UI_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Ubuntu, sans-serif';

export const CSS = `
:host { all: initial; }
.panel {
  position: fixed; z-index: 2147483647; box-sizing: border-box;
  display: flex; align-items: center; gap: 2px; padding: 3px;
  border-radius: 10px; border: 1px solid rgba(27, 31, 36, 0.15);
  background: #ffffff; color: #1f2328;
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.16), 0 1px 3px rgba(0, 0, 0, 0.08);
  font: 12px/1.3 ${UI_FONTS}; user-select: none; -webkit-user-select: none;
  animation: appear 90ms ease-out;
}
.panel.dark {
  background: #23262d; color: #e6e8eb; border-color: rgba(255, 255, 255, 0.16);
  box-shadow: 0 4px 16px rgba(0, 0, 0, 0.5);
}
.panel[hidden] { display: none; }
@keyframes appear { from { opacity: 0; transform: translateY(-2px); } to { opacity: 1; transform: none; } }
@media (prefers-reduced-motion: reduce) { .panel { animation: none; } }
button { all: unset; box-sizing: border-box; cursor: pointer; }
.emoji {
  position: relative; width: 38px; height: 36px; padding: 0 5px 3px 0; border-radius: 8px;
  display: inline-flex; align-items: center; justify-content: center;
  font-family: ${EMOJI_FONTS}; font-size: 21px; line-height: 1;
}
.emoji:hover, .emoji:focus-visible { background: rgba(127, 127, 127, 0.18); }
.emoji:active { background: rgba(127, 127, 127, 0.3); }
.key {
  position: absolute; right: 3px; bottom: 2px; font: 600 9px/1 ${UI_FONTS};
  color: inherit; opacity: 0.45;
}
.status { display: inline-flex; align-items: center; gap: 6px; padding: 3px 8px 3px 6px; opacity: 0.8; max-width: 320px; }
.dot { flex: none; width: 7px; height: 7px; border-radius: 50%; background: #9aa0a6; }
.status.hint .dot, .status.prompt .dot { background: #d4a72c; }
.link { text-decoration: underline; color: inherit; margin-left: 4px; }
.copied { padding: 3px 8px; }
`;

/** Whether the page around an element is dark (by its nearest opaque background), to match it. */
export function isDarkAround(el) {
  for (let node = el; node && node.nodeType === Node.ELEMENT_NODE; node = node.parentElement ?? node.getRootNode()?.host) {
    const rgba = parseColor(getComputedStyle(node).backgroundColor);
    if (rgba && rgba[3] > 0.5) return luminance(rgba) < 0.45;
  }
  const root = parseColor(getComputedStyle(document.documentElement).backgroundColor);
  if (root && root[3] > 0.5) return luminance(root) < 0.45;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

function parseColor(text) {
  const m = /rgba?\(([^)]+)\)/.exec(text ?? '');
  if (!m) return null;
  const parts = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
}

function luminance([r, g, b]) {
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}
