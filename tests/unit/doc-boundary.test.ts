import 'fake-indexeddb/auto';
import {
  isValidDocumentId,
  NetworkAdapter,
  Repo,
  type StorageAdapterInterface,
  type StorageKey
} from '@automerge/automerge-repo';
import { HearthDB } from '../../src/lib/adapters/db';
import { DexieStorageAdapter } from '../../src/lib/adapters/dexie-storage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDocumentId } from '../../src/lib/adapters/doc-id';
import type { Request } from '../../src/lib/adapters/doc-protocol';
import { serveRepo } from '../../src/lib/adapters/doc-service';
import { hearthOf } from '../../src/lib/adapters/repo';
import { toHex } from '../../src/lib/core/encoding/hex';
import { ledgerDocWith, putEntry, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { entryId } from '../../src/lib/core/ledger/envelope';
import { repoOverChannel } from '../kit/repo-channel';
import { found, join, Net } from '../kit/session-kit';

/**
 * The page/worker boundary (ADR 0018) [APP-11]: the page holds no Automerge document, only the
 * entries of the groups it shows, kept current by messages from where automerge-repo runs. These
 * tests run both ends over a real MessageChannel with a real (in-memory) repo.
 */

const until = async (check: () => boolean) => {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

function group() {
  const net = new Net();
  const { groupId, founder } = found(net);
  return { net, groupId, founder, entries: [...net.entries.values()] };
}

/** A group document in a real repo, and the page's view of it across the channel. */
async function opened() {
  const repo = new Repo({ network: [] });
  const g = group();
  const handle = repo.create<LedgerDoc>(ledgerDocWith(g.groupId, g.entries));
  const hearth = await repoOverChannel(repo);
  const doc = await hearth.findGroup(handle.documentId as never);
  return { g, handle, hearth, doc };
}

describe('The page and the worker that runs automerge-repo', () => {
  it('[APP-11] a link is checked on the page exactly as automerge-repo checks it, without loading it', () => {
    const repo = new Repo({ network: [] });
    for (let i = 0; i < 50; i++) {
      const id = repo.create({}).documentId;
      expect(isDocumentId(id)).toBe(true);
      // One character changed: the checksum no longer holds (both say so).
      const j = i % id.length;
      const other = id.slice(0, j) + (id[j] === 'a' ? 'b' : 'a') + id.slice(j + 1);
      expect(isDocumentId(other)).toBe(isValidDocumentId(other));
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        expect(isDocumentId(s)).toBe(isValidDocumentId(s));
      }),
      { numRuns: 2000 }
    );
    for (const s of ['', '1', '11111', '0OIl', 'automerge:abc', ' '.repeat(30)])
      expect(isDocumentId(s)).toBe(isValidDocumentId(s));
  });

  it('[APP-11] the page sees a document’s entries, its later changes entry by entry, and what it writes at once', async () => {
    const { g, handle, hearth, doc } = await opened();
    expect(doc.doc().groupId).toBe(toHex(g.groupId));
    expect(Object.keys(doc.doc().entries).sort()).toEqual(g.entries.map(entryId).sort());
    expect(doc.heads()).toEqual(handle.heads());

    // Another member's entry arrives in the document: the page hears of it.
    let changes = 0;
    doc.on('change', () => changes++);
    join(g.net, g.groupId, g.founder, 201, 'Sam');
    const fresh = [...g.net.entries.values()].filter((b) => !(entryId(b) in doc.doc().entries));
    expect(fresh.length).toBeGreaterThan(0);
    handle.change((d) => {
      for (const b of fresh) putEntry(d, b);
    });
    await until(() => fresh.every((b) => entryId(b) in doc.doc().entries));
    expect(changes).toBeGreaterThan(0);
    expect(doc.heads()).toEqual(handle.heads());

    // Deleted in the document (a hostile writer): gone on the page too.
    const gone = entryId(g.entries[1]!);
    handle.change((d) => {
      delete d.entries[gone];
    });
    await until(() => !(gone in doc.doc().entries));
    expect(gone in doc.doc().entries).toBe(false);

    // The page writes: in its view at once, in the document when the other side has it.
    const back = g.entries[1]!;
    const written = doc.put([back]);
    expect(gone in doc.doc().entries).toBe(true);
    await written;
    expect(Object.keys(handle.doc().entries)).toContain(gone);
    await until(() => doc.heads().join() === handle.heads().join());
    hearth.close();
  });

  it('[APP-11] a write is answered only once it is in the device’s storage: a page closed right after loses nothing', async () => {
    const db = new HearthDB(`boundary-${Math.random()}`);
    const repo = new Repo({ network: [], storage: new DexieStorageAdapter(db) });
    const hearth = await repoOverChannel(repo);
    const g = group();
    const id = await hearth.createGroup(g.groupId, g.entries.slice(0, 1));
    const doc = await hearth.findGroup(id);
    await doc.put(g.entries.slice(1));
    // The page goes away at once: a new repo on the same storage (a reload) has every entry.
    hearth.close();
    const again = new Repo({ network: [], storage: new DexieStorageAdapter(db) });
    const reloaded = await again.find<LedgerDoc>(id as never);
    expect(Object.keys(reloaded.doc().entries).sort()).toEqual(g.entries.map(entryId).sort());
    db.close();
  });

  it('[APP-11] errors cross with their names; a page that stops waiting stops the search; requests before start are refused', async () => {
    const repo = new Repo({ network: [] });
    const hearth = await repoOverChannel(repo);
    // Nobody has this document: automerge-repo's "unavailable" reaches the page as it was.
    const nowhere = new Repo({ network: [] }).create({}).documentId;
    await expect(hearth.findGroup(nowhere as never)).rejects.toThrow(/unavailable/i);
    // A signal the page aborts rejects at once with its reason.
    const stop = new AbortController();
    const waiting = hearth.findGroup(nowhere as never, stop.signal);
    stop.abort(new DOMException('gone', 'TimeoutError'));
    await expect(waiting).rejects.toMatchObject({ name: 'TimeoutError' });
    // A write that cannot be stored leaves the page's view again, and says so.
    const g = group();
    const handle = repo.create<LedgerDoc>(ledgerDocWith(g.groupId, g.entries.slice(0, 1)));
    const doc = await hearth.findGroup(handle.documentId as never);
    await repo.removeFromCache(handle.documentId);
    const entry = g.entries[1]!;
    // The document is no longer in the repo and nobody has it: the write fails.
    repo.delete(handle.documentId);
    await expect(doc.put([entry])).rejects.toThrow();
    expect(entryId(entry) in doc.doc().entries).toBe(false);
    hearth.close();

    // The serving side refuses work before it is started, with a clear error.
    const channel = new MessageChannel();
    for (const p of [channel.port1, channel.port2]) (p as unknown as { unref(): void }).unref();
    serveRepo(channel.port2, () => Promise.resolve(hearthOf(repo)));
    const answer = new Promise<unknown>((resolve) => {
      channel.port1.onmessage = (e) => resolve(e.data);
    });
    channel.port1.postMessage({ id: 7, op: 'find', doc: handle.documentId } satisfies Request);
    expect(await answer).toMatchObject({ id: 7, ok: false, error: { message: 'not started' } });
    channel.port1.close();
  });

  it('[APP-11] [SNK-1] [SNK-3] files are made and taken in on the worker side; only groups this person keeps are merged into', async () => {
    const a = new Repo({ network: [] });
    const b = new Repo({ network: [] });
    const g = group();
    const handle = a.create<LedgerDoc>(ledgerDocWith(g.groupId, g.entries));
    const pa = await repoOverChannel(a);
    const pb = await repoOverChannel(b);
    await pa.findGroup(handle.documentId as never);
    const file = await pa.bundle(handle.documentId as never, null, 1_700_000_000);
    const taken = await pb.importBundle(file, []);
    expect(taken).toMatchObject({ ok: true, value: { created: true, added: g.entries.length } });
    const copy = await pb.findGroup(handle.documentId as never);
    expect(Object.keys(copy.doc().entries).sort()).toEqual(g.entries.map(entryId).sort());
    // A damaged file: a clear reason, nothing changed.
    const damaged = file.slice();
    damaged[damaged.length - 5] = damaged[damaged.length - 5]! ^ 0xff;
    const refused = await pb.importBundle(damaged, [handle.documentId]);
    expect(refused.ok).toBe(false);
    pa.close();
    pb.close();
  });

  it('[APP-11] what a relay reports holding reaches the page, so it can tell the group is in sync', async () => {
    const { handle, hearth, doc } = await opened();
    let heard = 0;
    doc.on('remote-heads', () => heard++);
    handle.emit('remote-heads', {
      storageId: 'relay-storage' as never,
      heads: handle.heads(),
      timestamp: 1
    });
    await until(() => heard > 0);
    expect(doc.getSyncInfo('relay-storage')?.lastHeads).toEqual(handle.heads());
    expect(doc.getSyncInfo('another')).toBeUndefined();
    hearth.close();
  });
});

