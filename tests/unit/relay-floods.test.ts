/**
 * What a few kilobytes may cost the relay, and what a flood of ids may [OPS-15, OPS-16].
 *
 * Who abuses it, and how:
 * - Anyone with a WebSocket: a 64 KiB sync message carrying a document whose one value is 64 MiB
 *   of zeros, DEFLATE-compressed. It passes the message and document limits, both counted on
 *   compressed bytes; loading it grew the relay by about 170 MiB each, for good (WebAssembly
 *   memory never shrinks). In `admit: groups` mode the gate decoded it to judge it.
 * - Anyone with one address: many connections, each asking for hundreds of random document ids,
 *   inside every documented limit. The relay kept a handle of 45-50 KiB for each id it did not
 *   have until eviction, and spent its time collecting garbage while /healthz waited.
 */
import * as A from '@automerge/automerge';
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  Repo,
  type PeerId
} from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { decode, encode } from 'cbor-x';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { DocumentSizes } from '../../sync-server/src/metrics';
import { residentBytes } from '../kit/proc';
import { eventually, fullyAcknowledged, relayMetric, RelayKit } from '../kit/relay-kit';

const kit = new RelayKit();
afterEach(() => kit.cleanup());

/** A well-formed document id that no one has. */
function randomId(): string {
  return parseAutomergeUrl(generateAutomergeUrl()).documentId;
}

/**
 * The sync message a peer sends a relay that has nothing of its document: automerge 3 sends the
 * whole document as one compressed chunk (a version-2 sync message).
 */
function bombMessage(mebibytes: number): Uint8Array {
  let doc = A.from<{ v?: Uint8Array }>({});
  doc = A.change(doc, (d) => {
    d.v = new Uint8Array(mebibytes << 20);
  });
  const [, hello] = A.generateSyncMessage(A.init(), A.initSyncState());
  const [, state] = A.receiveSyncMessage(doc, A.initSyncState(), hello!);
  const [, message] = A.generateSyncMessage(doc, state);
  return message!;
}

/** A raw WebSocket peer that has joined the relay; resolves with the relay's peer id. */
async function rawPeer(url: string, name: string) {
  const ws = new WebSocket(url);
  ws.on('error', () => undefined);
  await new Promise((r) => ws.once('open', r));
  const peer = new Promise<string>((resolve) =>
    ws.once('message', (data: Buffer) => resolve((decode(data) as { senderId: string }).senderId))
  );
  ws.send(
    encode({
      type: 'join',
      senderId: name,
      peerMetadata: {},
      supportedProtocolVersions: ['1']
    })
  );
  return { ws, relayId: await peer };
}

describe('[OPS-15] a compressed bomb is refused before the relay holds it', () => {
  for (const mode of ['any', 'groups'] as const)
    it(`admit ${mode}: twelve 64 MiB documents in 64 KiB messages leave memory bounded, each refused with a reason`, async () => {
      const bomb = bombMessage(64);
      expect(bomb.byteLength).toBeLessThan(128 * 1024);
      const relay = await kit.process({ flags: ['--admit', mode] });
      const pid = relay.child.pid!;
      // An honest member's document, before and after.
      const member = await kit.peer(relay.url, 'member');
      const honest = member.create<{ notes: string[] }>({ notes: ['before'] });
      if (mode === 'any') await eventually(() => fullyAcknowledged(member, honest));
      const before = residentBytes(pid);
      const ids: string[] = [];
      const sockets: WebSocket[] = [];
      for (let i = 0; i < 12; i++) {
        const { ws, relayId } = await rawPeer(relay.url, `bomber-${i}`);
        const documentId = randomId();
        ids.push(documentId);
        ws.send(
          encode({
            type: 'sync',
            senderId: `bomber-${i}`,
            targetId: relayId,
            documentId,
            data: bomb
          })
        );
        sockets.push(ws);
      }
      // Time for the relay to take them in, as it did (in a second or two each) before.
      await new Promise((r) => setTimeout(r, 3000));
      const grown = residentBytes(pid) - before;
      const refused = await relayMetric(
        relay.base,
        'hearth_relay_refused_total{reason="decoded-size"}'
      );
      console.log(
        JSON.stringify({
          bomb: mode,
          messageBytes: bomb.byteLength,
          rssGrownMiB: grown >> 20,
          refused
        })
      );
      expect(grown).toBeLessThan(96 * 2 ** 20);
      expect(refused).toBe(12);
      // Nothing of them was kept: a newcomer asking for one hears it is unavailable.
      const probe = new Repo({
        network: [new WebSocketClientAdapter(relay.url, 200)],
        peerId: `probe-${Math.random()}` as PeerId
      });
      await new Promise((r) => probe.networkSubsystem.once('peer', r));
      await expect(probe.find(ids[0] as never)).rejects.toThrow(/unavailable/);
      await probe.shutdown();
      for (const ws of sockets) ws.close();
      // The relay still serves its members.
      expect((await fetch(`${relay.base}/healthz`)).status).toBe(200);
      if (mode === 'any') {
        honest.change((d) => void d.notes.push('after'));
        await eventually(() => fullyAcknowledged(member, honest));
      }
    }, 120_000);
});

