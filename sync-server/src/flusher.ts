/**
 * The heads at the start of an Automerge sync message, read without decoding the rest (its
 * changes can be large): type byte 0x42, a LEB128 count, then that many 32-byte hashes. Undefined
 * when the bytes do not start that way (the caller then decodes the whole message).
 */
export function syncMessageHeads(data: Uint8Array): string[] | undefined {
  if (data[0] !== 0x42) return undefined;
  let count = 0;
  let at = 1;
  for (let shift = 0; ; shift += 7) {
    const byte = data[at++];
    if (byte === undefined || shift > 28) return undefined;
    count |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
  }
  if (at + count * 32 > data.length) return undefined;
  const heads: string[] = [];
  for (let i = 0; i < count; i++)
    heads.push(Buffer.from(data.subarray(at + i * 32, at + (i + 1) * 32)).toString('hex'));
  return heads;
}

/** Heads in one comparable string: the order they are listed in does not matter. */
function headsKey(heads: readonly string[]): string {
  return [...heads].sort().join();
}

/** A write that was overtaken: its document was dropped from memory and loaded again meanwhile. */
export class StaleWrite extends Error {
  constructor(documentId: string) {
    super(`document ${documentId} was reloaded before its write`);
  }
}

interface Write {
  /** The document state this write stores (see `Flusher.mark`). */
  readonly seq: number;
  readonly done: Promise<void>;
}

interface DocState {
  /** Grows by one each time the document's in-memory heads are seen to have changed. */
  seq: number;
  heads: string;
  /** The highest `seq` known to be in storage. */
  stored: number;
  running?: Write;
  queued?: Promise<void>;
}

/**
 * Writes documents so that a sync message can wait until the state it describes is stored
 * [OPS-11], with as few writes as that needs.
 *
 * A document in memory only grows, so its states can be numbered: `mark` numbers the state a
 * message describes when the message is sent, and a write numbers the state it captures when it
 * starts. A message waits for the first write whose state is at least its own: none at all when
 * that state is already stored (a reply that brings nothing new), the running write when it began
 * after the message's state (ten peers told of one change share one write), otherwise the next
 * write, which every message arriving meanwhile shares. One write runs at a time per document.
 */
export class Flusher {
  readonly #docs = new Map<string, DocState>();

  constructor(
    /** Writes the document's current in-memory state; captures it synchronously when called. */
    private readonly write: (documentId: string) => Promise<void>,
    /** The heads of the document in memory; undefined when it is not loaded. */
    private readonly headsOf: (documentId: string) => readonly string[] | undefined
  ) {}

  /**
   * Numbers the state a message about the document tells of (`heads`, as the message says them),
   * when it is sent. A message can be ahead of the document's heads as read in memory: automerge-repo
   * answers a peer from inside the update that applies the peer's changes, before the handle holds
   * the new state. Such a message needs the next state: a write that starts after the update.
   */
  mark(documentId: string, heads: readonly string[]): number {
    const s = this.#observe(documentId);
    return headsKey(heads) === s.heads ? s.seq : s.seq + 1;
  }

  /** Resolves once state `need` (from `mark`) of the document is stored; rejects if a write failed. */
  async durable(documentId: string, need: number): Promise<void> {
    const s = this.#state(documentId);
    for (;;) {
      if (s.stored >= need) return;
      if (this.#docs.get(documentId) !== s) throw new StaleWrite(documentId);
      if (s.running && s.running.seq >= need) {
        await s.running.done;
        continue;
      }
      await this.#next(documentId, s);
      // That write began before the heads the message names showed in memory. If they show now,
      // one more write stores them; if they still do not, nothing newer is there to store.
      if (s.stored < need && this.#observe(documentId).seq < need) return;
    }
  }

  /** The next write of the document: started now, or queued behind the running one and shared. */
  #next(documentId: string, s: DocState): Promise<void> {
    if (s.queued) return s.queued;
    if (!s.running) return this.#start(documentId, s);
    const queued = s.running.done
      .catch(() => undefined)
      .then(() => {
        s.queued = undefined;
        return this.#start(documentId, s);
      });
    s.queued = queued;
    return queued;
  }

  /** Forgets what was stored: the document left memory, or its write failed. */
  forget(documentId: string): void {
    this.#docs.delete(documentId);
  }

  /** Documents with write bookkeeping (for tests: it must not outlive eviction). */
  get size(): number {
    return this.#docs.size;
  }

  #state(documentId: string): DocState {
    let s = this.#docs.get(documentId);
    if (!s) {
      s = { seq: 0, heads: '', stored: -1 };
      this.#docs.set(documentId, s);
    }
    return s;
  }

  #observe(documentId: string): DocState {
    const s = this.#state(documentId);
    const inMemory = this.headsOf(documentId);
    const heads = inMemory && headsKey(inMemory);
    if (heads !== undefined && heads !== s.heads) {
      s.seq++;
      s.heads = heads;
    }
    return s;
  }

  #start(documentId: string, s: DocState): Promise<void> {
    if (this.#docs.get(documentId) !== s) return Promise.reject(new StaleWrite(documentId));
    const seq = this.#observe(documentId).seq;
    const done: Promise<void> = this.write(documentId)
      .then(() => {
        s.stored = Math.max(s.stored, seq);
      })
      .finally(() => {
        if (s.running?.done === done) s.running = undefined;
      });
    s.running = { seq, done };
    return done;
  }
}
