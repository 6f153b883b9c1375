import type { GroupRow, HearthDB } from './db';
import { now } from './clock';

/** The groups this device knows, most recently opened first. Renders without Automerge. */
export async function listGroups(db: HearthDB): Promise<GroupRow[]> {
  return db.groups.orderBy('lastOpenedAt').reverse().toArray();
}

/** Remembers a group (or refreshes its cached name and last-opened time). */
export async function rememberGroup(db: HearthDB, documentId: string, name: string): Promise<void> {
  await db.transaction('rw', db.groups, async () => {
    const existing = await db.groups.get(documentId);
    const t = now();
    await db.groups.put({
      documentId,
      name: name || existing?.name || '',
      addedAt: existing?.addedAt ?? t,
      lastOpenedAt: t,
      unsynced: existing?.unsynced ?? 0
    });
  });
}

/** Updates only the cached name, e.g. when a change arrives from another device. */
export async function cacheGroupName(
  db: HearthDB,
  documentId: string,
  name: string
): Promise<void> {
  await db.groups.update(documentId, { name });
}

export async function forgetGroup(db: HearthDB, documentId: string): Promise<GroupRow | undefined> {
  const row = await db.groups.get(documentId);
  await db.groups.delete(documentId);
  return row;
}

export async function restoreGroup(db: HearthDB, row: GroupRow): Promise<void> {
  await db.groups.put(row);
}

/** Records how many entries of a group the relay has not confirmed yet. */
export async function setUnsynced(db: HearthDB, documentId: string, count: number): Promise<void> {
  await db.groups.update(documentId, { unsynced: count });
}
