// The small bar of suggestions shown near the caret.

import { setLanguage, t } from '../lib/i18n.js';
import { isDarkAround } from './styles.js';
import { placeNear, uiRoot } from './ui-root.js';

export class SuggestionBar {
  /** @param {{onPick: (index: number) => void, onAction: (action: string) => void}} callbacks */
  constructor({ onPick, onAction }) {
    this.onPick = onPick;
    this.onAction = onAction;
    this.panel = null;
    this.suggestions = [];
    this.visible = false;
  }

  ensurePanel() {
    const root = uiRoot();
    if (this.panel && this.panel.getRootNode() === root) return this.panel;
    const panel = document.createElement('div');
    panel.className = 'panel bar';
    panel.hidden = true;
    panel.setAttribute('role', 'toolbar');
    panel.setAttribute('aria-label', t('barLabel'));
    setLanguage(panel);
    // Keep the focus (and the caret) in the field when the bar is clicked.
    panel.addEventListener('mousedown', (e) => e.preventDefault());
    panel.addEventListener('click', (e) => {
      const button = e.target.closest?.('button');
      if (!button) return;
      if (button.dataset.index !== undefined) this.onPick(Number(button.dataset.index));
      else if (button.dataset.action) this.onAction(button.dataset.action);
    });
    root.appendChild(panel);
    this.panel = panel;
    return panel;
  }

  /** Show emoji buttons. */
  showSuggestions(suggestions, field, anchor) {
    this.suggestions = suggestions;
    const panel = this.ensurePanel();
    panel.replaceChildren(
      ...suggestions.map((s, i) => {
        const button = document.createElement('button');
        button.className = 'emoji';
        button.dataset.index = String(i);
        button.dataset.emoji = s.emoji;
        const label = `${s.emoji} ${s.name}${i < 9 ? ` (Alt+${i + 1})` : ''}`;
        button.title = label;
        button.setAttribute('aria-label', label);
        button.textContent = s.emoji;
        if (i < 9) {
          const key = document.createElement('span');
          key.className = 'key';
          key.textContent = String(i + 1);
          key.setAttribute('aria-hidden', 'true');
          button.appendChild(key);
        }
        return button;
      }),
    );
    this.reveal(field, anchor, 'suggestions');
  }

  /** Show a quiet status (backend down, text too long, API key needed...). */
  showStatus({ display, message, action }, field, anchor) {
    this.suggestions = [];
    const panel = this.ensurePanel();
    const status = document.createElement('span');
    status.className = `status ${display}`;
    status.title = message;
    const dot = document.createElement('span');
    dot.className = 'dot';
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = display === 'indicator' ? t('barOffline') : message;
    status.append(dot, text);
    if (action === 'open-options') {
      const link = document.createElement('button');
      link.className = 'link';
      link.dataset.action = action;
      link.textContent = t('options');
      status.append(link);
    }
    panel.replaceChildren(status);
    this.reveal(field, anchor, display);
  }

  reveal(field, anchor, state) {
    const panel = this.panel;
    panel.dataset.state = state;
    panel.classList.toggle('dark', isDarkAround(field.el));
    panel.hidden = false;
    placeNear(panel, anchor);
    this.visible = true;
  }

  reposition(anchor) {
    if (this.visible && this.panel) placeNear(this.panel, anchor);
  }

  hide() {
    if (this.panel) {
      this.panel.hidden = true;
      this.panel.replaceChildren();
    }
    this.visible = false;
    this.suggestions = [];
  }
}
