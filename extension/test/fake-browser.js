// A small in-memory stand-in for the WebExtension APIs the background uses, for Node tests.

function area() {
  const data = {};
  return {
    data,
    async get(keys) {
      if (keys == null) return structuredClone(data);
      const list = typeof keys === 'string' ? [keys] : Array.isArray(keys) ? keys : Object.keys(keys);
      const out = {};
      for (const k of list) if (k in data) out[k] = structuredClone(data[k]);
      return out;
    },
    async set(items) {
      Object.assign(data, structuredClone(items));
    },
    async remove(keys) {
      for (const k of [].concat(keys)) delete data[k];
    },
  };
}

export function fakeBrowser() {
  const calls = { sendMessage: [], badge: [], menus: [], openOptions: 0 };
  const api = {
    calls,
    runtime: {
      id: 'ext-id',
      getURL: (path) => `chrome-extension://ext-id/${path}`,
      async openOptionsPage() {
        calls.openOptions += 1;
      },
    },
    storage: { sync: area(), local: area(), session: area() },
    action: {
      async setBadgeText({ text }) {
        calls.badge.push(text);
      },
      async setBadgeBackgroundColor() {},
      async setTitle() {},
    },
    tabs: {
      async sendMessage(tabId, message, options) {
        calls.sendMessage.push({ tabId, message, options });
        return { ok: true, data: null };
      },
    },
    contextMenus: {
      async removeAll() {
        calls.menus.length = 0;
      },
      create(item) {
        calls.menus.push(item);
      },
    },
  };
  return api;
}

/** A fetch that answers from a list of handlers and records requests. */
export function fakeFetch(respond) {
  const requests = [];
  const fetchImpl = async (url, init = {}) => {
    const body = init.body ? JSON.parse(init.body) : undefined;
    requests.push({ url, method: init.method ?? 'GET', headers: init.headers ?? {}, body });
    const answer = await respond({ url, body, init });
    if (answer instanceof Error) throw answer;
    const { status = 200, json, headers = {}, text } = answer;
    return new Response(text ?? JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json', ...headers } });
  };
  fetchImpl.requests = requests;
  return fetchImpl;
}

export const EXTENSION_PAGE = { id: 'ext-id', url: 'chrome-extension://ext-id/popup.html' };
export const contentScript = (url) => ({ id: 'ext-id', url, tab: { id: 7, url }, frameId: 0 });

/** Call a router like the browser would and wait for its answer. */
export function dispatch(router, message, sender) {
  return new Promise((resolve) => {
    router(message, sender, resolve);
  });
}
