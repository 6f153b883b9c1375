import 'fake-indexeddb/auto';
import type { StorageAdapterInterface } from '@automerge/automerge-repo/slim';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HearthDB } from '../../src/lib/adapters/db';
import { DexieStorageAdapter } from '../../src/lib/adapters/dexie-storage';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';
import { JournaledFileStorage } from '../../sync-server/src/storage/journal';

// Short parts over a tiny alphabet make prefixes collide often ("a" vs "ab"), which is where bugs live.
const part = fc.constantFrom('a', 'ab', 'b', 'A', 'é', '..', 'snapshot', 'x/y', '');
const key = fc.array(part, { minLength: 1, maxLength: 3 });
const op = fc.oneof(
  fc.record({ kind: fc.constant('save' as const), key, data: fc.uint8Array({ maxLength: 8 }) }),
  fc.record({ kind: fc.constant('remove' as const), key }),
  fc.record({ kind: fc.constant('removeRange' as const), key: fc.array(part, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('loadRange' as const), key: fc.array(part, { maxLength: 2 }) }),
  fc.record({ kind: fc.constant('load' as const), key })
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

const id = (k: string[]) => JSON.stringify(k);
const startsWith = (k: string[], prefix: string[]) => prefix.every((p, i) => k[i] === p);
const sorted = (chunks: { key: string[]; data?: Uint8Array }[]) =>
  chunks
    .map((c) => [id(c.key), Array.from(c.data ?? [])] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** [STO-7] any sequence of operations gives the same answers as a plain in-memory map. */
async function checkAgainstModel(
  first: StorageAdapterInterface,
  ops: (Op | { kind: 'crash' })[],
  crash?: () => Promise<StorageAdapterInterface>
) {
  const model = new Map<string, { key: string[]; data: Uint8Array }>();
  let adapter = first;
  for (const o of ops) {
    switch (o.kind) {
      case 'crash':
        if (crash) adapter = await crash();
        break;
      case 'save':
        await adapter.save(o.key, o.data);
        model.set(id(o.key), { key: o.key, data: Uint8Array.from(o.data) });
        break;
      case 'remove':
        await adapter.remove(o.key);
        model.delete(id(o.key));
        break;
      case 'removeRange':
        await adapter.removeRange(o.key);
        for (const [k, v] of model) if (startsWith(v.key, o.key)) model.delete(k);
        break;
      case 'load':
        expect(await adapter.load(o.key)).toEqual(model.get(id(o.key))?.data);
        break;
      case 'loadRange': {
        const expected = [...model.values()].filter((v) => startsWith(v.key, o.key));
        expect(sorted(await adapter.loadRange(o.key))).toEqual(sorted(expected));
        break;
      }
    }
  }
}

describe('storage adapters behave like a map', () => {
  let n = 0;
  it('[STO-7] Dexie adapter matches the model for random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const db = new HearthDB(`model-${n++}`);
        try {
          await checkAgainstModel(new DexieStorageAdapter(db), ops);
        } finally {
          db.close();
          await HearthDB.delete(db.name);
        }
      }),
      { numRuns: 150 }
    );
  });

  it('[STO-7] relay file storage matches the model for random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const dir = mkdtempSync(join(tmpdir(), 'hearth-model-'));
        try {
          await checkAgainstModel(new FileStorageAdapter(dir), ops);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 }
    );
  });

  it('[STO-7] [STO-9] journaled file storage matches the model, across crashes and restarts', async () => {
    const withCrash = fc.oneof(
      { weight: 6, arbitrary: op },
      { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) }
    );
    await fc.assert(
      fc.asyncProperty(fc.array(withCrash, { maxLength: 40 }), async (ops) => {
        const dir = mkdtempSync(join(tmpdir(), 'hearth-model-journal-'));
        // Tiny journals: rotations, checkpoints and replays all happen within a run.
        const open = () => new JournaledFileStorage(dir, { rotateBytes: 40 });
        let current = open();
        try {
          await checkAgainstModel(current, ops, async () => {
            // The process dies between writes: the old adapter is dropped, not closed, and the
            // next one starts from whatever is on disk (journal included).
            await current.abandon();
            current = open();
            return current;
          });
        } finally {
          await current.abandon();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 100 }
    );
  });
});
