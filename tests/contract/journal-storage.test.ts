import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodePart,
  FileStorageAdapter,
  keyPath
} from '../../sync-server/src/storage/file-storage';
import { JOURNAL_DIR, JournaledFileStorage } from '../../sync-server/src/storage/journal';
import { lazyRemovals } from '../../sync-server/src/storage/lazy-removals';
import { runStorageContract } from './storage-contract';

// The relay's embedded storage as the relay runs it: chunk files written through a journal.
// `reopen` does not close the first adapter, so it also replays a journal left behind.
runStorageContract('relay journaled file storage', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'hearth-journal-contract-'));
  const opened: JournaledFileStorage[] = [];
  const open = () => {
    const s = new JournaledFileStorage(dir);
    opened.push(s);
    return s;
  };
  return {
    adapter: open(),
    reopen: () => Promise.resolve(open()),
    teardown: async () => {
      for (const s of opened) await s.abandon();
      await rm(dir, { recursive: true, force: true });
    }
  };
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
async function fresh(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'hearth-journal-'));
  dirs.push(d);
  return d;
}
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
/** The chunk folders in the data directory (everything but the journal). */
const chunkFolders = (dir: string) => readdirSync(dir).filter((n) => n !== JOURNAL_DIR);

describe('[STO-9] the journal: group commit, crash recovery', () => {
  it('writes waiting together share one append and one flush', async () => {
    const s = new JournaledFileStorage(await fresh());
    await s.ready();
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => s.save(['doc', 'incremental', `c${i}`], bytes(100, i)))
    );
    expect(s.commits).toBe(1);
    expect((await s.loadRange(['doc'])).length).toBe(50);
  });

  it('a write issued at any moment as the previous batch finishes is written, never left waiting', async () => {
    // Every gap of 0..40 microtasks after a write resolves: one of them falls between the writer's
    // last look at its queue and its exit, where a write used to wait until the next one came.
    for (let gap = 0; gap <= 40; gap++) {
      const s = new JournaledFileStorage(await fresh());
      await s.save(['a', 'snapshot', 'h'], bytes(1, 1));
      for (let i = 0; i < gap; i++) await Promise.resolve();
      const second = s.save(['b', 'snapshot', 'h'], bytes(1, 2));
      const outcome = await Promise.race([
        second.then(() => 'written'),
        new Promise((r) => setTimeout(() => r('stuck'), 2000))
      ]);
      expect(outcome, `gap ${gap}`).toBe('written');
      await s.abandon();
    }
  });

  it('every acknowledged write is in the journal: with every chunk file lost, it alone restores them', async () => {
    const dir = await fresh();
    const s = new JournaledFileStorage(dir);
    await s.save(['a', 'snapshot', 'h1'], bytes(10, 1));
    await s.save(['a', 'incremental', 'x'], bytes(10, 2));
    await s.save(['b', 'snapshot', 'h'], bytes(10, 3));
    await s.remove(['a', 'incremental', 'x']);
    await s.save(['a', 'snapshot', 'h1'], bytes(10, 4));
    await s.abandon();
    // The crash: the process dies and the chunk files never reached the disk.
    for (const name of chunkFolders(dir)) rmSync(join(dir, name), { recursive: true });
    const again = new JournaledFileStorage(dir);
    expect(await again.load(['a', 'snapshot', 'h1'])).toEqual(bytes(10, 4));
    expect(await again.load(['a', 'incremental', 'x'])).toBeUndefined();
    expect(await again.load(['b', 'snapshot', 'h'])).toEqual(bytes(10, 3));
    // Applied, made durable and removed: the next start has nothing to replay.
    expect(await again.journalFiles()).toEqual([]);
  });

  it('a torn last record (a crash mid-append, never acknowledged) is ignored; what came before is kept', async () => {
    const dir = await fresh();
    const s = new JournaledFileStorage(dir);
    await s.save(['a', 'snapshot', 'h'], bytes(10, 1));
    await s.abandon();
    const [log] = await s.journalFiles();
    // Half a record: a length that runs past the end, then garbage.
    appendFileSync(join(dir, JOURNAL_DIR, log!), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 1, 9]));
    for (const name of chunkFolders(dir)) rmSync(join(dir, name), { recursive: true });
    const again = new JournaledFileStorage(dir);
    expect(await again.loadRange([])).toEqual([
      { key: ['a', 'snapshot', 'h'], data: bytes(10, 1) }
    ]);
    // A corrupted record (bad checksum) ends the journal the same way.
    await again.save(['b', 'snapshot', 'h'], bytes(4, 5));
    await again.save(['c', 'snapshot', 'h'], bytes(4, 6));
    await again.abandon();
    const [log2] = await again.journalFiles();
    const path = join(dir, JOURNAL_DIR, log2!);
    const file = readFileSync(path);
    file.writeUInt8(file.readUInt8(file.length - 1) ^ 0xff, file.length - 1); // last record's data
    writeFileSync(path, file);
    for (const name of chunkFolders(dir)) rmSync(join(dir, name), { recursive: true });
    const third = new JournaledFileStorage(dir);
    expect(await third.load(['b', 'snapshot', 'h'])).toEqual(bytes(4, 5));
    expect(await third.load(['c', 'snapshot', 'h'])).toBeUndefined();
  });

  it('full journals are closed and deleted once their files are synced; close leaves none', async () => {
    const dir = await fresh();
    const s = new JournaledFileStorage(dir, { rotateBytes: 1000 });
    for (let i = 0; i < 30; i++) await s.save(['doc', 'incremental', `c${i}`], bytes(200, i));
    await s.settled();
    expect((await s.journalFiles()).length).toBeLessThanOrEqual(1);
    await s.close();
    expect(await s.journalFiles()).toEqual([]);
    await expect(s.save(['late'], bytes(1, 1))).rejects.toThrow('closed');
    const again = new JournaledFileStorage(dir);
    expect((await again.loadRange(['doc'])).length).toBe(30);
  });

  it('a write the files refuse is still durable and read back; the files take it once they can', async () => {
    const dir = await fresh();
    const errors: unknown[] = [];
    const s = new JournaledFileStorage(dir, {
      rotateBytes: 300,
      retryMs: 5,
      onError: (e) => errors.push(e)
    });
    // A folder where the value file must go: the journal takes the record, the files refuse it.
    const obstacle = join(dir, ...['x', 'snapshot', 'h'].map(encodePart), '_value');
    mkdirSync(obstacle, { recursive: true });
    await s.save(['x', 'snapshot', 'h'], bytes(10, 7));
    await s.save(['y', 'snapshot', 'h'], bytes(10, 8));
    for (let i = 0; i < 5; i++) await s.save(['z', 'incremental', `c${i}`], bytes(100, i));
    expect(await s.load(['x', 'snapshot', 'h'])).toEqual(bytes(10, 7));
    expect(await s.loadRange(['x'])).toEqual([{ key: ['x', 'snapshot', 'h'], data: bytes(10, 7) }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(errors.length).toBeGreaterThan(0);
    // Nothing after it reached the files out of order, and no journal was deleted.
    expect(await new FileStorageAdapter(dir).load(['y', 'snapshot', 'h'])).toBeUndefined();
    expect((await s.journalFiles()).length).toBeGreaterThan(0);
    // The obstacle goes (space came back): the files catch up, in order, and the journals go.
    rmSync(obstacle, { recursive: true });
    await s.settled();
    const files = new FileStorageAdapter(dir);
    expect(await files.load(['x', 'snapshot', 'h'])).toEqual(bytes(10, 7));
    expect(await files.load(['y', 'snapshot', 'h'])).toEqual(bytes(10, 8));
    await s.close();
    expect(await s.journalFiles()).toEqual([]);
  });

  it('a chunk saved and then removed before the files caught up is never written to them', async () => {
    const dir = await fresh();
    const s = new JournaledFileStorage(dir, { retryMs: 5 });
    // Hold the files back: the first record cannot be applied yet.
    const obstacle = join(dir, ...['x', 'snapshot', 'h'].map(encodePart), '_value');
    mkdirSync(obstacle, { recursive: true });
    await s.save(['x', 'snapshot', 'h'], bytes(10, 7));
    // Compaction's pattern: an incremental chunk saved, then removed once the snapshot holds it.
    await s.save(['d', 'incremental', 'c1'], bytes(50, 1));
    await s.remove(['d', 'incremental', 'c1']);
    await s.save(['d', 'snapshot', 's1'], bytes(60, 2));
    rmSync(obstacle, { recursive: true });
    await s.settled();
    expect(existsSync(keyPath(dir, ['d', 'incremental', 'c1']))).toBe(false);
    expect(await s.loadRange(['d'])).toEqual([
      { key: ['d', 'snapshot', 's1'], data: bytes(60, 2) }
    ]);
    // The journal still replays to the same answer.
    await s.abandon();
    const again = new JournaledFileStorage(dir);
    expect(await again.loadRange(['d'])).toEqual([
      { key: ['d', 'snapshot', 's1'], data: bytes(60, 2) }
    ]);
  });

  it('a crash while the files refuse a write loses nothing: the next start applies it', async () => {
    const dir = await fresh();
    const s = new JournaledFileStorage(dir, { retryMs: 5 });
    writeFileSync(join(dir, encodePart('x')), 'in the way');
    await s.save(['x', 'snapshot', 'h'], bytes(10, 7));
    await s.abandon();
    rmSync(join(dir, encodePart('x')));
    const again = new JournaledFileStorage(dir);
    await again.ready();
    expect(await new FileStorageAdapter(dir).load(['x', 'snapshot', 'h'])).toEqual(bytes(10, 7));
  });

  it('removing everything keeps the journal folder', async () => {
    const dir = await fresh();
    const s = new JournaledFileStorage(dir);
    await s.save(['a', 'snapshot', 'h'], bytes(3, 1));
    mkdirSync(join(dir, JOURNAL_DIR), { recursive: true });
    await s.removeRange([]);
    expect(await s.loadRange([])).toEqual([]);
    await s.save(['b', 'snapshot', 'h'], bytes(3, 2));
    await s.abandon();
    const again = new JournaledFileStorage(dir);
    expect(await again.loadRange([])).toEqual([{ key: ['b', 'snapshot', 'h'], data: bytes(3, 2) }]);
  });
});

