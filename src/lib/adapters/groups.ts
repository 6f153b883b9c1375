import type { GroupRow, HearthDB } from './db';
import { now } from './clock';

/** One person's groups on this device, most recently opened first [KEY-3]. Renders without Automerge. */
export async function listGroups(db: HearthDB, owner: string): Promise<GroupRow[]> {
  const rows = await db.memberships.where('owner').equals(owner).toArray();
  return rows.sort((a, b) => b.lastOpenedAt - a.lastOpenedAt);
}

/** Remembers a group for a person (or refreshes its cached name and last-opened time). */
export async function rememberGroup(
  db: HearthDB,
  owner: string,
  documentId: string,
  name: string
): Promise<void> {
  await db.transaction('rw', db.memberships, async () => {
    const existing = await db.memberships.get([owner, documentId]);
    const t = now();
    await db.memberships.put({
      owner,
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
  owner: string,
  documentId: string,
  name: string
): Promise<void> {
  await db.memberships.update([owner, documentId], { name });
}

export async function forgetGroup(
  db: HearthDB,
  owner: string,
  documentId: string
): Promise<GroupRow | undefined> {
  const row = await db.memberships.get([owner, documentId]);
  await db.memberships.delete([owner, documentId]);
  return row;
}

export async function restoreGroup(db: HearthDB, row: GroupRow): Promise<void> {
  await db.memberships.put(row);
}

/** Records how many entries of a group the relay has not confirmed yet. */
export async function setUnsynced(
  db: HearthDB,
  owner: string,
  documentId: string,
  count: number
): Promise<void> {
  await db.memberships.update([owner, documentId], { unsynced: count });
}