describe('[OPS-15] a document holds no more than its limits, counted before it is loaded', () => {
  it('past maxDocumentChanges, further changes are refused with a reason; what was taken stays readable', async () => {
    const { url, base } = await kit.start({ flags: ['--max-document-changes', '20'] });
    const writer = await kit.peer(url, 'writer');
    const h = writer.create<{ n: number[] }>({ n: [] });
    for (let i = 0; i < 40; i++) {
      h.change((d) => void d.n.push(i));
      await new Promise((r) => setTimeout(r, 10));
    }
    await eventually(
      async () => (await relayMetric(base, 'hearth_relay_refused_total{reason="change-count"}')) > 0
    );
    const reader = await kit.peer(url, 'reader');
    const seen = (await reader.find<{ n: number[] }>(h.documentId)).doc().n;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(20);
    expect(fullyAcknowledged(writer, h)).toBe(false);
  });

  it('a burst of messages that each fit but together go past maxDocumentChanges, sent while the first waits for storage, is counted as one: no more than the limit is taken', async () => {
    const { relay, url, base } = await kit.start({ flags: ['--max-document-changes', '20'] });
    // 40 changes of a document the relay has not seen, one per sync message, sent at once: the
    // first waits while storage is asked; the others are measured as they arrive.
    let doc = A.from<{ n: number[] }>({ n: [] });
    for (let i = 0; i < 39; i++) doc = A.change(doc, (d) => void d.n.push(i));
    const changes = A.getAllChanges(doc);
    expect(changes).toHaveLength(40);
    const documentId = randomId();
    const { ws, relayId } = await rawPeer(url, 'burst');
    for (let i = 0; i < changes.length; i++) {
      const heads = A.getHeads(A.applyChanges(A.init(), changes.slice(0, i + 1))[0]);
      const data = A.encodeSyncMessage({ heads, need: [], have: [], changes: [changes[i]!] });
      ws.send(encode({ type: 'sync', senderId: 'burst', targetId: relayId, documentId, data }));
    }
    await eventually(
      async () => (await relayMetric(base, 'hearth_relay_refused_total{reason="change-count"}')) > 0
    );
    await eventually(() => !!relay.repo.handles[documentId as never]?.isReady());
    await new Promise((r) => setTimeout(r, 500));
    const held = A.getAllChanges(relay.repo.handles[documentId as never]!.doc()).length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(20);
    ws.close();
  });

  it('what waits for its turn counts; when its turn is over it is either in the document or given back, so refused or dropped messages use up nothing', async () => {
    const sizes = new DocumentSizes();
    const storage = sizes.wrap({
      load: () => Promise.resolve(undefined),
      save: () => Promise.resolve(),
      remove: () => Promise.resolve(),
      loadRange: () => Promise.resolve([]),
      removeRange: () => Promise.resolve()
    });
    sizes.reserve('d', { bytes: 100, changes: 5 });
    sizes.reserve('d', { bytes: 50, changes: 2 });
    expect(sizes.decoded('d')).toEqual({ bytes: 150, changes: 7 });
    // Refused by admission, or its connection closed before its turn: given back.
    sizes.settle('d', { bytes: 50, changes: 2 }, false);
    expect(sizes.decoded('d')).toEqual({ bytes: 100, changes: 5 });
    // Taken: still counted, now as in memory…
    sizes.settle('d', { bytes: 100, changes: 5 }, true);
    expect(sizes.decoded('d')).toEqual({ bytes: 100, changes: 5 });
    // …while one more waits; a save of the document captures what was taken, not what waits.
    sizes.reserve('d', { bytes: 10, changes: 1 });
    const saved = A.save(A.from({ n: 1 }));
    await storage.save(['d', 'snapshot', 'h'], saved);
    const stored = sizes.decoded('d');
    expect(stored.changes).toBe(1 + 1);
    sizes.settle('d', { bytes: 10, changes: 1 }, false);
    expect(sizes.decoded('d').changes).toBe(1);
    // A change taken while a save was being made: the save clears what was pending, the change
    // is not in the saved chunk, and only the document in memory still counts it.
    sizes.reserve('d', { bytes: 10, changes: 1 });
    sizes.settle('d', { bytes: 10, changes: 1 }, true);
    await storage.save(['d', 'incremental', 'h2'], A.save(A.from({ n: 2 })));
    expect(sizes.decoded('d').changes).toBe(2);
    expect(sizes.decoded('d', { changes: 3 }).changes).toBe(3);
    // The larger of the two counts: memory never lowers what storage holds.
    expect(sizes.decoded('d', { changes: 1 }).changes).toBe(2);
  });

  it('past maxDocumentDecodedBytes, a change that would take it further is refused', async () => {
    const { url, base } = await kit.start({
      flags: ['--max-document-decoded-bytes', String(256 * 1024)]
    });
    const writer = await kit.peer(url, 'writer');
    const h = writer.create<{ parts: Uint8Array[] }>({ parts: [] });
    // Each change adds 64 KiB of random bytes (incompressible: the stored size says the same).
    for (let i = 0; i < 8; i++) {
      h.change((d) => void d.parts.push(crypto.getRandomValues(new Uint8Array(64 * 1024))));
      await new Promise((r) => setTimeout(r, 50));
    }
    await eventually(
      async () => (await relayMetric(base, 'hearth_relay_refused_total{reason="decoded-size"}')) > 0
    );
    const reader = await kit.peer(url, 'reader');
    expect(
      (await reader.find<{ parts: Uint8Array[] }>(h.documentId)).doc().parts.length
    ).toBeLessThan(5);
  });
});

