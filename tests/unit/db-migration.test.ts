import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { describe, expect, it } from 'vitest';
import { HearthDB } from '../../src/lib/adapters/db';
import { listGroups } from '../../src/lib/adapters/groups';

describe('[KEY-3] the database upgrade to several people keeps every group', () => {
  it('version 1’s group list becomes the first person’s, unchanged', async () => {
    const name = `hearth-migration-${Date.now()}`;
    const old = new Dexie(name);
    old.version(1).stores({
      chunks: 'key',
      identity: 'id',
      groups: 'documentId, lastOpenedAt',
      settings: 'key'
    });
    await old.table('groups').bulkPut([
      { documentId: 'docA', name: 'Circle A', addedAt: 1, lastOpenedAt: 5 },
      { documentId: 'docB', name: 'Circle B', addedAt: 2, lastOpenedAt: 9, unsynced: 3 }
    ]);
    old.close();
    const db = new HearthDB(name);
    const rows = await listGroups(db, 'self');
    expect(rows.map((r) => [r.documentId, r.name, r.owner, r.unsynced])).toEqual([
      ['docB', 'Circle B', 'self', 3],
      ['docA', 'Circle A', 'self', undefined]
    ]);
    expect(await listGroups(db, 'person-x')).toEqual([]);
    db.close();
  });
});
