// One shadow-DOM host for everything the extension draws on a page.

import { CSS } from './styles.js';

let root = null;

/** The shadow root (created on first use, re-attached if the page removed it). */
export function uiRoot() {
  if (root && root.host.isConnected) return root;
  const host = root?.host ?? document.createElement('div');
  host.setAttribute('data-emoji-suggest', '');
  host.style.cssText = 'all: initial; position: fixed; top: 0; left: 0; width: 0; height: 0; z-index: 2147483647;';
  if (!root) {
    root = host.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
  }
  document.documentElement.appendChild(host);
  return root;
}

/** Position a fixed panel next to an anchor rectangle: below it, or above when there is no room below. */
export function placeNear(panel, anchor) {
  const gap = 6;
  const width = panel.offsetWidth;
  const height = panel.offsetHeight;
  const vw = document.documentElement.clientWidth || innerWidth;
  const vh = document.documentElement.clientHeight || innerHeight;
  let top = anchor.bottom + gap;
  if (top + height > vh - 4 && anchor.top - gap - height >= 4) top = anchor.top - gap - height;
  const left = Math.max(4, Math.min(anchor.left - 8, vw - width - 4));
  panel.style.left = `${Math.round(left)}px`;
  panel.style.top = `${Math.round(Math.max(4, top))}px`;
}
