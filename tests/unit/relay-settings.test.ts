import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { HearthDB } from '../../src/lib/adapters/db';
import { combineFacts } from '../../src/lib/adapters/repo';
import { loadRelayUrls, saveRelayUrls } from '../../src/lib/adapters/settings';
import { checkRelayUrl, effectiveRelayUrls } from '../../src/lib/core/sync/relay-address';

const here = { protocol: 'https:', host: 'hearth.example.org' };

describe('Several relays', () => {
  it('[NEAR-9] an installed app (https) cannot reach a plain ws:// relay on a local network: the address is refused with that reason, loopback and wss:// are taken', () => {
    for (const typed of [
      'http://192.168.1.20:3030',
      'ws://laptop.local:3030/sync',
      'ws://10.0.0.2:3030'
    ])
      expect(checkRelayUrl(typed, here)).toEqual({ ok: false, reason: 'insecure' });
    expect(checkRelayUrl('https://relay.example.org', here)).toEqual({
      ok: true,
      url: 'wss://relay.example.org/sync'
    });
    expect(checkRelayUrl('http://127.0.0.1:3030', here)).toEqual({
      ok: true,
      url: 'ws://127.0.0.1:3030/sync'
    });
    expect(checkRelayUrl('http://localhost:3030', here).ok).toBe(true);
    expect(checkRelayUrl('not an address', here)).toEqual({ ok: false, reason: 'invalid' });
  });

  it("[SYNC-4] the list keeps its order, '' is the relay the app came from, repeats collapse, and it is never empty", () => {
    expect(effectiveRelayUrls([''], here)).toEqual(['wss://hearth.example.org/sync']);
    expect(effectiveRelayUrls(['', 'ws://192.168.1.20:3030/sync', ''], here)).toEqual([
      'wss://hearth.example.org/sync',
      'ws://192.168.1.20:3030/sync'
    ]);
    expect(effectiveRelayUrls([], here)).toEqual(['wss://hearth.example.org/sync']);
    // A local relay typed as the address its laptop shows, from a page opened over plain http.
    expect(checkRelayUrl('http://192.168.1.20:3030', { protocol: 'http:' })).toEqual({
      ok: true,
      url: 'ws://192.168.1.20:3030/sync'
    });
    expect(checkRelayUrl('ftp://x').ok).toBe(false);
    expect(checkRelayUrl('not an address').ok).toBe(false);
  });

  it('[SYNC-4] saved lists survive a restart; the one address saved before several relays becomes the list', async () => {
    const db = new HearthDB(`hearth-relays-${Date.now()}`);
    expect(await loadRelayUrls(db)).toEqual(['']);
    await db.settings.put({ key: 'relayUrl', value: 'wss://old.example.org/sync' });
    expect(await loadRelayUrls(db)).toEqual(['wss://old.example.org/sync']);
    await saveRelayUrls(db, ['', 'ws://10.0.0.2:3030/sync', '']);
    expect(await loadRelayUrls(db)).toEqual(['', 'ws://10.0.0.2:3030/sync']);
    db.close();
  });

  it('[SYNC-4] several relays read as one: connected when any is, measured against the first connected one', () => {
    const down = { connected: false, failedAttempts: 3, relayStorageId: undefined };
    const up = { connected: true, failedAttempts: 0, relayStorageId: 'store-b' as never };
    expect(combineFacts([down, up])).toEqual({
      connected: true,
      failedAttempts: 0,
      relayStorageId: 'store-b'
    });
    expect(combineFacts([down, { ...down, failedAttempts: 1 }])).toMatchObject({
      connected: false,
      failedAttempts: 1
    });
  });
});
