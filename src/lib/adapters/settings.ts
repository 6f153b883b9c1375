import type { HearthDB } from './db';

/**
 * The relay this device syncs through. Empty means "the relay that served this app", which is the
 * right default: the app and the relay share one origin.
 */
export async function loadRelayUrl(db: HearthDB): Promise<string> {
  const row = await db.settings.get('relayUrl');
  return typeof row?.value === 'string' ? row.value : '';
}

export async function saveRelayUrl(db: HearthDB, url: string): Promise<void> {
  await db.settings.put({ key: 'relayUrl', value: url });
}

/** `ws(s)://<origin>/sync` for the same-origin relay, or the configured address. */
export function effectiveRelayUrl(
  configured: string,
  location: { protocol: string; host: string }
): string {
  if (configured) return configured;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/sync`;
}

/** Checks a relay address typed by a person (the screen says what is wrong, in their words). */
export function checkRelayUrl(input: string): { ok: true; url: string } | { ok: false } {
  const text = input.trim();
  if (text === '') return { ok: true, url: '' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (url.pathname === '/') url.pathname = '/sync';
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false };
  }
  return { ok: true, url: url.toString() };
}
