// The quiet, global indicator: a small grey badge on the toolbar button while the backend is unavailable.

export async function showProblem(api, ui) {
  try {
    await api.action.setBadgeBackgroundColor({ color: '#8a8f98' });
    await api.action.setBadgeText({ text: ui.display === 'prompt' ? '?' : '!' });
    await api.action.setTitle({ title: `Emoji Suggest: ${ui.message}` });
  } catch {
    // no toolbar button in this context: nothing to show
  }
}

export async function clearProblem(api) {
  try {
    await api.action.setBadgeText({ text: '' });
    await api.action.setTitle({ title: 'Emoji Suggest' });
  } catch {
    // ignore
  }
}
