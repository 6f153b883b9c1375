import { Repo, type PeerId, type StorageKey } from '@automerge/automerge-repo';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quietForeverPromise, releaseLoadRaces } from '../../sync-server/src/load-races';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';

/** Runs the probe in its own process (it needs --expose-gc) and reads its answer. */
function probe(fix: '' | 'signal' | '1'): Probed {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'tests/kit/load-leak-probe.ts'],
    { env: { ...process.env, FIX: fix }, encoding: 'utf8', timeout: 60_000 }
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Probed;
}
interface Probed {
  alive: number;
  handles: number;
  /** The loads' abort signals still reachable. */
  signals: number;
  of: number;
}

describe('[OPS-8] an evicted document does not stay in memory', () => {
  it('automerge-repo alone keeps every document it loaded reachable after it left memory', () => {
    // The behaviour the relay works around; when automerge-repo fixes it, this fails and the
    // workaround (sync-server/src/load-races.ts) can go.
    const { alive, of } = probe('');
    expect(alive).toBe(of);
  }, 60_000);

  it('with the relay’s per-load signal, none of them is reachable once evicted, nor their handles', () => {
    // The handles too: aborting from inside the load's own closures once left, per load, an
    // AbortError whose stack held the handle (found in a heap snapshot of the memory bench).
    const { alive, handles } = probe('signal');
    expect(alive).toBe(0);
    expect(handles).toBe(0);
  }, 60_000);

  it('automerge-repo keeps a reaction per load on its never-settling promise, and with it the load’s signal; quietened, that promise keeps none', () => {
    // Upstream: each load's `abortable` chain hangs on foreverPromise for good (about 2 KB). When
    // automerge-repo stops that, the first expectation fails and quietForeverPromise can go.
    const before = probe('signal');
    expect(before.signals).toBeGreaterThanOrEqual(before.of);
    const after = probe('1');
    expect(after.signals).toBe(0);
    expect(after.alive).toBe(0);
  }, 60_000);

  it('a quietened never-settling promise still never settles, whichever way it is used', async () => {
    quietForeverPromise();
    quietForeverPromise();
    const { foreverPromise } = await import('@automerge/automerge-repo/helpers/foreverPromise.js');
    const { abortable } = await import('@automerge/automerge-repo/helpers/abortable.js');
    const seen: string[] = [];
    void foreverPromise.then(() => seen.push('then'));
    void foreverPromise.catch(() => seen.push('catch'));
    void foreverPromise.finally(() => seen.push('finally'));
    void Promise.race([foreverPromise]).then(() => seen.push('race'));
    const controller = new AbortController();
    const wrapped = abortable(foreverPromise, controller.signal);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([]);
    // An abort still ends what waits on it.
    controller.abort();
    await expect(wrapped).rejects.toMatchObject({ name: 'AbortError' });
    expect(await Promise.race([foreverPromise, Promise.resolve('other')])).toBe('other');
  });
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
