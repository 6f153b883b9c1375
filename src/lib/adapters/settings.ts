import type { HearthDB } from './db';

/**
 * The relays this device syncs through [SYNC-4], in order: the first one that answers is the one
 * "up to date" is measured against. `''` stands for the relay that served this app (same origin),
 * the right default: the app and the relay share one origin. Several relays (say an NGO's and a
 * clinic's) each get every group this phone holds. A laptop at a meeting with no internet is not
 * one of them for an installed app: see checkRelayUrl and NEAR-9.
 */
export async function loadRelayUrls(db: HearthDB): Promise<string[]> {
  const list = await db.settings.get('relayUrls');
  if (Array.isArray(list?.value) && list.value.every((x) => typeof x === 'string'))
    return list.value;
  // Before several relays: one address that replaced the app's own relay.
  const one = await db.settings.get('relayUrl');
  return typeof one?.value === 'string' && one.value ? [one.value] : [''];
}

export async function saveRelayUrls(db: HearthDB, urls: string[]): Promise<void> {
  await db.settings.put({ key: 'relayUrls', value: [...new Set(urls)] });
}

/** The same-origin relay: `ws(s)://<origin>/sync`. */
export function sameOriginRelay(location: { protocol: string; host: string }): string {
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
