import { hexToBytes, toHex } from '../encoding/hex';
import { entryId } from './envelope';

/**
 * The group document as Automerge holds it [LED-12]. Only `entries` is authoritative: a write-once
 * map from entry id (hex SHA-256 of the envelope) to envelope bytes. `groupId` is a hint for
 * loading (derive checks it against the genesis); `v` is the document format.
 *
 * These functions work on the document's plain shape, inside or outside `Automerge.change`, so
 * the core does not load Automerge itself (the browser loads it through its slim entry point).
 */
// A type alias, not an interface: Automerge needs the implicit index signature of object types.
export type LedgerDoc = {
  v: 1;
  groupId: string;
  entries: Record<string, Uint8Array>;
};

const LEDGER_DOC_VERSION = 1;

export function newLedgerDoc(groupId: Uint8Array): LedgerDoc {
  return { v: LEDGER_DOC_VERSION, groupId: toHex(groupId), entries: {} };
}

/**
 * A new document that already holds its first entries: created in one Automerge change, so the
 * first changes a relay sees carry the genesis (a relay in `groups` admission mode judges a new
 * document by them, OPS-7).
 */
export function ledgerDocWith(groupId: Uint8Array, entries: Iterable<Uint8Array>): LedgerDoc {
  const doc = newLedgerDoc(groupId);
  for (const bytes of entries) putEntry(doc, bytes);
  return doc;
}

/** Adds an entry inside a change callback; an id already present is left as it is (write-once). */
export function putEntry(doc: LedgerDoc, bytes: Uint8Array): string {
  const id = entryId(bytes);
  if (!(id in doc.entries)) doc.entries[id] = bytes;
  return id;
}

/** Reads a loaded document without trusting it: undefined when it is not a Hearth group document (`v`, `groupId`, `entries`) */
export function readLedgerDoc(
  doc: unknown
): { groupId: Uint8Array; entries: Map<string, Uint8Array> } | undefined {
  if (typeof doc !== 'object' || doc === null) return undefined;
  const d = doc as Partial<Record<string, unknown>>;
  if (
    d.v !== LEDGER_DOC_VERSION ||
    typeof d.groupId !== 'string' ||
    !/^[0-9a-f]{64}$/.test(d.groupId)
  )
    return undefined;
  if (typeof d.entries !== 'object' || d.entries === null) return undefined;
  const entries = new Map<string, Uint8Array>();
  for (const [id, value] of Object.entries(d.entries as Record<string, unknown>)) {
    if (value instanceof Uint8Array) entries.set(id, value);
  }
  const groupId = hexToBytes(d.groupId);
  return { groupId, entries };
}

export interface TamperReport {
  /** In the local mirror but gone from the document (someone deleted the key). */
  deleted: string[];
  /** In the document under an id its bytes do not hash to (someone rewrote the value). */
  altered: string[];
  /** Valid entries in the document the mirror does not have yet (new from peers). */
  fresh: string[];
}

/**
 * Compares the document with the device's append-only mirror of verified envelopes [LED-13].
 * Automerge lets any writer delete or overwrite a map key; the mirror is how a device notices.
 */
export function checkAgainstMirror(
  docEntries: Map<string, Uint8Array>,
  mirror: ReadonlyMap<string, Uint8Array>
): TamperReport {
  const deleted: string[] = [];
  const altered: string[] = [];
  const fresh: string[] = [];
  for (const [id, bytes] of docEntries) {
    if (entryId(bytes) !== id) altered.push(id);
    else if (!mirror.has(id)) fresh.push(id);
  }
  for (const id of mirror.keys()) if (!docEntries.has(id)) deleted.push(id);
  return { deleted: deleted.sort(), altered: altered.sort(), fresh: fresh.sort() };
}

/** Puts back what was deleted or altered, from the mirror (inside a change callback). */
export function heal(
  doc: LedgerDoc,
  report: TamperReport,
  mirror: ReadonlyMap<string, Uint8Array>
): number {
  let healed = 0;
  for (const id of [...report.deleted, ...report.altered]) {
    const bytes = mirror.get(id);
    if (bytes) {
      doc.entries[id] = bytes;
      healed++;
    } else if (report.altered.includes(id)) {
      delete doc.entries[id];
      healed++;
    }
  }
  return healed;
}

/** The entries a derive should use: the union of the mirror and the valid document entries. */
export function unionEntries(
  docEntries: Map<string, Uint8Array>,
  mirror: ReadonlyMap<string, Uint8Array>
): Uint8Array[] {
  const out = new Map(mirror);
  for (const [id, bytes] of docEntries) if (entryId(bytes) === id) out.set(id, bytes);
  return [...out.values()];
}
