/**
 * Relay addresses as people type them and as the app connects to them [SYNC-4, NEAR-9]. Pure: the
 * page's own address is passed in.
 */

/** The same-origin relay: `ws(s)://<origin>/sync`. */
function sameOriginRelay(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/sync`;
}

/** `ws(s)://<origin>/sync` for the same-origin relay, or the configured address. */
export function effectiveRelayUrl(
  configured: string,
  location: { protocol: string; host: string }
): string {
  return configured || sameOriginRelay(location);
}

/** The addresses to connect to, in order, without repeats; never empty. */
export function effectiveRelayUrls(
  configured: string[],
  location: { protocol: string; host: string }
): string[] {
  const out = [...new Set(configured.map((u) => effectiveRelayUrl(u, location)))];
  return out.length > 0 ? out : [sameOriginRelay(location)];
}

/**
 * Checks a relay address typed by a person (the screen says what is wrong, in their words). From
 * a page opened securely (https, as an installed app is), browsers refuse plain `ws://` to any
 * host but this device itself ("mixed content"), so such an address is refused here with that
 * reason rather than saved and never reached [NEAR-9].
 */
export function checkRelayUrl(
  input: string,
  page: { protocol: string } = { protocol: 'http:' }
): { ok: true; url: string } | { ok: false; reason: 'invalid' | 'insecure' } {
  const text = input.trim();
  if (text === '') return { ok: true, url: '' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (url.pathname === '/') url.pathname = '/sync';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, reason: 'invalid' };
  }
  if (page.protocol === 'https:' && url.protocol === 'ws:' && !isLoopback(url.hostname))
    return { ok: false, reason: 'insecure' };
  return { ok: true, url: url.toString() };
}

/** This device itself: the only place a secure page may reach over plain ws://. */
function isLoopback(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d+\.\d+\.\d+$/.test(host) ||
    host === '[::1]'
  );
}
