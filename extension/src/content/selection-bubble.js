// The bubble "Emojify selection" shows on ordinary page text: click an emoji to copy it.

import { setLanguage, t } from '../lib/i18n.js';
import { isDarkAround } from './styles.js';
import { placeNear, uiRoot } from './ui-root.js';

export class SelectionBubble {
  constructor() {
    this.panel = null;
    this.timer = 0;
    this.onOutside = (e) => {
      if (!e.composedPath().includes(this.panel)) this.hide();
    };
    this.onKey = (e) => {
      if (e.key === 'Escape') this.hide();
    };
  }

  show({ suggestions, error }, anchor, near) {
    this.hide();
    const panel = document.createElement('div');
    panel.className = 'panel bubble';
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', t('bubbleLabel'));
    setLanguage(panel);
    panel.classList.toggle('dark', isDarkAround(near));
    if (suggestions.length) {
      for (const s of suggestions) {
        const button = document.createElement('button');
        button.className = 'emoji';
        button.dataset.emoji = s.emoji;
        button.title = t('copyEmoji', s.emoji, s.name);
        button.setAttribute('aria-label', button.title);
        button.textContent = s.emoji;
        button.addEventListener('click', () => this.copy(s.emoji));
        panel.append(button);
      }
    } else {
      const status = document.createElement('span');
      status.className = 'status indicator';
      const dot = document.createElement('span');
      dot.className = 'dot';
      const text = document.createElement('span');
      text.className = 'text';
      text.textContent = error?.message || t('bubbleNothing');
      status.append(dot, text);
      panel.append(status);
    }
    uiRoot().appendChild(panel);
    placeNear(panel, anchor);
    this.panel = panel;
    document.addEventListener('mousedown', this.onOutside, true);
    document.addEventListener('keydown', this.onKey, true);
    this.timer = setTimeout(() => this.hide(), 15000);
  }

  async copy(emoji) {
    let copied = false;
    try {
      await navigator.clipboard.writeText(emoji);
      copied = true;
    } catch {
      copied = copyWithCommand(emoji);
    }
    if (!this.panel) return;
    const note = document.createElement('span');
    note.className = 'copied';
    note.textContent = copied ? t('copied', emoji) : t('copyFailed');
    this.panel.replaceChildren(note);
    this.panel.dataset.copied = copied ? emoji : '';
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), 1500);
  }

  hide() {
    clearTimeout(this.timer);
    this.panel?.remove();
    this.panel = null;
    document.removeEventListener('mousedown', this.onOutside, true);
    document.removeEventListener('keydown', this.onKey, true);
  }
}

function copyWithCommand(text) {
  const area = document.createElement('textarea');
  area.value = text;
  area.style.cssText = 'position: fixed; top: -1000px; opacity: 0;';
  document.documentElement.appendChild(area);
  area.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  } finally {
    area.remove();
  }
}
