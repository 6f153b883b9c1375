import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { derive, stateHash } from '../../src/lib/core/governance/derive';
import {
  checkAgainstMirror,
  heal,
  newLedgerDoc,
  putEntry,
  readLedgerDoc,
  unionEntries,
  type LedgerDoc
} from '../../src/lib/core/ledger/doc';
import { Device, Kind, P, Scenario } from '../kit/ledger-kit';

function groupDoc() {
  const a = new Device(1);
  const s = new Scenario([[a, 'senior']]);
  s.admit(new Device(2), [s.founder, a]);
  let doc = A.from<LedgerDoc>(newLedgerDoc(s.groupId));
  doc = A.change(doc, (d) => {
    for (const bytes of s.entries.values()) putEntry(d, bytes);
  });
  const mirror = new Map(readLedgerDoc(doc)!.entries);
  return { s, a, doc, mirror };
}

describe('the Automerge binding', () => {
  it('[LED-12] entries round-trip through Automerge save/load and derive the same state', () => {
    const { s, doc } = groupDoc();
    const loaded = readLedgerDoc(A.load<LedgerDoc>(A.save(doc)))!;
    expect(loaded.entries.size).toBe(s.entries.size);
    expect(stateHash(derive(loaded.entries.values(), { groupId: loaded.groupId }))).toBe(
      stateHash(s.state())
    );
  });

  it('[LED-12] an entry id is write-once: putting the same bytes again changes nothing', () => {
    const { s, doc } = groupDoc();
    const again = A.change(doc, (d) => void putEntry(d, [...s.entries.values()][0]!));
    expect(A.getHeads(again)).toEqual(A.getHeads(doc));
  });

  it('[LED-13] an entry deleted by another writer is detected and put back from the mirror', () => {
    const { s, doc, mirror } = groupDoc();
    const victim = [...mirror.keys()][2]!;
    const evil = A.change(A.clone(doc), (d) => void delete d.entries[victim]);
    const merged = A.merge(A.clone(doc), evil);
    const report = checkAgainstMirror(readLedgerDoc(merged)!.entries, mirror);
    expect(report).toEqual({ deleted: [victim], altered: [], fresh: [] });
    // Derive from the union while the document is damaged: the state is unchanged.
    expect(
      stateHash(
        derive(unionEntries(readLedgerDoc(merged)!.entries, mirror), { groupId: s.groupId })
      )
    ).toBe(stateHash(s.state()));
    const healed = A.change(merged, (d) => void heal(d, report, mirror));
    expect(checkAgainstMirror(readLedgerDoc(healed)!.entries, mirror)).toEqual({
      deleted: [],
      altered: [],
      fresh: []
    });
  });

  it('[LED-13] an entry rewritten by another writer is detected (its bytes no longer hash to its id) and restored', () => {
    const { doc, mirror } = groupDoc();
    const victim = [...mirror.keys()][1]!;
    const evil = A.change(A.clone(doc), (d) => {
      d.entries[victim] = new Uint8Array([1, 2, 3]);
    });
    const report = checkAgainstMirror(readLedgerDoc(evil)!.entries, mirror);
    expect(report.altered).toEqual([victim]);
    const healed = A.change(evil, (d) => void heal(d, report, mirror));
    expect(readLedgerDoc(healed)!.entries.get(victim)).toEqual(mirror.get(victim));
  });

  it('[LED-13] a forged key (bytes under a made-up id) is not trusted and, with no mirror copy, removed', () => {
    const { s, a, doc, mirror } = groupDoc();
    const { bytes } = a.write(s.groupId, Kind.Comment, P.comment(s.genesis), s.heads, 0);
    const forged = A.change(doc, (d) => {
      d.entries['00'.repeat(32)] = bytes;
    });
    const report = checkAgainstMirror(readLedgerDoc(forged)!.entries, mirror);
    expect(report.altered).toEqual(['00'.repeat(32)]);
    const healed = A.change(forged, (d) => void heal(d, report, mirror));
    expect(readLedgerDoc(healed)!.entries.has('00'.repeat(32))).toBe(false);
  });

  it('[LED-12] a document that is not a group is refused when read', () => {
    for (const bad of [
      null,
      {},
      { v: 2, groupId: 'ab'.repeat(32), entries: {} },
      { v: 1, groupId: 'xyz', entries: {} },
      { v: 1, groupId: 'ab'.repeat(32) },
      { notes: [] }
    ]) {
      expect(readLedgerDoc(bad)).toBeUndefined();
    }
  });
});