/** Storage in memory whose reads take `ms`: a slow phone's IndexedDB. */
function slowStorage(ms: number): StorageAdapterInterface {
  const data = new Map<string, { key: StorageKey; data: Uint8Array }>();
  const wait = () => new Promise((r) => setTimeout(r, ms));
  const id = (key: StorageKey) => key.join('\u0000');
  const under = (prefix: StorageKey) =>
    [...data.values()].filter((c) => prefix.every((p, i) => c.key[i] === p));
  return {
    load: async (key) => {
      await wait();
      return data.get(id(key))?.data;
    },
    save: (key, bytes) => {
      data.set(id(key), { key, data: bytes });
      return Promise.resolve();
    },
    remove: (key) => {
      data.delete(id(key));
      return Promise.resolve();
    },
    loadRange: async (prefix) => {
      await wait();
      return under(prefix);
    },
    removeRange: (prefix) => {
      for (const c of under(prefix)) data.delete(id(c.key));
      return Promise.resolve();
    }
  };
}

/** A network that is not ready until `open()` (a phone whose relay connection is still coming up). */
class GatedNetwork extends NetworkAdapter {
  #ready = false;
  #open!: () => void;
  readonly #gate = new Promise<void>((r) => (this.#open = r));
  isReady(): boolean {
    return this.#ready;
  }
  whenReady(): Promise<void> {
    return this.#gate;
  }
  open(): void {
    this.#ready = true;
    this.#open();
  }
  connect(): void {}
  send(): void {}
  disconnect(): void {}
}