describe('[STO-10] compaction removals do not hold up the write', () => {
  it('a removal resolves at once, is stored in the order it was issued, and a failure is reported', async () => {
    const dir = await fresh();
    const journal = new JournaledFileStorage(dir);
    const errors: unknown[] = [];
    const s = lazyRemovals(journal, (e) => errors.push(e));
    await s.save(['d', 'incremental', 'a'], bytes(3, 1));
    await s.save(['d', 'incremental', 'b'], bytes(3, 2));
    const before = journal.commits;
    await s.remove(['d', 'incremental', 'a']);
    // Resolved without waiting for its own append.
    expect(journal.commits).toBe(before);
    // Issued after the removal: stored after it.
    await s.remove(['d', 'incremental', 'b']);
    await s.save(['d', 'incremental', 'b'], bytes(3, 9));
    await journal.settled();
    expect(await s.load(['d', 'incremental', 'a'])).toBeUndefined();
    expect(await s.load(['d', 'incremental', 'b'])).toEqual(bytes(3, 9));
    // After a crash the journal gives the same answer.
    await journal.abandon();
    for (const name of chunkFolders(dir)) rmSync(join(dir, name), { recursive: true });
    const again = new JournaledFileStorage(dir);
    expect(await again.loadRange(['d'])).toEqual([
      { key: ['d', 'incremental', 'b'], data: bytes(3, 9) }
    ]);
    // A removal the storage refuses is reported, never thrown at the caller.
    await again.close();
    await s.remove(['d', 'incremental', 'b']);
    await new Promise((r) => setTimeout(r, 10));
    expect(errors.length).toBe(1);
  });
});
