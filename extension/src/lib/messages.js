// Message types and the one router every extension context uses to answer runtime messages.

export const MSG = Object.freeze({
  // to the background (service worker / event page)
  SUGGEST: 'suggest',
  HEALTH: 'health',
  SITE_STATE: 'site-state',
  SET_SITE_ENABLED: 'set-site-enabled',
  RECORD_USE: 'record-use',
  OPEN_OPTIONS: 'open-options',
  // to a content script
  CHECK_FIELD: 'check-field', // may the focused field's selection be sent? (before "Emojify selection")
  EMOJIFY_SELECTION: 'emojify-selection',
});

export class MessageError extends Error {
  constructor(code, message, details = {}) {
    super(message || code);
    this.code = code;
    this.details = details;
  }
}

/**
 * Build an onMessage listener from a map of handlers.
 * A handler is `async (message, sender) => data`, or `{ handle, allow(sender) }` to restrict senders.
 * Answers are `{ok: true, data}` or `{ok: false, error: {code, message, ...details}}`.
 * Messages of other shapes or types are answered with an error, never thrown.
 */
export function createRouter(handlers, { onError } = {}) {
  return function onMessage(message, sender, sendResponse) {
    const type = message && typeof message === 'object' ? message.type : undefined;
    const entry = typeof type === 'string' && Object.hasOwn(handlers, type) ? handlers[type] : undefined;
    if (!entry) {
      sendResponse({ ok: false, error: { code: 'unknown_message', message: `No handler for ${String(type)}` } });
      return false;
    }
    const handle = typeof entry === 'function' ? entry : entry.handle;
    if (typeof entry.allow === 'function' && !entry.allow(sender ?? {})) {
      sendResponse({ ok: false, error: { code: 'forbidden', message: `${type} is not allowed from this sender` } });
      return false;
    }
    Promise.resolve()
      .then(() => handle(message, sender ?? {}))
      .then(
        (data) => sendResponse({ ok: true, data: data ?? null }),
        (err) => {
          if (!(err instanceof MessageError)) onError?.(err, message);
          sendResponse({ ok: false, error: toErrorPayload(err) });
        },
      );
    return true; // the answer comes asynchronously
  };
}

export function toErrorPayload(err) {
  if (err instanceof MessageError) return { ...err.details, code: err.code, message: err.message };
  return { code: 'internal', message: String(err?.message ?? err) };
}

/** Send a message and unwrap the router's answer: resolves with data, rejects with a MessageError. */
export async function request(runtime, message) {
  const answer = await runtime.sendMessage(message);
  if (!answer || typeof answer !== 'object') throw new MessageError('no_answer', 'No answer from the extension');
  if (!answer.ok) {
    const { code = 'internal', message: text, ...details } = answer.error ?? {};
    throw new MessageError(code, text, details);
  }
  return answer.data;
}
