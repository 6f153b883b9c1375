import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

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
  constructor(private readonly dir: string) {}

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
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, join(dir, VALUE_FILE));
    await syncDir(dir);
  }

  async remove(key: StorageKey): Promise<void> {
    try {
      await unlink(join(this.pathOf(key), VALUE_FILE));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const out: Chunk[] = [];
    await this.walk(this.pathOf(keyPrefix), [...keyPrefix], out);
    return out;
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    if (keyPrefix.length === 0) {
      // Never remove the data directory itself, only what is inside it.
      for (const name of await readdirOrEmpty(this.dir))
        await rm(join(this.dir, name), { recursive: true, force: true });
      return;
    }
    await rm(this.pathOf(keyPrefix), { recursive: true, force: true });
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

  private pathOf(key: StorageKey): string {
    return join(this.dir, ...key.map(encodePart));
  }

  private async walk(dir: string, key: string[], out: Chunk[]): Promise<void> {
    for (const entry of await readdirOrEmpty(dir, true)) {
      if (entry.isFile() && entry.name === VALUE_FILE) {
        out.push({ key: [...key], data: new Uint8Array(await readFile(join(dir, VALUE_FILE))) });
      } else if (entry.isDirectory()) {
        const part = decodePart(entry.name);
        if (part !== undefined) await this.walk(join(dir, entry.name), [...key, part], out);
      }
    }
  }
}

/** `k` + hex of the UTF-8 bytes: never empty, never `.`/`..`, never `_value`. */
export function encodePart(part: string): string {
  return 'k' + Buffer.from(part, 'utf8').toString('hex');
}

export function decodePart(name: string): string | undefined {
  if (!/^k(?:[0-9a-f]{2})*$/.test(name)) return undefined;
  return Buffer.from(name.slice(1), 'hex').toString('utf8');
}

async function readdirOrEmpty(dir: string): Promise<string[]>;
async function readdirOrEmpty(dir: string, withTypes: true): Promise<import('node:fs').Dirent[]>;
async function readdirOrEmpty(dir: string, withTypes = false) {
  try {
    return withTypes ? await readdir(dir, { withFileTypes: true }) : await readdir(dir);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

/** fsync a directory so the rename that put a value in place survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the file itself is already synced.
  } finally {
    await handle.close();
  }
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'ENOENT';
}
