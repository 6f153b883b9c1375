import * as A from '@automerge/automerge';
import {
  generateAutomergeUrl,
  parseAutomergeUrl,
  type DocHandle,
  type DocumentId,
  type Repo
} from '@automerge/automerge-repo';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';
import { admissionOf } from '../../src/lib/core/group/admission';
import { toHex } from '../../src/lib/core/encoding/hex';
import {
  ledgerDocWith,
  newLedgerDoc,
  putEntry,
  type LedgerDoc
} from '../../src/lib/core/ledger/doc';
import { found, Net } from '../kit/session-kit';
import { eventually, fullyAcknowledged, metric, RelayKit } from '../kit/relay-kit';

const kit = new RelayKit();
afterEach(() => kit.cleanup());

function groupEntries() {
  const net = new Net();
  const { groupId } = found(net);
  return { groupId, entries: [...net.entries.values()] };
}

function createLedger(
  repo: Repo,
  groupId: Uint8Array,
  entries: Uint8Array[]
): DocHandle<LedgerDoc> {
  // As the app does: one change that already holds the genesis.
  return repo.create<LedgerDoc>(ledgerDocWith(groupId, entries));
}

/** Whether a fresh peer on this relay can fetch the document (what "stored and served" means). */
async function fetchable(url: string, id: DocumentId): Promise<boolean> {
  const probe = await kit.peer(url, 'probe');
  try {
    await probe.find(id);
    return true;
  } catch {
    return false;
  }
}

const refusedCount = async (base: string) =>
  metric(
    await (await fetch(`${base}/metrics`)).text(),
    'hearth_relay_refused_total{reason="not-admitted"}'
  );

describe('relay admission mode "groups"', () => {
  it('[OPS-7] the core tells a signed group genesis from a forged one and from other documents', () => {
    const { groupId, entries } = groupEntries();
    const doc = newLedgerDoc(groupId);
    for (const e of entries) putEntry(doc, e);
    expect(admissionOf(doc)).toEqual({ kind: 'group', groupId: toHex(groupId) });
    // One flipped signature bit: the genesis no longer verifies.
    const forged = newLedgerDoc(groupId);
    const bad = entries[0]!.slice();
    bad[10]! ^= 1;
    putEntry(forged, bad);
    expect(admissionOf(forged)).toEqual({ kind: 'group-document', groupId: toHex(groupId) });
    // A genesis copied into a document that claims another group id.
    const other = newLedgerDoc(new Uint8Array(32).fill(7));
    putEntry(other, entries[0]!);
    expect(admissionOf(other).kind).toBe('group-document');
    expect(admissionOf({ notes: ['hi'] })).toEqual({ kind: 'unknown' });
    expect(admissionOf(null)).toEqual({ kind: 'unknown' });
  });

  it('[OPS-7] a real group is stored and served; its threads too; anything else is refused and never stored', async () => {
    const { url, base, dataDir, relay } = await kit.start({ flags: ['--admit', 'groups'] });
    const a = await kit.peer(url, 'a');
    const { groupId, entries } = groupEntries();
    const group = createLedger(a, groupId, entries);
    await eventually(() => fullyAcknowledged(a, group));
    expect(await fetchable(url, group.documentId)).toBe(true);

    // A support thread: the same shape, bound to the admitted group's id, no genesis of its own.
    const thread = createLedger(a, groupId, []);
    await eventually(() => fullyAcknowledged(a, thread));
    expect(await fetchable(url, thread.documentId)).toBe(true);

    // Not a Hearth group: an ordinary document, a forged genesis, a "thread" of an unknown group.
    const plain = a.create<{ notes: string[] }>({ notes: ['spam'] });
    const bad = entries[0]!.slice();
    bad[10]! ^= 1;
    const forged = createLedger(
      a,
      groupId.map((b) => b ^ 0xff),
      [bad]
    );
    const orphan = createLedger(a, new Uint8Array(32).fill(9), []);
    await eventually(async () => (await refusedCount(base)) >= 3);
    for (const h of [plain, forged, orphan]) {
      expect(fullyAcknowledged(a, h)).toBe(false);
      expect(await fetchable(url, h.documentId)).toBe(false);
    }
    await relay.repo.flush(
      Object.values(relay.repo.handles)
        .filter((h) => h.isReady())
        .map((h) => h.documentId)
    );
    const stored = await new FileStorageAdapter(dataDir).documentIds();
    expect(stored.sort()).toEqual([group.documentId, thread.documentId].sort());
  });

  it('[OPS-7] admission survives a restart (stored groups stay, their new threads are taken)', async () => {
    const first = await kit.start({ flags: ['--admit', 'groups'] });
    const a = await kit.peer(first.url, 'a');
    const { groupId, entries } = groupEntries();
    const group = createLedger(a, groupId, entries);
    await eventually(() => fullyAcknowledged(a, group));
    await first.relay.close();
    const second = await kit.start({ dataDir: first.dataDir, flags: ['--admit', 'groups'] });
    const b = await kit.peer(second.url, 'b');
    const thread = createLedger(b, groupId, []);
    await eventually(() => fullyAcknowledged(b, thread));
    expect(await fetchable(second.url, group.documentId)).toBe(true);
    expect(await fetchable(second.url, thread.documentId)).toBe(true);
  });

  it('[OPS-7] a document the operator registered is taken even though it is no group', async () => {
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const { url } = await kit.start({ flags: ['--admit', 'groups', '--allowlist', documentId] });
    const a = await kit.peer(url, 'a');
    const listed = a.import<{ notes: string[] }>(A.save(A.from({ notes: ['registered'] })), {
      docId: documentId
    });
    await eventually(() => fullyAcknowledged(a, listed));
    expect(await fetchable(url, documentId)).toBe(true);
  });
});
