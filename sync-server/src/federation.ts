import type { DocumentId, PeerId, Repo, StorageId } from '@automerge/automerge-repo';
import { UpstreamLink, type LinkFailure } from './upstream-link';

type Log = (event: string, fields?: Record<string, unknown>) => void;

/**
 * Upstream relays [OPS-10]: a relay on a village laptop keeps an outgoing WebSocket to each
 * upstream (retried with backoff from `retryMs` while there is no link; no answer from an upstream
 * can stop the relay, OPS-14) and offers every document it holds to
 * them — to them only, never to its own clients. When a link comes up it walks its stored
 * documents, a few at a time, so what was written while offline reaches the upstream.
 *
 * No loops and no storms: Automerge's sync protocol sends only what the other side lacks, so a
 * cycle of relays (A→B→C→A) settles as soon as each pair agrees on heads; a relay that finds
 * itself upstream (its own peer id answers) drops that link.
 */
export class Federation {
  readonly adapters: UpstreamLink[];
  readonly #upstreamPeers = new Map<PeerId, StorageId | undefined>();
  #walking = false;
  #stopped = false;
  #repo: Repo | undefined;

  constructor(
    urls: readonly string[],
    private readonly selfPeerId: PeerId,
    private readonly listDocuments: () => Promise<string[]>,
    private readonly log: Log,
    /** An attempt to reach an upstream failed; the link tries again later [OPS-14]. */
    onFailure: (reason: LinkFailure) => void = () => {},
    retryMs = 5_000,
    maxRetryMs = 5 * 60_000
  ) {
    this.adapters = urls.map((url) => {
      const adapter = new UpstreamLink(url, retryMs, maxRetryMs, (reason, detail) => {
        onFailure(reason);
        this.log('upstream-failed', { url, reason, detail });
      });
      adapter.on('peer-candidate', ({ peerId, peerMetadata }) => {
        if (peerId === this.selfPeerId) {
          this.log('upstream-is-self', { url });
          adapter.disconnect();
          return;
        }
        this.#upstreamPeers.set(peerId, peerMetadata.storageId);
        this.log('upstream-connected', { url });
        // Let the link settle, then offer what was written while it was down.
        setTimeout(() => void this.catchUp().catch(() => undefined), 100).unref();
      });
      adapter.on('peer-disconnected', ({ peerId }) => {
        if (this.#upstreamPeers.delete(peerId)) this.log('upstream-disconnected', { url });
      });
      return adapter;
    });
  }

  isUpstream(peerId: PeerId): boolean {
    return this.#upstreamPeers.has(peerId);
  }

  get connected(): number {
    return this.#upstreamPeers.size;
  }

  /**
   * Offers every stored document to the upstreams: loads a few at a time and waits until each
   * upstream holds the same heads (or a few seconds pass). Documents already in memory were
   * offered when the link came up. Returns how many documents it went through.
   */
  async catchUp(opts: { concurrency?: number; settleMs?: number } = {}): Promise<number> {
    const repo = this.#repo;
    if (!repo || this.#walking || this.#upstreamPeers.size === 0) return 0;
    this.#walking = true;
    const concurrency = opts.concurrency ?? 4;
    const settleMs = opts.settleMs ?? 5_000;
    let done = 0;
    try {
      const ids = await this.listDocuments();
      for (
        let i = 0;
        i < ids.length && !this.#stopped && this.#upstreamPeers.size > 0;
        i += concurrency
      ) {
        await Promise.all(
          ids.slice(i, i + concurrency).map(async (id) => {
            const handle = await repo.find(id as DocumentId).catch(() => undefined);
            if (!handle) return;
            const end = Date.now() + settleMs;
            while (Date.now() < end && !this.#stopped) {
              const heads = [...handle.heads()].sort().join();
              const behind = [...this.#upstreamPeers.values()].some(
                (storageId) =>
                  !storageId ||
                  [...(handle.getSyncInfo(storageId)?.lastHeads ?? [])].sort().join() !== heads
              );
              if (!behind) break;
              await new Promise((r) => setTimeout(r, 50));
            }
            done++;
          })
        );
      }
    } finally {
      this.#walking = false;
    }
    this.log('upstream-caught-up', { documents: done });
    return done;
  }

  /** From now on, a link that comes up is followed by a catch-up walk through this repo. */
  start(repo: Repo): void {
    this.#repo = repo;
  }

  stop(): void {
    this.#stopped = true;
  }
}
