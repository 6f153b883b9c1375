import type { StorageAdapterInterface } from '@automerge/automerge-repo/slim';
import { beforeEach, describe, expect, it } from 'vitest';

export interface StorageSetup {
  adapter: StorageAdapterInterface;
  teardown?: () => Promise<void> | void;
  /** Re-opens the same underlying storage as a new adapter, to prove data outlives the object. */
  reopen?: () => Promise<StorageAdapterInterface>;
}

const bytes = (...xs: number[]) => new Uint8Array(xs);

/**
 * The one contract every storage adapter of Hearth must meet [STO-1..STO-6], run against each
 * adapter kind (Dexie in the browser, the relay's file storage, and later PostgreSQL).
 */
export function runStorageContract(name: string, setup: () => Promise<StorageSetup>): void {
  describe(`storage contract: ${name}`, () => {
    let s: StorageSetup;
    beforeEach(async () => {
      s = await setup();
      return async () => {
        await s.teardown?.();
      };
    });

    it('[STO-1] load of a missing key is undefined, loadRange of a missing prefix is empty', async () => {
      expect(await s.adapter.load(['nope', 'snapshot', 'x'])).toBeUndefined();
      expect(await s.adapter.loadRange(['nope'])).toEqual([]);
    });

    it('[STO-1] save then load returns the same bytes, including every byte value', async () => {
      const all = new Uint8Array(256).map((_, i) => i);
      await s.adapter.save(['doc1', 'snapshot', 'h1'], all);
      expect(await s.adapter.load(['doc1', 'snapshot', 'h1'])).toEqual(all);
    });

    it('[STO-1] a large chunk (1 MiB) round-trips', async () => {
      const big = new Uint8Array(1024 * 1024).map((_, i) => (i * 31 + 7) & 0xff);
      await s.adapter.save(['doc1', 'incremental', 'big'], big);
      expect(await s.adapter.load(['doc1', 'incremental', 'big'])).toEqual(big);
    });

    it('[STO-2] saving the same key again replaces the value', async () => {
      await s.adapter.save(['doc1', 'sync-state', 'p'], bytes(1, 2));
      await s.adapter.save(['doc1', 'sync-state', 'p'], bytes(3));
      expect(await s.adapter.load(['doc1', 'sync-state', 'p'])).toEqual(bytes(3));
      expect(await s.adapter.loadRange(['doc1', 'sync-state'])).toHaveLength(1);
    });

    it('[STO-2] the stored bytes do not change when the caller reuses its buffer', async () => {
      const buf = bytes(9, 9, 9);
      await s.adapter.save(['doc1', 'snapshot', 'h'], buf);
      buf.fill(0);
      expect(await s.adapter.load(['doc1', 'snapshot', 'h'])).toEqual(bytes(9, 9, 9));
    });

    it('[STO-3] loadRange returns exactly the keys under a prefix, with their full keys', async () => {
      await s.adapter.save(['AAAA', 'sync-state', 'x'], bytes(1));
      await s.adapter.save(['AAAA', 'snapshot', 'y'], bytes(2));
      await s.adapter.save(['AAAA', 'sync-state', 'z'], bytes(3));
      await s.adapter.save(['BBBB', 'sync-state', 'z'], bytes(4));
      const sortByKey = (cs: { key: string[] }[]) =>
        [...cs].sort((a, b) => a.key.join('/').localeCompare(b.key.join('/')));
      expect(sortByKey(await s.adapter.loadRange(['AAAA']))).toEqual([
        { key: ['AAAA', 'snapshot', 'y'], data: bytes(2) },
        { key: ['AAAA', 'sync-state', 'x'], data: bytes(1) },
        { key: ['AAAA', 'sync-state', 'z'], data: bytes(3) }
      ]);
      expect(sortByKey(await s.adapter.loadRange(['AAAA', 'sync-state']))).toEqual([
        { key: ['AAAA', 'sync-state', 'x'], data: bytes(1) },
        { key: ['AAAA', 'sync-state', 'z'], data: bytes(3) }
      ]);
    });

    it('[STO-3] a prefix matches whole key parts only: ["AAAA"] does not match ["AAAAB", ...]', async () => {
      await s.adapter.save(['AAAAB', 'snapshot', 'y'], bytes(5));
      await s.adapter.save(['AAAA', 'snapshot', 'y'], bytes(6));
      const got = await s.adapter.loadRange(['AAAA']);
      expect(got).toEqual([{ key: ['AAAA', 'snapshot', 'y'], data: bytes(6) }]);
    });

    it('[STO-4] remove deletes one key and leaves its siblings', async () => {
      await s.adapter.save(['doc1', 'snapshot', 'a'], bytes(1));
      await s.adapter.save(['doc1', 'snapshot', 'b'], bytes(2));
      await s.adapter.remove(['doc1', 'snapshot', 'a']);
      expect(await s.adapter.load(['doc1', 'snapshot', 'a'])).toBeUndefined();
      expect(await s.adapter.load(['doc1', 'snapshot', 'b'])).toEqual(bytes(2));
    });

    it('[STO-4] removing a missing key is not an error', async () => {
      await expect(s.adapter.remove(['ghost', 'snapshot', 'x'])).resolves.toBeUndefined();
    });

    it('[STO-5] removeRange deletes everything under a prefix and nothing else', async () => {
      await s.adapter.save(['doc1', 'snapshot', 'a'], bytes(1));
      await s.adapter.save(['doc1', 'incremental', 'b'], bytes(2));
      await s.adapter.save(['doc10', 'snapshot', 'c'], bytes(3));
      await s.adapter.removeRange(['doc1']);
      expect(await s.adapter.loadRange(['doc1'])).toEqual([]);
      expect(await s.adapter.load(['doc10', 'snapshot', 'c'])).toEqual(bytes(3));
    });

    it('[STO-11] a loadRange while keys under it are being removed returns some of them, each whole, never an error', async () => {
      // What a relay does when it compacts a document (old chunks removed) while a peer's message
      // loads the same document.
      const saved = new Map<string, Uint8Array>();
      for (let round = 0; round < 10; round++) {
        const keys = Array.from({ length: 250 }, (_, i) => [
          'doc1',
          'incremental',
          `r${round}c${i}`
        ]);
        for (const [i, key] of keys.entries()) {
          const data = bytes(round, i, 7);
          saved.set(key.join('/'), data);
          await s.adapter.save(key, data);
        }
        const [loaded] = await Promise.all([
          s.adapter.loadRange(['doc1']),
          ...keys.map((key) => s.adapter.remove(key))
        ]);
        for (const c of loaded) expect(c.data).toEqual(saved.get(c.key.join('/')));
        expect(await s.adapter.loadRange(['doc1'])).toEqual([]);
      }
    });

    it('[STO-6] data survives closing and reopening the storage', async () => {
      if (!s.reopen) throw new Error('every adapter in this suite must support reopen');
      await s.adapter.save(['doc1', 'snapshot', 'persist'], bytes(4, 2));
      const again = await s.reopen();
      expect(await again.load(['doc1', 'snapshot', 'persist'])).toEqual(bytes(4, 2));
      expect(await again.loadRange(['doc1'])).toEqual([
        { key: ['doc1', 'snapshot', 'persist'], data: bytes(4, 2) }
      ]);
    });
  });
}
