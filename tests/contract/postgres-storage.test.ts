import { inject } from 'vitest';
import { PostgresStorageAdapter } from '../../sync-server/src/storage/postgres-storage';
import { freshDatabase } from '../kit/postgres';
import { runStorageContract } from './storage-contract';

// The relay's PostgreSQL storage (DATABASE_URL), against a real PostgreSQL server [STO-8].
runStorageContract('relay PostgreSQL storage', async () => {
  const url = await freshDatabase(inject('postgresUrl'));
  const opened: PostgresStorageAdapter[] = [new PostgresStorageAdapter(url)];
  return {
    adapter: opened[0]!,
    reopen: () => {
      const again = new PostgresStorageAdapter(url);
      opened.push(again);
      return Promise.resolve(again);
    },
    teardown: async () => {
      for (const a of opened) await a.close();
    }
  };
});
