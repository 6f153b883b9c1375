import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import type { HearthDB } from './db';

/**
 * automerge-repo storage in IndexedDB through Dexie. Keys are stored as IndexedDB array keys, so a
 * prefix query is a key range: every array that starts with `prefix` sorts between `prefix` and
 * `[...prefix, []]` (arrays sort after strings). That keeps `loadRange` exact: `["ab"]` never
 * matches prefix `["a"]`.
 */
export class DexieStorageAdapter implements StorageAdapterInterface {
  constructor(private readonly db: HearthDB) {}

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const row = await this.db.chunks.get(key);
    return row ? toBytes(row.data) : undefined;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    // Copy: the caller may reuse its buffer, and IndexedDB must store exactly these bytes.
    await this.db.chunks.put({ key: [...key], data: Uint8Array.from(data) });
  }

  async remove(key: StorageKey): Promise<void> {
    await this.db.chunks.delete(key);
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const rows = await this.range(keyPrefix).toArray();
    return rows.map((row) => ({ key: row.key, data: toBytes(row.data) }));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.range(keyPrefix).delete();
  }

  private range(prefix: StorageKey) {
    if (prefix.length === 0) return this.db.chunks.toCollection();
    return this.db.chunks.where(':id').between([...prefix], [...prefix, []], true, true);
  }
}

/** Some IndexedDB implementations hand back a plain ArrayBuffer view of another type. */
function toBytes(data: Uint8Array | ArrayBuffer): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}
