import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';
import { runStorageContract } from './storage-contract';

// The relay's embedded storage (sync-server uses exactly this adapter on DATA_DIR).
runStorageContract('relay file storage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-contract-'));
  return {
    adapter: new FileStorageAdapter(dir),
    reopen: () => Promise.resolve(new FileStorageAdapter(dir)),
    teardown: () => rm(dir, { recursive: true, force: true })
  };
});
