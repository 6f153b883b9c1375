import * as A from '@automerge/automerge';
import { Repo, type DocHandle, type DocumentId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { importBundle, makeBundle } from '../../src/lib/adapters/bundle';
import type { HearthRepo } from '../../src/lib/adapters/repo';
import { toHex } from '../../src/lib/core/encoding/hex';
import { ledgerDocWith, readLedgerDoc, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { entryId } from '../../src/lib/core/ledger/envelope';
import {
  decodeBundle,
  encodeBundle,
  readBundleHeader,
  type BundleHeader
} from '../../src/lib/core/sync/bundle';
import { foundGroup, GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys } from '../../src/lib/core/group/signer';
import { seed, T0 } from '../kit/ledger-kit';
import { found, join, Net, rng } from '../kit/session-kit';

const header = (over: Partial<BundleHeader> = {}) => ({
  groupId: 'ab'.repeat(32),
  documentId: '4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
  scope: 'full' as const,
  since: [],
  heads: ['cd'.repeat(32)],
  entries: 3,
  created: T0,
  ...over
});

describe('Sync bundle files', () => {
  it('[SNK-1] a bundle is magic, version, a JSON header that says what it holds, and a compressed body with its hash', () => {
    const body = new TextEncoder().encode('hello '.repeat(1000));
    const bytes = encodeBundle(header(), body);
    expect(bytes.length).toBeLessThan(body.length / 10);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('HRTH');
    const h = readBundleHeader(bytes);
    expect(h.ok && h.value).toMatchObject({
      format: 'hearth-bundle',
      v: 1,
      scope: 'full',
      rawBytes: 6000
    });
    const d = decodeBundle(bytes);
    expect(d.ok && toHex(d.value.body)).toBe(toHex(body));
  });

  it('[SNK-3] malformed files get a clear reason, never a crash: not a bundle, newer version, truncated, corrupt, a body that would inflate past its size', () => {
    const body = new TextEncoder().encode('entries '.repeat(500));
    const good = encodeBundle(header(), body);
    const reason = (b: Uint8Array) => {
      const r = decodeBundle(b);
      return r.ok ? 'ok' : r.error;
    };
    expect(reason(new TextEncoder().encode('{"hello": "world"}'))).toBe('not-a-bundle');
    expect(reason(new Uint8Array(0))).toBe('not-a-bundle');
    const newer = good.slice();
    newer[4] = 9;
    expect(reason(newer)).toBe('newer-version');
    expect(reason(good.subarray(0, 20))).toBe('truncated');
    expect(reason(good.subarray(0, good.length - 10))).toBe('truncated');
    const flipped = good.slice();
    flipped[flipped.length - 20]! ^= 0xff;
    expect(['corrupt', 'truncated']).toContain(reason(flipped));
    const badHeader = good.slice();
    badHeader[12] = 0x00;
    expect(reason(badHeader)).toBe('corrupt');
    // A small announced size with a huge body: refused without inflating it all.
    const bomb = encodeBundle(header(), new Uint8Array(20_000_000));
    const h = JSON.parse(
      new TextDecoder().decode(bomb.subarray(9, 9 + new DataView(bomb.buffer).getUint32(5)))
    ) as BundleHeader;
    const lying = encodeBundleWithHeader({ ...h, rawBytes: 100 }, bomb);
    expect(reason(lying)).toBe('corrupt');
  });
});

/** Re-frames a bundle's compressed body under another header (for hostile-file tests). */
function encodeBundleWithHeader(h: BundleHeader, original: Uint8Array): Uint8Array {
  const oldLen = new DataView(original.buffer, original.byteOffset).getUint32(5);
  const packed = original.subarray(9 + oldLen);
  const head = new TextEncoder().encode(JSON.stringify(h));
  const out = new Uint8Array(9 + head.length + packed.length);
  out.set(original.subarray(0, 5));
  new DataView(out.buffer).setUint32(5, head.length);
  out.set(head, 9);
  out.set(packed, 9 + head.length);
  return out;
}

/** Another group (another founder key, other randomness). */
function foundOther(net: Net) {
  const device = deviceKeys(seed(150));
  const { groupId, entries } = foundGroup({
    device,
    random: rng(9),
    now: T0,
    name: 'Another circle',
    category: '',
    description: '',
    rules: 'Be kind',
    displayName: 'Kim'
  });
  net.put(entries);
  const founder = new GroupSession({ groupId, device, random: rng(10) });
  net.sync(founder);
  return { groupId, founder };
}

/** Two phones with no network between them: each its own repo. */
function phones(other = false) {
  const net = new Net();
  const { groupId, founder } = other ? foundOther(net) : found(net);
  join(net, groupId, founder, 201, 'Sam');
  const a = new Repo({ network: [] });
  const b = new Repo({ network: [] });
  const handle = a.create<LedgerDoc>(ledgerDocWith(groupId, net.entries.values()));
  const local = (repo: Repo) => async (id: DocumentId) => {
    try {
      const h = await repo.find<LedgerDoc>(id);
      return h.isReady() ? h : undefined;
    } catch {
      return undefined;
    }
  };
  const hb = { repo: b } as HearthRepo;
  return { net, groupId, founder, a, b, handle, hb, local };
}

const entriesOf = (h: DocHandle<LedgerDoc>) => [...readLedgerDoc(h.doc())!.entries.keys()].sort();

describe('Taking a bundle in', () => {
  it('[SNK-1] [SNK-2] a whole group reaches a phone that never had it; later only the changes it lacks travel, and a replayed file changes nothing', async () => {
    const { net, founder, handle, hb, b, local } = phones();
    const full = makeBundle(handle, handle.documentId, T0);
    const first = await importBundle(hb, full, local(b));
    expect(first).toMatchObject({ ok: true, value: { created: true, added: net.entries.size } });
    const hB = await b.find<LedgerDoc>(handle.documentId);
    expect(entriesOf(hB)).toEqual(entriesOf(handle));

    // The founder writes on; the receiver shows its heads, the sender sends only what is missing.
    const fresh = founder.propose({ type: 'general', text: 'Picnic on Sunday' }, T0 + 500);
    handle.change((d) => {
      for (const bytes of fresh) d.entries[entryId(bytes)] = bytes;
    });
    const since = makeBundle(handle, handle.documentId, T0, A.getHeads(hB.doc()));
    expect(readBundleHeader(since)).toMatchObject({ ok: true, value: { scope: 'since' } });
    expect(since.length).toBeLessThan(full.length / 3);
    const second = await importBundle(hb, since, local(b));
    expect(second).toMatchObject({ ok: true, value: { created: false, added: 1 } });
    expect(entriesOf(hB)).toEqual(entriesOf(handle));

    const heads = A.getHeads(hB.doc());
    for (const file of [since, full]) {
      const again = await importBundle(hb, file, local(b));
      expect(again).toMatchObject({ ok: true, value: { added: 0 } });
      expect(A.getHeads(hB.doc())).toEqual(heads);
    }
  });

  it('[SNK-3] hostile bundles change nothing: another group, entries deleted or altered, entries not signed for the group, recent changes for a group the phone lacks', async () => {
    const { handle, hb, b, a, local } = phones();
    await importBundle(hb, makeBundle(handle, handle.documentId, T0), local(b));
    const hB = await b.find<LedgerDoc>(handle.documentId);
    const before = A.getHeads(hB.doc());
    const reason = async (file: Uint8Array, expect?: string) => {
      const r = await importBundle(hb, file, local(b), expect);
      return r.ok ? 'ok' : r.error;
    };

    // Another group's file, offered from this group's screen.
    const other = phones(true);
    const foreign = makeBundle(other.handle, other.handle.documentId, T0);
    expect(await reason(foreign, toHex(readLedgerDoc(handle.doc())!.groupId))).toBe('foreign');
    // A file whose header names this group's document but holds another group's changes.
    const h = readBundleHeader(foreign);
    expect(h.ok).toBe(true);
    const disguised = encodeBundleWithHeader(
      { ...(h.ok ? h.value : ({} as BundleHeader)), documentId: handle.documentId },
      foreign
    );
    expect(await reason(disguised)).not.toBe('ok');

    /** A hostile file: the changes `edit` makes to a copy of the sender's document. */
    const hostile = (edit: (d: LedgerDoc) => void) => {
      const from = A.getHeads(handle.doc());
      const changed = A.change(A.clone(handle.doc()), edit);
      return encodeBundle(
        {
          ...header(),
          groupId: toHex(readLedgerDoc(changed)!.groupId),
          documentId: handle.documentId,
          scope: 'since',
          since: from,
          heads: A.getHeads(changed)
        },
        A.saveSince(changed, from)
      );
    };

    // Changes that delete an entry the phone has.
    const gone = Object.keys(handle.doc().entries)[0]!;
    const delFile = hostile((d) => {
      delete d.entries[gone];
    });
    expect(await reason(delFile)).toBe('tampered');

    // An entry that is not validly signed for this group.
    const junkFile = hostile((d) => {
      const bytes = new Uint8Array(200).fill(7);
      d.entries[entryId(bytes)] = bytes;
    });
    expect(await reason(junkFile)).toBe('bad-entries');
    expect(A.getHeads(hB.doc())).toEqual(before);

    // Recent changes only, to a phone that does not have the group at all.
    const c = new Repo({ network: [] });
    const sinceOnly = makeBundle(handle, handle.documentId, T0, A.getHeads(handle.doc()));
    const r = await importBundle({ repo: c } as HearthRepo, sinceOnly, local(c));
    expect(r.ok ? 'ok' : r.error).toBe('needs-earlier');
    void a;
  });
});
