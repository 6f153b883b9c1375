import 'fake-indexeddb/auto';
import { HearthDB } from '../../src/lib/adapters/db';
import { DexieStorageAdapter } from '../../src/lib/adapters/dexie-storage';
import { runStorageContract } from './storage-contract';

let n = 0;
runStorageContract('Dexie (IndexedDB)', async () => {
  const name = `contract-${n++}`;
  const db = new HearthDB(name);
  await db.open();
  return {
    adapter: new DexieStorageAdapter(db),
    reopen: async () => {
      db.close();
      const again = new HearthDB(name);
      await again.open();
      return new DexieStorageAdapter(again);
    },
    teardown: async () => {
      db.close();
      await HearthDB.delete(name);
    }
  };
});
