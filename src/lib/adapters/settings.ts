import type { HearthDB } from './db';

/**
 * The relays this device syncs through [SYNC-4], in order: the first one that answers is the one
 * "up to date" is measured against. `''` stands for the relay that served this app (same origin),
 * the right default: the app and the relay share one origin. Several relays (say an NGO's and a
 * clinic's) each get every group this phone holds. A laptop at a meeting with no internet is not
 * one of them for an installed app: see checkRelayUrl (core/sync/relay-address) and NEAR-9.
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
