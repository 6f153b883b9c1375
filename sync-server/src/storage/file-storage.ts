import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const VALUE_FILE = '_value';

/**
 * The relay's embedded storage: one file per chunk under `dir`, one directory level per key part.
 *
 * Why not the upstream NodeFS adapter: our storage contract caught two defects in it — a prefix
 * matched by string (`["ab"]` under prefix `["a"]`) and a cache that kept the caller's buffer, so a
 * later mutation by the caller changed stored data. See docs/adr/0002-relay-file-storage.md.
 *
 * Layout: every key part is hex-encoded (safe on case-insensitive file systems, no `..`, no
 * separators), and the value lives in a file named `_value` inside the key's directory, so a key
 * and a longer key that extends it never collide. Writes go to a temporary file, are fsynced, then
 * renamed over the old value: a crash leaves the old value or the new one, never half of one.
 */
export class FileStorageAdapter implements StorageAdapterInterface {
  readonly #durable: boolean;

  /**
   * `durable: false` skips the fsyncs (the rename stays): for `JournaledFileStorage`, whose journal
   * makes writes durable and which fsyncs the files later, many at a time.
   */
  constructor(
    private readonly dir: string,
    options: { durable?: boolean } = {}
  ) {
    this.#durable = options.durable ?? true;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.pathOf(key), VALUE_FILE)));
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    const dir = this.pathOf(key);
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(data);
      if (this.#durable) await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(dir, VALUE_FILE));
    if (this.#durable) await syncPath(dir);
  }

  async remove(key: StorageKey): Promise<void> {
    try {
      await unlink(join(this.pathOf(key), VALUE_FILE));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.#pruneFrom(this.pathOf(key));
  }

  /**
   * Removes `dir` and then each parent up to the data directory, while they are empty [STO-12]:
   * compaction removes many keys, and the empty folders it left were walked by every later load.
   * A folder a save is filling is never empty (its key's folder is made, then written into; a
   * removal of the same key is never run beside a save of it), so this stops there.
   */
  async #pruneFrom(dir: string): Promise<void> {
    for (let d = dir; d.length > this.dir.length && d.startsWith(this.dir); d = dirname(d)) {
      try {
        await rmdir(d);
      } catch {
        return; // not empty, or already gone
      }
    }
  }

  /**
   * At start, before any write [STO-12]: removes the temporary files a crash left in the middle
   * of a write (a write is a temporary file renamed over the value) and empty folders. Returns
   * how many of each.
   */
  async tidy(): Promise<{ temporaries: number; folders: number }> {
    const found = { temporaries: 0, folders: 0 };
    const walk = async (dir: string): Promise<boolean> => {
      let empty = true;
      for (const entry of await readdirOrEmpty(dir, true)) {
        const path = join(dir, entry.name);
        if (entry.isDirectory() && decodePart(entry.name) !== undefined) {
          if (await walk(path)) {
            await rmdir(path).catch(() => undefined);
            found.folders++;
          } else empty = false;
        } else if (entry.isFile() && entry.name.startsWith('.tmp-')) {
          await unlink(path).catch(() => undefined);
          found.temporaries++;
        } else empty = false;
      }
      return empty;
    };
    await walk(this.dir);
    return found;
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const out: Chunk[] = [];
    await this.walk(this.pathOf(keyPrefix), [...keyPrefix], out);
    return out;
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    if (keyPrefix.length === 0) {
      // Never remove the data directory itself, only the keys inside it (not the journal).
      for (const name of await readdirOrEmpty(this.dir))
        if (decodePart(name) !== undefined)
          await rm(join(this.dir, name), { recursive: true, force: true });
      return;
    }
    await rm(this.pathOf(keyPrefix), { recursive: true, force: true });
    await this.#pruneFrom(dirname(this.pathOf(keyPrefix)));
  }

  /** Ids of every stored document (for federation's catch-up walk). */
  async documentIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const name of await readdirOrEmpty(this.dir)) {
      const id = decodePart(name);
      if (id === undefined) continue;
      const parts = await readdirOrEmpty(join(this.dir, name));
      if (parts.some((p) => p === encodePart('snapshot') || p === encodePart('incremental')))
        ids.push(id);
    }
    return ids;
  }

  /** Whether any chunk of the document is stored (read from folder names, nothing opened). */
  async hasDocument(documentId: string): Promise<boolean> {
    const doc = join(this.dir, encodePart(documentId));
    for (const kind of ['snapshot', 'incremental'])
      for (const chunk of await readdirOrEmpty(join(doc, encodePart(kind))))
        if ((await readdirOrEmpty(join(doc, encodePart(kind), chunk))).includes(VALUE_FILE))
          return true;
    return false;
  }

  private pathOf(key: StorageKey): string {
    return keyPath(this.dir, key);
  }

  private async walk(dir: string, key: string[], out: Chunk[]): Promise<void> {
    for (const entry of await readdirOrEmpty(dir, true)) {
      if (entry.isFile() && entry.name === VALUE_FILE) {
        // Removed since it was listed (a compaction, a journal record applied meanwhile): the
        // key is gone, as if the listing had come a moment later [STO-11].
        const data = await readFile(join(dir, VALUE_FILE)).catch((e: unknown) => {
          if (isNotFound(e)) return undefined;
          throw e;
        });
        if (data) out.push({ key: [...key], data: new Uint8Array(data) });
      } else if (entry.isDirectory()) {
        const part = decodePart(entry.name);
        if (part !== undefined) await this.walk(join(dir, entry.name), [...key, part], out);
      }
    }
  }
}

/** The folder of a key under the data directory `dir`. */
export function keyPath(dir: string, key: StorageKey): string {
  return join(dir, ...key.map(encodePart));
}

/** The file holding a key's value. */
export function valuePath(dir: string, key: StorageKey): string {
  return join(keyPath(dir, key), VALUE_FILE);
}

/** `k` + hex of the UTF-8 bytes: never empty, never `.`/`..`, never `_value`. */
export function encodePart(part: string): string {
  return 'k' + Buffer.from(part, 'utf8').toString('hex');
}

function decodePart(name: string): string | undefined {
  if (!/^k(?:[0-9a-f]{2})*$/.test(name)) return undefined;
  return Buffer.from(name.slice(1), 'hex').toString('utf8');
}

export async function readdirOrEmpty(dir: string): Promise<string[]>;
export async function readdirOrEmpty(
  dir: string,
  withTypes: true
): Promise<import('node:fs').Dirent[]>;
export async function readdirOrEmpty(dir: string, withTypes = false) {
  try {
    return withTypes ? await readdir(dir, { withFileTypes: true }) : await readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/**
 * fsync a file or a folder (so a rename, a new entry or an unlink in it survives a power cut).
 * One that no longer exists has nothing to make durable.
 */
export async function syncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  try {
    await handle.sync();
  } catch (e) {
    // Some file systems refuse fsync on folders (EINVAL); their files are synced one by one.
    if ((e as { code?: string }).code !== 'EINVAL') throw e;
  } finally {
    await handle.close();
  }
}

export function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ENOENT';
}
