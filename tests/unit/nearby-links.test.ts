import * as Automerge from '@automerge/automerge';
import {
  cbor,
  Repo,
  type DocHandle,
  type DocumentId,
  type PeerId,
  type StorageId
} from '@automerge/automerge-repo';
import { afterEach, describe, expect, it } from 'vitest';
import { LinkNetworkAdapter, portLink, type Link } from '../../src/lib/adapters/link-adapter';
import { NearbyLinks, type LinkEvent } from '../../src/lib/adapters/nearby-links';

/**
 * The worker's side of a direct connection (ADR 0026): a real Repo whose share policy comes from
 * NearbyLinks, a real MessageChannel, and on the other end a repo that asks for whatever it likes
 * (a modified app, or someone who scanned the code) [NEAR-3, NEAR-4, NEAR-7].
 */

interface Doc {
  text: string;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

let counter = 0;
const random = (n: number) => {
  const out = new Uint8Array(n);
  out[0] = ++counter;
  return out;
};

function channel(): [MessagePort, MessagePort] {
  const c = new MessageChannel();
  for (const p of [c.port1, c.port2]) (p as unknown as { unref?: () => void }).unref?.();
  return [c.port1, c.port2];
}

/** A phone: a repo with the app's share policy, holding two groups. */
function phone() {
  const nearby = new NearbyLinks(random);
  const repo = new Repo({
    network: [],
    peerId: `hearth-phone-${++counter}` as PeerId,
    shareConfig: nearby.shareConfig
  });
  nearby.attach(repo);
  const shared = repo.create<Doc>({ text: 'the group both belong to' });
  const other = repo.create<Doc>({ text: 'a group the other phone is not in' });
  cleanups.push(() => repo.shutdown());
  return { nearby, repo, shared, other };
}

/** Whoever is on the other end: a repo that shares and asks for anything. */
function remote(port: MessagePort, peerId = 'remote') {
  const repo = new Repo({
    network: [new LinkNetworkAdapter(portLink(port))],
    peerId: peerId as PeerId,
    sharePolicy: () => Promise.resolve(true)
  });
  cleanups.push(() => repo.shutdown());
  return repo;
}

const waitFor = async (test: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Asks `repo` for a document; resolves to its handle, or 'unavailable'. */
async function ask(repo: Repo, id: DocumentId): Promise<DocHandle<Doc> | 'unavailable'> {
  await waitFor(() => repo.peers.length > 0);
  try {
    return await repo.find<Doc>(id, { signal: AbortSignal.timeout(3000) });
  } catch {
    return 'unavailable';
  }
}

describe('nearby links: the share policy decides, for each phone met in a room', () => {
  it('[NEAR-3] a peer allowed nothing (a stranger who scanned) is offered nothing and gets nothing it asks for by id', async () => {
    const me = phone();
    const [mine, theirs] = channel();
    const events: LinkEvent[] = [];
    me.nearby.add(portLink(mine), [], (e) => events.push(e));
    const stranger = remote(theirs);
    await waitFor(() => events.some((e) => e.state === 'peer'));
    // Asked by id (the stranger knows it, say from an old link): nothing comes.
    expect(await ask(stranger, me.shared.documentId)).toBe('unavailable');
    expect(await ask(stranger, me.other.documentId)).toBe('unavailable');
    await new Promise((r) => setTimeout(r, 300));
    expect(
      Object.keys(stranger.handles).filter((id) => stranger.handles[id as DocumentId]?.isReady())
    ).toEqual([]);
  });

  it('[NEAR-3] a member gets the groups both proved membership of, not the others, even asking by id', async () => {
    const me = phone();
    const [mine, theirs] = channel();
    const events: LinkEvent[] = [];
    me.nearby.add(portLink(mine), [me.shared.documentId], (e) => events.push(e));
    const member = remote(theirs);
    const got = await ask(member, me.shared.documentId);
    expect(got !== 'unavailable' && got.doc().text).toBe('the group both belong to');
    expect(await ask(member, me.other.documentId)).toBe('unavailable');
    // Their changes to the shared group come back.
    if (got === 'unavailable') throw new Error('unreachable');
    got.change((d) => {
      d.text = 'changed in the room';
    });
    await waitFor(() => me.shared.doc().text === 'changed in the room');
  });

  it('[NEAR-3] each lock holds alone: the share policy with the adapter’s filter off, the filter with a policy that shares everything', async () => {
    // The share policy alone.
    const me = phone();
    const [mine, theirs] = channel();
    me.nearby.add(portLink(mine), [], () => undefined, { filter: false });
    const stranger = remote(theirs);
    expect(await ask(stranger, me.shared.documentId)).toBe('unavailable');

    // The adapter's filter alone: a repo that would share anything with anyone.
    const open = new Repo({
      network: [],
      peerId: 'open' as PeerId,
      sharePolicy: () => Promise.resolve(true)
    });
    cleanups.push(() => open.shutdown());
    const doc = open.create<Doc>({ text: 'secret' });
    const [a, b] = channel();
    open.networkSubsystem.addNetworkAdapter(
      new LinkNetworkAdapter(portLink(a), {
        alias: 'near-filter' as PeerId,
        admit: (m) => m.documentId === 'nothing-allowed'
      })
    );
    const other = remote(b, 'other');
    expect(await ask(other, doc.documentId)).toBe('unavailable');
  });

  it('[NEAR-3] documents allowed later (a thread the group started since) start to sync', async () => {
    const me = phone();
    const [mine, theirs] = channel();
    const alias = me.nearby.add(portLink(mine), [me.shared.documentId], () => undefined);
    const member = remote(theirs);
    const thread = member.create<Doc>({ text: 'a thread started offline' });
    await new Promise((r) => setTimeout(r, 300));
    expect(me.repo.handles[thread.documentId]?.isReady() ?? false).toBe(false);
    me.nearby.allow(alias, [thread.documentId]);
    const got = await ask(me.repo, thread.documentId);
    expect(got !== 'unavailable' && got.doc().text).toBe('a thread started offline');
  });

  it('[NEAR-4] a peer that claims a relay’s peer id and storage id is known by an alias and a prefixed storage id', async () => {
    const me = phone();
    const [mine, theirs] = channel();
    const events: LinkEvent[] = [];
    const alias = me.nearby.add(portLink(mine), [], (e) => events.push(e));
    // An adapter on its own says who it is, as a repo would.
    const claim = new LinkNetworkAdapter(portLink(theirs));
    claim.connect('storage-server-relay' as PeerId, { storageId: 'relay-storage-id' as StorageId });
    cleanups.push(() => claim.close());
    await waitFor(() => events.some((e) => e.state === 'peer'));
    expect(me.repo.peers).toEqual([alias]);
    expect(alias).toMatch(/^near-[0-9a-f]{16}$/);
    expect(events.find((e) => e.state === 'peer')).toEqual({
      state: 'peer',
      storageId: 'near:relay-storage-id'
    });
    expect(me.nearby.may('storage-server-relay', me.shared.documentId)).toBe(true);
    expect(me.nearby.may(alias, me.shared.documentId)).toBe(false);
  });
});

describe('nearby links: what a peer may send on the channel', () => {
  /** A phone linked to a raw port the test writes to; resolves once the phone said hello. */
  async function rawPeer() {
    const me = phone();
    const [mine, theirs] = channel();
    const events: LinkEvent[] = [];
    me.nearby.add(portLink(mine), [me.shared.documentId], (e) => events.push(e));
    const raw: Link = portLink(theirs);
    const received: unknown[] = [];
    raw.onmessage = (b) => received.push(cbor.decode(b));
    raw.onclose = () => received.push('closed');
    await waitFor(() => received.length > 0);
    const before = me.shared.doc().text;
    return { me, raw, events, received, before };
  }

  const send = (raw: Link, o: unknown) => raw.send(cbor.encode(o));

  it('[NEAR-7] bytes that are not CBOR close the link, report why, and change nothing', async () => {
    const p = await rawPeer();
    p.raw.send(Uint8Array.of(0xff, 0xfe, 0x00));
    await waitFor(() => p.events.some((e) => e.state === 'closed'));
    expect(p.events.at(-1)).toEqual({ state: 'closed', why: 'undecodable' });
    expect(p.me.nearby.size).toBe(0);
    expect(p.me.shared.doc().text).toBe(p.before);
  });

  it('[NEAR-7] a message of the wrong shape, a second peer id, or sync data that is not Automerge close the link', async () => {
    const cases: [unknown[], string][] = [
      [[{ type: 'arrive', senderId: 'x', peerMetadata: 'not an object' }], 'not-a-message'],
      [[[1, 2, 3]], 'not-a-message'],
      [
        [
          { type: 'arrive', senderId: 'x', peerMetadata: {} },
          { type: 'arrive', senderId: 'y', peerMetadata: {} }
        ],
        'impostor'
      ],
      [
        [
          { type: 'arrive', senderId: 'x', peerMetadata: {} },
          { type: 'no-such-type', senderId: 'x', targetId: 'me' }
        ],
        'not-a-message'
      ],
      [
        [
          { type: 'arrive', senderId: 'x', peerMetadata: {} },
          {
            type: 'sync',
            senderId: 'x',
            targetId: 'me',
            documentId: 'anything',
            data: Uint8Array.of(1, 2, 3, 4)
          }
        ],
        'bad-sync-data'
      ]
    ];
    for (const [messages, why] of cases) {
      const p = await rawPeer();
      for (const m of messages) send(p.raw, m);
      await waitFor(() => p.events.some((e) => e.state === 'closed'));
      expect(p.events.at(-1)).toEqual({ state: 'closed', why });
      expect(p.me.shared.doc().text).toBe(p.before);
    }
  });

  it('[NEAR-7] a sync message for a document not shared is dropped without a word (a member may hold groups this phone does not)', async () => {
    const p = await rawPeer();
    send(p.raw, { type: 'arrive', senderId: 'x', peerMetadata: {} });
    await waitFor(() => p.events.some((e) => e.state === 'peer'));
    send(p.raw, {
      type: 'request',
      senderId: 'x',
      targetId: 'whoever',
      documentId: p.me.other.documentId,
      data: Automerge.generateSyncMessage(Automerge.init(), Automerge.initSyncState())[1]!
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(p.events.some((e) => e.state === 'closed')).toBe(false);
    // Nothing the phone sent carries the other group.
    expect(
      p.received.some(
        (m) =>
          typeof m === 'object' &&
          m !== null &&
          (m as { documentId?: string }).documentId === p.me.other.documentId
      )
    ).toBe(false);
  });
});