describe('[OPS-16] a flood of unknown ids costs the relay nothing it keeps', () => {
  it('someone who asked for a document a moment before its creator uploaded it is served once it arrives, without asking again', async () => {
    const { relay, url } = await kit.start();
    // The creator's phone makes the group offline; it connects only after the others asked.
    const creator = new Repo({ network: [], peerId: 'creator-offline' as PeerId });
    const h = creator.create<{ note: string }>({ note: 'written before anyone else had it' });
    const early = await kit.peer(url, 'early');
    // One who asks and leaves before the upload: the relay forgets the ask (nothing to send to).
    const left = new Repo({
      network: [new WebSocketClientAdapter(url, 200)],
      peerId: 'left-early' as PeerId
    });
    await new Promise((resolve) => left.networkSubsystem.once('peer', resolve));
    const asked = (repo: Repo) =>
      repo.find<{ note: string }>(h.url).then(
        () => 'found',
        () => 'unavailable'
      );
    // Nobody has it yet: both are told so at once.
    expect(await asked(early)).toBe('unavailable');
    expect(await asked(left)).toBe('unavailable');
    await left.shutdown();
    const link = new WebSocketClientAdapter(url, 200);
    creator.networkSubsystem.addNetworkAdapter(link);
    try {
      await eventually(() => !!relay.repo.handles[h.documentId]?.isReady(), 10_000);
      // The early asker's handle fills from what the relay sends, with no second find.
      await eventually(() => early.handles[h.documentId]?.isReady() === true, 10_000);
      expect((early.handles[h.documentId]!.doc() as { note: string }).note).toBe(
        'written before anyone else had it'
      );
    } finally {
      await creator.shutdown();
    }
  });

  it('12 connections from one address ask for 500 ids each, inside every limit: health answers within a second, memory stays bounded, the asks are answered and counted', async () => {
    const relay = await kit.process({});
    const pid = relay.child.pid!;
    const before = residentBytes(pid);
    let slowest = 0;
    let polling = true;
    const poll = (async () => {
      while (polling) {
        const t = Date.now();
        const res = await fetch(`${relay.base}/healthz`);
        expect(res.status).toBe(200);
        slowest = Math.max(slowest, Date.now() - t);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let answered = 0;
    let asked = 0;
    let peakRss = before;
    await Promise.all(
      Array.from({ length: 12 }, async (_, c) => {
        const { ws, relayId } = await rawPeer(relay.url, `asker-${c}`);
        ws.on('message', (data: Buffer) => {
          if ((decode(data) as { type: string }).type === 'doc-unavailable') answered++;
        });
        // 50 a second: half the per-connection rate limit.
        for (let i = 0; i < 500 && ws.readyState === ws.OPEN; i++) {
          ws.send(
            encode({
              type: 'request',
              senderId: `asker-${c}`,
              targetId: relayId,
              documentId: randomId(),
              data: A.encodeSyncMessage({
                heads: [],
                need: [],
                have: [{ lastSync: [], bloom: new Uint8Array() }],
                changes: []
              })
            })
          );
          asked++;
          if (i % 10 === 9) {
            peakRss = Math.max(peakRss, residentBytes(pid));
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        await new Promise((r) => setTimeout(r, 1000));
        ws.close();
      })
    );
    polling = false;
    await poll;
    const grown = peakRss - before;
    const refused = await relayMetric(
      relay.base,
      'hearth_relay_refused_total{reason="unknown-documents"}'
    );
    console.log(
      JSON.stringify({
        flood: 'unknown ids',
        asked,
        answered,
        refused: refused || 0,
        healthSlowestMs: slowest,
        rssPeakGrownMiB: grown >> 20
      })
    );
    expect(slowest).toBeLessThan(1000);
    expect(grown).toBeLessThan(100 * 2 ** 20);
    // The relay keeps no handle for ids it does not have.
    expect(await relayMetric(relay.base, 'hearth_relay_documents_in_memory')).toBeLessThan(50);
    expect(relay.output()).not.toMatch(/unhandled|Uncaught/i);
    // Asks kept for later cost one close listener per connection, not one per id.
    expect(relay.output()).not.toMatch(/MaxListenersExceeded/);
    expect(await relayMetric(relay.base, 'hearth_relay_errors_total{kind="unhandled"}')).toBeNaN();
  }, 180_000);
});
