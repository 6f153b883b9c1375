import type { DocumentId, Repo } from '@automerge/automerge-repo';
import { unload } from './unload';
import { forgetUnloaded, heldHandles } from './repo-internals';

/**
 * automerge-repo keeps every document it has touched in memory. The relay notes when each one was
 * last synced and, every `idleMs / 2`, writes out and drops those idle for `idleMs` [OPS-8]. A
 * dropped document is loaded again from storage by the next message that names it; peers that
 * had asked for it are still remembered by the synchronizer, so they hear of later changes.
 */
export class Evictor {
  readonly #lastUsed = new Map<string, number>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #running = false;

  constructor(
    private readonly repo: Repo,
    private readonly idleMs: number,
    private readonly now: () => number,
    private readonly onEvicted: (documentId: string) => void,
    private readonly onError: (e: unknown) => void
  ) {}

  touch(documentId: string): void {
    this.#lastUsed.set(documentId, this.now());
  }

  start(): void {
    if (this.idleMs === 0 || this.#timer) return;
    this.#timer = setInterval(
      () => void this.sweep().catch(this.onError),
      Math.max(50, this.idleMs / 2)
    );
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Drops every document idle for `idleMs` (all idle ones when `idleMs` is 0 and forced). */
  async sweep(): Promise<number> {
    if (this.#running) return 0;
    this.#running = true;
    let evicted = 0;
    try {
      const now = this.now();
      for (const [id, handle] of heldHandles(this.repo)) {
        const last = this.#lastUsed.get(id);
        if (last === undefined) {
          // First seen by the sweep (loaded by the relay itself): its idle time starts now.
          this.#lastUsed.set(id, now);
          continue;
        }
        if (now - last < this.idleMs) continue;
        if (handle.isReady()) {
          await this.repo.flush([id as DocumentId]);
          // Touched while it was being written: keep it.
          if ((this.#lastUsed.get(id) ?? 0) > last) continue;
          await unload(this.repo, id as DocumentId);
        } else if (handle.state === 'unavailable') {
          // Asked for, never found: nothing to write. removeFromCache refuses such handles.
          forgetUnloaded(this.repo, id);
        } else continue; // loading or requesting: look again next time
        this.#lastUsed.delete(id);
        this.onEvicted(id);
        evicted++;
      }
    } finally {
      this.#running = false;
    }
    return evicted;
  }
}