describe('A page that stops waiting for a document', () => {
  it('[APP-11] a document this phone does not have yet, given up on while the network was still coming up, can be looked for again (the join page does this when the person names themselves)', async () => {
    const network = new GatedNetwork();
    const repo = new Repo({ network: [network], storage: slowStorage(20) });
    const hearth = await repoOverChannel(repo);
    const missing = new Repo({ network: [] }).create({}).documentId;
    try {
      const stop = new AbortController();
      const first = hearth.findGroup(missing as never, stop.signal);
      setTimeout(() => stop.abort(new Error('the page closed this look')), 50);
      await expect(first).rejects.toThrow('the page closed this look');
      network.open();
      // Nobody has it: the answer is "unavailable", as for a look never given up on, and it
      // comes; not the first look's failure, and not a wait for ever.
      const again = await Promise.race([
        hearth.findGroup(missing as never).then(
          () => 'found',
          (e: unknown) => (e instanceof Error ? e.message : String(e))
        ),
        new Promise((r) => setTimeout(() => r('still waiting after 5 s'), 5000))
      ]);
      expect(again).toMatch(/unavailable/i);
    } finally {
      hearth.close();
      // automerge-repo 2.5.6's shutdown reads every handle, and one that is unavailable throws.
      await repo.shutdown().catch(() => undefined);
    }
  });

  it('[APP-11] leaves it loadable: the join page closes its first look at a group the moment the person names themselves, and the next look must still open it', async () => {
    const storage = slowStorage(200);
    const g = group();
    const writer = new Repo({ network: [], storage });
    const made = writer.create<LedgerDoc>(ledgerDocWith(g.groupId, g.entries));
    await writer.flush([made.documentId]);
    await writer.shutdown();

    const repo = new Repo({ network: [], storage });
    const hearth = await repoOverChannel(repo);
    try {
      const stop = new AbortController();
      const first = hearth.findGroup(made.documentId as never, stop.signal);
      // Mid-load (storage is still reading): the page gives up on this look.
      setTimeout(() => stop.abort(new Error('closed')), 50);
      await expect(first).rejects.toThrow();
      const again = await Promise.race([
        hearth.findGroup(made.documentId as never).then((d) => d.doc().groupId),
        new Promise((r) => setTimeout(() => r('still waiting after 5 s'), 5000))
      ]);
      expect(again).toBe(toHex(g.groupId));
    } finally {
      hearth.close();
      await repo.shutdown();
    }
  });
});
