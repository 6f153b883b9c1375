import type { HearthDB } from './db';

/**
 * The local mirror of a group's verified entries [SNK-5]: read before Automerge loads, so the
 * group shows at once from this phone's own data; written after every verification; holds the
 * writes made before the group document was ready until they are in it.
 */
export async function loadMirror(db: HearthDB, documentId: string): Promise<MirrorContent> {
  const rows = await db.mirror.where('documentId').equals(documentId).toArray();
  return {
    entries: rows.map((r) => r.bytes),
    pending: rows.filter((r) => r.pending === 1).map((r) => r.bytes),
    proofs: rows.flatMap((r) => Object.entries(r.proofs ?? {}))
  };
}

/** What the mirror holds for one group. */
export interface MirrorContent {
  entries: Uint8Array[];
  pending: Uint8Array[];
  /** Proof verdicts by the ledger's cache key (`proof:…`). */
  proofs: [string, boolean][];
}

/** An entry to keep, with the verdicts on the proofs it carries (if any were checked). */
export interface MirrorEntry {
  id: string;
  bytes: Uint8Array;
  proofs?: Record<string, boolean>;
}

export async function saveMirror(
  db: HearthDB,
  documentId: string,
  entries: MirrorEntry[],
  /** Written here but not yet in the document; saving again without it clears the mark. */
  pending = false
): Promise<void> {
  if (entries.length === 0) return;
  await db.mirror.bulkPut(
    entries.map((e) => ({
      documentId,
      id: e.id,
      bytes: e.bytes,
      ...(pending ? { pending: 1 as const } : {}),
      ...(e.proofs && Object.keys(e.proofs).length > 0 ? { proofs: e.proofs } : {})
    }))
  );
}
