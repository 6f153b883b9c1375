import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { constants } from 'node:fs';
import { mkdir, open, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  FileStorageAdapter,
  isNotFound,
  keyPath,
  readdirOrEmpty,
  syncPath,
  valuePath
} from './file-storage';

/** Where the journal lives inside the data directory (not a key: key folders start with `k`). */
export const JOURNAL_DIR = '.journal';

const SAVE = 1;
const REMOVE = 2;
const REMOVE_RANGE = 3;
type Op =
  | { kind: typeof SAVE; key: StorageKey; data: Uint8Array }
  | { kind: typeof REMOVE | typeof REMOVE_RANGE; key: StorageKey };

interface Waiting {
  op: Op;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Generation {
  readonly path: string;
  /** Files and folders whose contents its records changed (fsynced before it is deleted). */
  readonly touched: Set<string>;
  /** Its records not yet in the chunk files. */
  unapplied: number;
}

interface Journaled {
  op: Op;
  gen: Generation;
}

export interface JournalOptions {
  /** A new journal file is begun once the current one holds this many bytes. */
  rotateBytes?: number;
  /** ... or is this old and not empty. */
  rotateMs?: number;
  /** First pause before trying again a record the files refused (it doubles, up to 5 s). */
  retryMs?: number;
  /** Journaled bytes not yet in the files beyond which new writes wait. */
  maxPendingBytes?: number;
  now?: () => number;
  /** Told of each failure to bring the files up to date (counted and logged by the relay). */
  onError?: (e: unknown) => void;
}

/**
 * The relay's embedded storage with group commit [STO-9]: the same files as `FileStorageAdapter`
 * (one per chunk), written through an append-only journal.
 *
 * Every save and remove waiting at the same moment goes into the journal as one append, written
 * with `O_DSYNC` (one system call that returns once the bytes are on disk), and then resolves: the
 * relay may acknowledge it [OPS-11]. Chunk files are brought up to date behind it, in order (by
 * temporary file and rename, without a flush per file); until then reads see the journaled
 * records in memory, so a resolved write is always read back.
 *
 * Journal files are numbered generations under `.journal/`. A full or old generation is closed
 * and a new one begun; a closed generation is deleted once all its records are in the files and
 * every file and folder they touched has been fsynced. On start, generations left by a crash are
 * applied again in order (each record is a whole value or a removal, so applying one twice is
 * harmless) and a torn last record — a crash mid-append, never acknowledged — is ignored.
 *
 * A record the files refuse (disk full) is tried again, with growing pauses, before any later
 * record; reads keep seeing it, and its journal stays until it is in the files.
 */
export class JournaledFileStorage implements StorageAdapterInterface {
  readonly #files: FileStorageAdapter;
  readonly #journalDir: string;
  readonly #rotateBytes: number;
  readonly #rotateMs: number;
  readonly #retryMs: number;
  readonly #maxPendingBytes: number;
  readonly #now: () => number;
  readonly #onError: (e: unknown) => void;
  readonly #ready: Promise<void>;

  /** Writes waiting for the next append. */
  #batch: Waiting[] = [];
  #pumping: Promise<void> | undefined;
  /** Journaled records not yet in the chunk files, oldest first (reads look here first). */
  readonly #pending: Journaled[] = [];
  #pendingBytes = 0;
  #applying: Promise<void> | undefined;
  /** Resolved (and replaced) whenever records reach the files. */
  #progress = signal();
  /** Closed generations not yet deleted, oldest first. */
  readonly #closed: Generation[] = [];
  #checkpointing: Promise<void> | undefined;
  #current: Generation | undefined;
  #handle: FileHandle | undefined;
  #size = 0;
  #opened = 0;
  #next = 1;
  #closing = false;
  #stopped = false;
  #commits = 0;

