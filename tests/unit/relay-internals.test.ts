/**
 * The relay's reach into automerge-repo beyond its documented API is one module
 * (`sync-server/src/repo-internals.ts`, ADR 0035). These tests pin the version it was read from
 * and check every one of its touches on real Repos joined by a real WebSocket, so an upgrade that
 * renames or reshapes one fails here, by name.
 */
import {
  generateAutomergeUrl,
  Repo,
  type AutomergeUrl,
  type DocumentId,
  type PeerId
} from '@automerge/automerge-repo';
import {
  WebSocketClientAdapter,
  WebSocketServerAdapter
} from '@automerge/automerge-repo-network-websocket';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import {
  forgetUnloaded,
  foreverPromise,
  heldCount,
  heldHandle,
  heldHandles,
  markUnavailableAt,
  networkAdapters,
  onDocumentDenied,
  onPeerLeft,
  peersOf,
  storageSubsystem,
  WRITTEN_AGAINST
} from '../../sync-server/src/repo-internals';

const until = async (ok: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanups.splice(0).reverse()) await f();
});

/** A "relay" repo on a WebSocket and a client repo connected to it. */
async function pair(o: { deny?: AutomergeUrl[] } = {}) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as AddressInfo).port;
  const server = new WebSocketServerAdapter(wss as never);
  const relay = new Repo({
    network: [server],
    peerId: 'relay' as PeerId,
    sharePolicy: () => Promise.resolve(false),
    denylist: o.deny ?? []
  });
  const client = new Repo({
    network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}`)],
    peerId: 'client' as PeerId
  });
  cleanups.push(() => {
    for (const r of [relay, client])
      for (const adapter of networkAdapters(r))
        try {
          adapter.disconnect();
        } catch {
          // already disconnected by the test
        }
    for (const socket of wss.clients) socket.terminate();
    return new Promise((r) => wss.close(r));
  });
  await until(() => relay.peers.length === 1 && client.peers.length === 1);
  return { relay, client, server };
}

describe('automerge-repo internals the relay relies on (one module, version pinned)', () => {
  it('[OPS-8] the installed automerge-repo is the release repo-internals.ts was read from', () => {
    const pkg = JSON.parse(
      readFileSync('node_modules/@automerge/automerge-repo/package.json', 'utf8')
    ) as { version: string };
    expect(pkg.version, 'upgrade: re-read sync-server/src/repo-internals.ts').toBe(WRITTEN_AGAINST);
    const declared = (
      JSON.parse(readFileSync('package.json', 'utf8')) as {
        dependencies: Record<string, string>;
      }
    ).dependencies['@automerge/automerge-repo'];
    expect(declared).toBe(`~${WRITTEN_AGAINST}`);
  });

  it('[OPS-8] the handle cache: held handles, their count, and forgetting one that never loaded', async () => {
    const { relay, client } = await pair();
    // The client offers what it makes; the relay (which offers nothing) takes it in.
    const id = client.create({ n: 1 }).documentId;
    await until(() => heldHandle(relay, id)?.isReady() === true);
    const found = heldHandle(relay, id);
    expect(heldHandles(relay).map(([d]) => d)).toEqual([id]);
    expect(heldCount(relay)).toBe(1);
    // Loaded: forgetting does nothing (the relay unloads those with removeFromCache).
    forgetUnloaded(relay, id);
    expect(heldHandle(relay, id)).toBe(found);
    // Asked for, nobody has it: the handle stays "unavailable" until forgotten.
    const missing = 'zzzzzzzzzzzzzzzzzzzzzzzzzzzz' as DocumentId;
    const nobody = generateAutomergeUrl();
    await expect(client.find(nobody)).rejects.toThrow();
    const gone = nobody.replace('automerge:', '');
    expect(heldHandle(client, gone)?.state).toBe('unavailable');
    forgetUnloaded(client, gone);
    expect(heldHandle(client, gone)).toBeUndefined();
    expect(heldHandle(client, missing)).toBeUndefined();
  });

  it('[REL-5] the synchronizer: who a document was exchanged with, a peer leaving, and "that peer does not have it"', async () => {
    const { relay, client } = await pair();
    const id = client.create({ n: 1 }).documentId;
    await until(() => peersOf(relay, id).includes('client' as PeerId));
    expect(peersOf(relay, 'not-a-document')).toEqual([]);
    // Told that the client lacks a document it never heard of, the relay takes note of it and,
    // with no other peer to ask, holds it as unavailable.
    const asked = generateAutomergeUrl().replace('automerge:', '');
    expect(heldHandle(relay, asked)).toBeUndefined();
    await markUnavailableAt(relay, 'client' as PeerId, 'relay' as PeerId, asked);
    await until(() => heldHandle(relay, asked)?.state === 'unavailable');
    let left = 0;
    onPeerLeft(relay, () => left++);
    for (const adapter of networkAdapters(client)) adapter.disconnect();
    await until(() => left > 0);
  });

  it('[OPS-4] a denied document is reported and answered as unavailable; the storage subsystem is the repo’s own; the never-settling promise never settles', async () => {
    const deniedUrl = generateAutomergeUrl();
    const { relay, client } = await pair({ deny: [deniedUrl] });
    let denied = 0;
    onDocumentDenied(relay, () => denied++);
    await expect(client.find(deniedUrl)).rejects.toThrow();
    expect(denied).toBe(1);
    expect(networkAdapters(relay)).toHaveLength(1);
    // No storage given: none; given one, its saveDoc is what the relay guards.
    expect(storageSubsystem(relay)).toBeUndefined();
    const stored = new Repo({ network: [], storage: new MemoryStorage() });
    expect(typeof storageSubsystem(stored)?.saveDoc).toBe('function');
    const settled = await Promise.race([
      foreverPromise.then(() => 'settled'),
      new Promise((r) => setTimeout(r, 50, 'pending'))
    ]);
    expect(settled).toBe('pending');
  });
});

/** The smallest storage adapter automerge-repo accepts. */
class MemoryStorage {
  data = new Map<string, Uint8Array>();
  load(key: string[]) {
    return Promise.resolve(this.data.get(key.join('/')));
  }
  save(key: string[], d: Uint8Array) {
    this.data.set(key.join('/'), d);
    return Promise.resolve();
  }
  remove(key: string[]) {
    this.data.delete(key.join('/'));
    return Promise.resolve();
  }
  loadRange(prefix: string[]) {
    const p = prefix.join('/');
    return Promise.resolve(
      [...this.data]
        .filter(([k]) => k.startsWith(p))
        .map(([k, data]) => ({ key: k.split('/'), data }))
    );
  }
  removeRange(prefix: string[]) {
    for (const k of [...this.data.keys()]) if (k.startsWith(prefix.join('/'))) this.data.delete(k);
    return Promise.resolve();
  }
}
