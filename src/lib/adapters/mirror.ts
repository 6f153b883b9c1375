import type { HearthDB } from './db';

/**
 * The local mirror of a group's verified entries [SNK-5]: read before Automerge loads, so the
 * group shows at once from this phone's own data; written after every verification; holds the
 * writes made before the group document was ready until they are in it.
 */
export async function loadMirror(
  db: HearthDB,
  documentId: string
): Promise<{ entries: Uint8Array[]; pending: Uint8Array[] }> {
  const rows = await db.mirror.where('documentId').equals(documentId).toArray();
  return {
    entries: rows.map((r) => r.bytes),
    pending: rows.filter((r) => r.pending === 1).map((r) => r.bytes)
  };
}

export async function saveMirror(
  db: HearthDB,
  documentId: string,
  entries: { id: string; bytes: Uint8Array }[],
  pending = false
): Promise<void> {
  if (entries.length === 0) return;
  await db.mirror.bulkPut(
    entries.map((e) => ({
      documentId,
      id: e.id,
      bytes: e.bytes,
      ...(pending ? { pending: 1 as const } : {})
    }))
  );
}

/** The pending writes are in the group document now. */
export async function settleMirror(db: HearthDB, documentId: string, ids: string[]): Promise<void> {
  await db.transaction('rw', db.mirror, async () => {
    for (const id of ids) {
      const row = await db.mirror.get([documentId, id]);
      if (row?.pending) await db.mirror.put({ documentId, id, bytes: row.bytes });
    }
  });
}