  constructor(
    private readonly dir: string,
    options: JournalOptions = {}
  ) {
    this.#files = new FileStorageAdapter(dir, { durable: false });
    this.#journalDir = join(dir, JOURNAL_DIR);
    this.#rotateBytes = options.rotateBytes ?? 8 * 2 ** 20;
    this.#rotateMs = options.rotateMs ?? 10_000;
    this.#retryMs = options.retryMs ?? 100;
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 2 ** 20;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
    this.#ready = this.#recover();
    // Surfaces on first use; never an unhandled rejection meanwhile.
    this.#ready.catch(() => undefined);
  }

  /** Resolves once journals left by an earlier run are applied (every method waits for it). */
  ready(): Promise<void> {
    return this.#ready;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    await this.#ready;
    for (let i = this.#pending.length - 1; i >= 0; i--) {
      const op = this.#pending[i]!.op;
      if (op.kind === REMOVE_RANGE ? startsWith(key, op.key) : sameKey(key, op.key))
        return op.kind === SAVE ? Uint8Array.from(op.data) : undefined;
    }
    return this.#files.load(key);
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    await this.#ready;
    // Taken before the files are read: a record applied meanwhile is applied again here, which
    // changes nothing.
    const pending = this.#pending.map((p) => p.op);
    const chunks = new Map<string, Chunk>();
    for (const c of await this.#files.loadRange(keyPrefix)) chunks.set(JSON.stringify(c.key), c);
    for (const op of pending) {
      if (op.kind === REMOVE_RANGE) {
        for (const [id, c] of chunks) if (startsWith(c.key, op.key)) chunks.delete(id);
      } else if (startsWith(op.key, keyPrefix)) {
        if (op.kind === SAVE)
          chunks.set(JSON.stringify(op.key), { key: [...op.key], data: Uint8Array.from(op.data) });
        else chunks.delete(JSON.stringify(op.key));
      }
    }
    return [...chunks.values()];
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    // Copied now: the caller may reuse its buffer before the batch is written.
    return this.#enqueue({ kind: SAVE, key: [...key], data: Uint8Array.from(data) });
  }

  remove(key: StorageKey): Promise<void> {
    return this.#enqueue({ kind: REMOVE, key: [...key] });
  }

  removeRange(keyPrefix: StorageKey): Promise<void> {
    return this.#enqueue({ kind: REMOVE_RANGE, key: [...keyPrefix] });
  }

  /**
   * Ids of every stored document: the chunk files' folders (listed, not read) and the documents
   * journaled but not yet in them.
   */
  async documentIds(): Promise<string[]> {
    await this.#ready;
    const ids = new Set(await this.#files.documentIds());
    for (const { op } of this.#pending)
      if (op.kind === SAVE && (op.key[1] === 'snapshot' || op.key[1] === 'incremental'))
        ids.add(op.key[0]!);
    return [...ids];
  }

  /** Whether any chunk of the document is stored, in the files or still in the journal. */
  async hasDocument(documentId: string): Promise<boolean> {
    await this.#ready;
    for (const { op } of this.#pending)
      if (
        op.kind === SAVE &&
        op.key[0] === documentId &&
        (op.key[1] === 'snapshot' || op.key[1] === 'incremental')
      )
        return true;
    return this.#files.hasDocument(documentId);
  }

  /** Writes what is waiting, brings the files up to date, fsyncs them and removes the journals. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#ready.catch(() => undefined);
    while (this.#pumping) await this.#pumping;
    await this.#drain();
    await this.#checkpointing;
    await this.#rotate();
    // Records the files still refuse keep their journal: the next start applies them.
    if (this.#pending.length === 0) await this.#checkpoint();
  }

  /** Journal appends so far: one per batch of writes, not one per write. */
  get commits(): number {
    return this.#commits;
  }

  /** Resolves when nothing is being written, applied or checkpointed (for tests). */
  async settled(): Promise<void> {
    await this.#ready.catch(() => undefined);
    while (this.#pumping || this.#applying || this.#checkpointing) {
      await this.#pumping;
      await this.#applying;
      await this.#checkpointing;
    }
  }

  /**
   * What a process that dies leaves behind (for tests): once the journal is written, nothing more
   * is applied or removed and the journal file is let go as it is. The object is unusable after.
   */
  async abandon(): Promise<void> {
    this.#closing = true;
    this.#stopped = true;
    this.#wake();
    await this.settled();
    await this.#handle?.close();
    this.#handle = undefined;
  }

  /** Journal files present now. */
  async journalFiles(): Promise<string[]> {
    return (await readdirOrEmpty(this.#journalDir)).filter((n) => n.endsWith('.log')).sort();
  }

  #enqueue(op: Op): Promise<void> {
    if (this.#closing) return Promise.reject(new Error('storage is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#batch.push({ op, resolve, reject });
      this.#startPump();
    });
  }

  #startPump(): void {
    if (this.#pumping) return;
    this.#pumping = this.#pump().finally(() => {
      this.#pumping = undefined;
      // A write that arrived after the pump's last look, before this ran, would wait for ever.
      if (this.#batch.length > 0) this.#startPump();
    });
  }

  /**
   * Runs beside the next appends, one at a time. One that deleted journals looks again for any
   * closed meanwhile; a failed one keeps its journals for the next rotation.
   */
  #startCheckpoint(): void {
    if (this.#checkpointing) return;
    let deleted = 0;
    this.#checkpointing = this.#checkpoint()
      .then((n) => void (deleted = n))
      .catch((e: unknown) => this.#onError(e))
      .finally(() => {
        this.#checkpointing = undefined;
        if (deleted > 0 && this.#closed.length > 0 && !this.#stopped && !this.#closing)
          this.#startCheckpoint();
      });
  }

  #startApplying(): void {
    if (this.#applying) return;
    let gaveUp = false;
    this.#applying = this.#applyAll()
      .catch(() => {
        gaveUp = true; // at close: the journal keeps the records for the next start
      })
      .finally(() => {
        this.#applying = undefined;
        this.#wake();
        // Records journaled after the applier's last look, before this ran.
        if (this.#pending.length > 0 && !this.#stopped && !gaveUp) this.#startApplying();
      });
  }

  /** One append at a time: while one is being written, the next batch gathers. */
  async #pump(): Promise<void> {
    try {
      await this.#ready;
    } catch (e) {
      for (const w of this.#batch.splice(0)) w.reject(e);
      return;
    }
    // No pause to gather a first batch: a lone write goes at once, and every write issued while
    // an append is under way joins the next one.
    while (this.#batch.length > 0) {
      // The files fell far behind (a slow or full disk): wait instead of holding ever more.
      while (this.#pendingBytes > this.#maxPendingBytes && !this.#stopped)
        await this.#progress.promise;
      const batch = this.#batch.splice(0);
      await this.#commit(batch);
      if (
        this.#size >= this.#rotateBytes ||
        (this.#size > 0 && this.#now() - this.#opened >= this.#rotateMs)
      ) {
        await this.#rotate().catch((e: unknown) => this.#onError(e));
        this.#startCheckpoint();
      }
    }
  }

  async #commit(batch: Waiting[]): Promise<void> {
    const bytes = Buffer.concat(batch.map((w) => encodeRecord(w.op)));
    let gen: Generation;
    try {
      gen = await this.#open();
      // A full disk can take part of a write and report it as written: not durable until all is.
      for (let at = 0; at < bytes.length;) {
        const { bytesWritten } = await this.#handle!.write(bytes, at, bytes.length - at);
        if (bytesWritten <= 0) throw new Error('journal append wrote nothing');
        at += bytesWritten;
      }
      if (!O_DSYNC) await this.#handle!.datasync();
      this.#size += bytes.length;
      this.#commits++;
    } catch (e) {
      // Nothing in this batch is durable. Cut off what may have been appended (a torn record would
      // hide every later one from recovery); if even that fails, begin a new journal file.
      try {
        await this.#handle?.truncate(this.#size);
      } catch {
        await this.#rotate().catch(() => undefined);
      }
      for (const w of batch) w.reject(e);
      return;
    }
    for (const w of batch) {
      this.#pending.push({ op: w.op, gen });
      gen.unapplied++;
      this.#pendingBytes += w.op.kind === SAVE ? w.op.data.length : 0;
    }
    for (const w of batch) w.resolve();
    this.#startApplying();
  }

  /** Brings the files up to date with the journaled records, in order. */
  async #applyAll(): Promise<void> {
    while (this.#pending.length > 0 && !this.#stopped) {
      const slice = this.#pending.slice();
      // Key by key, different keys side by side; a range removal goes alone, after everything
      // before it. Of several records for one key only the last is applied: each is a whole value
      // or a removal, so it decides the file alone (and a chunk saved, then removed by compaction
      // before the files caught up, is never written at all). The others are in the journal.
      let last = new Map<string, Journaled>();
      const drain = async () => {
        // A few keys at a time, leaving threads of the pool for the next append.
        const all = [...last.values()];
        for (let i = 0; i < all.length; i += APPLY_LANES)
          await Promise.all(all.slice(i, i + APPLY_LANES).map((j) => this.#applyOne(j)));
        last = new Map();
      };
      for (const j of slice) {
        if (j.op.kind === REMOVE_RANGE) {
          await drain();
          await this.#applyOne(j);
          continue;
        }
        const id = JSON.stringify(j.op.key);
        last.set(id, j);
      }
      await drain();
      if (this.#stopped) return;
      this.#pending.splice(0, slice.length);
      for (const j of slice) {
        j.gen.unapplied--;
        this.#pendingBytes -= j.op.kind === SAVE ? j.op.data.length : 0;
      }
      this.#wake();
    }
  }

  /** Wakes whoever waits for the files to catch up (checkpoints, writes held back). */
  #wake(): void {
    const progress = this.#progress;
    this.#progress = signal();
    progress.resolve();
  }

  /** One record into the files; what the files refuse is tried again until they take it. */
  async #applyOne(j: Journaled): Promise<void> {
    for (let pause = this.#retryMs; ; pause = Math.min(pause * 2, 5000)) {
      if (this.#stopped) return;
      try {
        await this.#apply(j.op, j.gen.touched);
        return;
      } catch (e) {
        this.#onError(e);
        // Closing gives up: the journal keeps the record and the next start applies it.
        if (this.#closing) throw e;
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }

  /** Waits until every journaled record is in the files (or the files refuse one at close). */
  async #drain(): Promise<void> {
    while (this.#applying) await this.#applying.catch(() => undefined);
  }

  async #apply(op: Op, touched: Set<string> | undefined): Promise<void> {
    if (op.kind === SAVE) await this.#files.save(op.key, op.data);
    else if (op.kind === REMOVE) await this.#files.remove(op.key);
    else await this.#files.removeRange(op.key);
    if (!touched) return;
    if (op.kind === SAVE) touched.add(valuePath(this.dir, op.key));
    // Every folder from the key's up to the data directory: a new folder's entry in its parent,
    // a rename or an unlink are all folder changes. A removed range changed its parent.
    let d = keyPath(this.dir, op.key);
    if (op.kind === REMOVE_RANGE && op.key.length > 0) d = dirname(d);
    for (; ; d = dirname(d)) {
      touched.add(d);
      if (d === this.dir || d.length < this.dir.length) break;
    }
  }

  async #open(): Promise<Generation> {
    if (this.#handle && this.#current) return this.#current;
    await mkdir(this.#journalDir, { recursive: true });
    const n = this.#next++;
    const path = join(this.#journalDir, `${String(n).padStart(12, '0')}.log`);
    this.#handle = await open(path, APPEND_FLAGS);
    await syncPath(this.#journalDir);
    this.#current = { path, touched: new Set(), unapplied: 0 };
    this.#size = 0;
    this.#opened = this.#now();
    return this.#current;
  }

  /** Closes the current journal file; the next write begins a new one. */
  async #rotate(): Promise<void> {
    const gen = this.#current;
    const handle = this.#handle;
    this.#current = undefined;
    this.#handle = undefined;
    this.#size = 0;
    if (gen) this.#closed.push(gen);
    await handle?.close();
  }

  /**
   * Deletes closed generations once their records are all in the files and every file and folder
   * they touched is fsynced.
   */
  async #checkpoint(): Promise<number> {
    const gens = [...this.#closed];
    if (gens.length === 0) return 0;
    while (gens.some((g) => g.unapplied > 0)) {
      if (this.#stopped || (this.#closing && !this.#applying)) return 0;
      await this.#progress.promise;
    }
    const touched = new Set<string>();
    for (const gen of gens) for (const t of gen.touched) touched.add(t);
    // One at a time: the next appends share the same disk and thread pool.
    for (const path of touched) {
      if (this.#stopped) return 0;
      await syncPath(path);
    }
    let deleted = 0;
    for (const gen of gens) {
      if (this.#stopped) return deleted;
      await unlink(gen.path).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      this.#closed.splice(this.#closed.indexOf(gen), 1);
      deleted++;
    }
    await syncPath(this.#journalDir);
    return deleted;
  }

  /** Applies journals a crash left behind, makes the files durable, deletes the journals. */
  async #recover(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdirOrEmpty(this.#journalDir))
      .filter((n) => /^\d{12}\.log$/.test(n))
      .sort();
    const touched = new Set<string>();
    for (const name of names)
      for (const op of decodeRecords(await readFile(join(this.#journalDir, name))))
        await this.#apply(op, touched);
    for (const p of touched) await syncPath(p);
    for (const name of names) await unlink(join(this.#journalDir, name));
    if (names.length > 0) {
      await syncPath(this.#journalDir);
      this.#next = Number(names[names.length - 1]!.slice(0, 12)) + 1;
    }
    // Before any write: what a crash left half-written, and folders left empty [STO-12].
    this.tidied = await this.#files.tidy();
  }

  /** What the start's tidy removed (temporary files a crash left, empty folders) [STO-12]. */
  tidied = { temporaries: 0, folders: 0 };
}

/** Keys written to the chunk files side by side. */
const APPLY_LANES = 4;

/** Append, and each write returns once its bytes are on disk (where the platform offers it). */
const O_DSYNC = (constants as { O_DSYNC?: number }).O_DSYNC ?? 0;
const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | O_DSYNC;

function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sameKey = (a: StorageKey, b: StorageKey) =>
  a.length === b.length && a.every((p, i) => p === b[i]);
const startsWith = (key: StorageKey, prefix: StorageKey) =>
  prefix.length <= key.length && prefix.every((p, i) => key[i] === p);

// Record: u32 length of body, u32 CRC-32 of body, body = u8 kind, u32 key length, key (JSON), data.
function encodeRecord(op: Op): Buffer {
  const key = Buffer.from(JSON.stringify(op.key), 'utf8');
  const data = op.kind === SAVE ? op.data : new Uint8Array();
  const body = Buffer.alloc(5 + key.length + data.length);
  body.writeUInt8(op.kind, 0);
  body.writeUInt32LE(key.length, 1);
  key.copy(body, 5);
  body.set(data, 5 + key.length);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(body.length, 0);
  head.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([head, body]);
}

/** The records of a journal file, stopping at the first torn or corrupt one. */
function decodeRecords(file: Uint8Array): Op[] {
  const buf = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const ops: Op[] = [];
  let at = 0;
  while (at + 8 <= buf.length) {
    const length = buf.readUInt32LE(at);
    const sum = buf.readUInt32LE(at + 4);
    if (length < 5 || at + 8 + length > buf.length) break;
    const body = buf.subarray(at + 8, at + 8 + length);
    if (crc32(body) !== sum) break;
    const kind = body.readUInt8(0);
    const keyLength = body.readUInt32LE(1);
    if (5 + keyLength > body.length) break;
    let key: unknown;
    try {
      key = JSON.parse(body.subarray(5, 5 + keyLength).toString('utf8'));
    } catch {
      break;
    }
    if (!Array.isArray(key) || !key.every((p) => typeof p === 'string')) break;
    if (kind === SAVE)
      ops.push({ kind, key: key, data: Uint8Array.from(body.subarray(5 + keyLength)) });
    else if (kind === REMOVE || kind === REMOVE_RANGE) ops.push({ kind, key: key });
    else break;
    at += 8 + length;
  }
  return ops;
}
