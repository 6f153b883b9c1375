import { Repo, type PeerId, type StorageKey } from '@automerge/automerge-repo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { releaseLoadRaces } from '../../sync-server/src/load-races';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';

/** Runs the probe in its own process (it needs --expose-gc) and reads its answer. */
function probe(fix: boolean): { alive: number; handles: number; of: number } {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'tests/kit/load-leak-probe.ts'],
    { env: { ...process.env, FIX: fix ? '1' : '' }, encoding: 'utf8', timeout: 60_000 }
  );
  return JSON.parse(out.trim().split('\n').pop()!) as {
    alive: number;
    handles: number;
    of: number;
  };
}

describe('[OPS-8] an evicted document does not stay in memory', () => {
  it('automerge-repo alone keeps every document it loaded reachable after it left memory', () => {
    // The behaviour the relay works around; when automerge-repo fixes it, this fails and the
    // workaround (sync-server/src/load-races.ts) can go.
    const { alive, of } = probe(false);
    expect(alive).toBe(of);
  }, 60_000);

  it('with the relay’s per-load signal, none of them is reachable once evicted, nor their handles', () => {
    // The handles too: aborting from inside the load's own closures once left, per load, an
    // AbortError whose stack held the handle (found in a heap snapshot of the memory bench).
    const { alive, handles } = probe(true);
    expect(alive).toBe(0);
    expect(handles).toBe(0);
  }, 60_000);
});

describe('[OPS-8] a load that storage fails', () => {
  it('is reported as failed, leaves no unhandled AbortError behind, and the next find loads it again instead of waiting for ever', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-load-fail-'));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const writer = new Repo({ storage: new FileStorageAdapter(dir), peerId: 'w' as PeerId });
      const id = writer.create({ n: 1 }).documentId;
      await writer.flush();
      await writer.shutdown();
      // The disk answers the first read with an error (a file removed under it, say).
      const files = new FileStorageAdapter(dir);
      let failOnce = true;
      const storage = Object.assign(Object.create(files) as FileStorageAdapter, {
        loadRange: (prefix: StorageKey) => {
          if (failOnce) {
            failOnce = false;
            return Promise.reject(new Error('ENOENT: the disk said no'));
          }
          return files.loadRange(prefix);
        }
      });
      const repo = new Repo({ storage, network: [], peerId: 'r' as PeerId });
      releaseLoadRaces(repo);
      await expect(repo.find(id)).rejects.toThrow(/the disk said no/);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      // Not stuck on the failed load: the next find reads it again.
      expect((await repo.find<{ n: number }>(id)).doc().n).toBe(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
      await repo.shutdown();
    } finally {
      process.off('unhandledRejection', onUnhandled);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
