// Per-site switch: suggestions are on for every http(s) site unless its host is in disabledSites.

/** The site key (hostname) for an http(s) URL, or null for other pages. */
export function siteOf(url) {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

export function isSiteEnabled(url, disabledSites = []) {
  const site = siteOf(url);
  return site !== null && !disabledSites.includes(site);
}

/** A new disabledSites list with `site` switched on or off. */
export function withSiteEnabled(disabledSites = [], site, enabled) {
  const rest = disabledSites.filter((s) => s !== site);
  return enabled ? rest : [...rest, site].sort();
}
