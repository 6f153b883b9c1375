import type { DocumentId, PeerId, Repo } from '@automerge/automerge-repo/slim';
import { toHex } from '$core/encoding/hex';
import { LinkNetworkAdapter, type Link, type LinkGarbage } from './link-adapter';

/** Peers met in a room are known to the repo by names that start with this [NEAR-4]. */
const NEARBY_PREFIX = 'near-';
/** …and their storage ids with this, so neither passes for a relay's. */
const NEARBY_STORAGE_PREFIX = 'near:';
/** What a phone met in a room may exchange: sync, and saying a document is not here. */
const NEARBY_TYPES = new Set(['sync', 'request', 'doc-unavailable']);

const isNearbyPeer = (peerId: string): boolean => peerId.startsWith(NEARBY_PREFIX);

export type LinkEvent =
  { state: 'peer'; storageId: string | undefined } | { state: 'closed'; why?: LinkGarbage };

/** The share config of a repo that has relays and phones met in a room (see NearbyLinks). */
export interface ShareConfig {
  announce: (peerId: PeerId, documentId?: DocumentId) => Promise<boolean>;
  access: (peerId: PeerId, documentId: DocumentId) => Promise<boolean>;
}

/**
 * The worker's direct connections to phones in the same room (ADR 0026). Each is a
 * `LinkNetworkAdapter` over a MessagePort whose other end the page joins to a data channel, known
 * to the repo by an alias this registry makes up. The page says which documents a connection may
 * carry once both phones have proved membership [NEAR-3]; the repo's share policy enforces it:
 * nothing else is offered to that peer nor given when it asks, and the adapter drops anything
 * else both ways. Relays keep getting every group, as before.
 */
export class NearbyLinks {
  readonly #links = new Map<string, { adapter: LinkNetworkAdapter; allowed: Set<string> }>();
  #repo: Repo | undefined;

  constructor(private readonly random: (n: number) => Uint8Array) {}

  readonly shareConfig: ShareConfig = {
    announce: (peerId, documentId) => Promise.resolve(this.may(peerId, documentId)),
    access: (peerId, documentId) => Promise.resolve(this.may(peerId, documentId))
  };

  /** Whether this peer may be offered or given this document. */
  may(peerId: string, documentId: string | undefined): boolean {
    if (!isNearbyPeer(peerId)) return true;
    const link = this.#links.get(peerId);
    return !!link && documentId !== undefined && link.allowed.has(documentId);
  }

  /** The repo these links join (set once, right after it is made). */
  attach(repo: Repo): void {
    this.#repo = repo;
  }

  /**
   * Adds a connection; returns the name the repo knows its peer by. `filter: false` leaves only
   * the share policy on guard (tests use it to see that lock hold alone).
   */
  add(
    link: Link,
    allowed: string[],
    on: (e: LinkEvent) => void,
    { filter = true }: { filter?: boolean } = {}
  ): string {
    const repo = this.#repo;
    if (!repo) throw new Error('no repo');
    const alias = `${NEARBY_PREFIX}${toHex(this.random(8))}`;
    const entry = {
      allowed: new Set(allowed),
      adapter: undefined as unknown as LinkNetworkAdapter
    };
    let reported = false;
    const adapter = new LinkNetworkAdapter(link, {
      alias: alias as PeerId,
      storagePrefix: NEARBY_STORAGE_PREFIX,
      admit: (m) =>
        !filter ||
        (NEARBY_TYPES.has(m.type) && m.documentId !== undefined && entry.allowed.has(m.documentId)),
      ongarbage: (why) => {
        reported = true;
        on({ state: 'closed', why });
      }
    });
    entry.adapter = adapter;
    adapter.on('peer-candidate', ({ peerMetadata }) =>
      on({ state: 'peer', storageId: peerMetadata.storageId })
    );
    adapter.on('close', () => {
      this.#links.delete(alias);
      if (!reported) on({ state: 'closed' });
    });
    this.#links.set(alias, entry);
    repo.networkSubsystem.addNetworkAdapter(adapter);
    return alias;
  }

  /**
   * More documents for a connection (a thread its groups started since); the repo looks at its
   * share policy again and syncs them.
   */
  allow(alias: string, documents: string[]): void {
    const link = this.#links.get(alias);
    if (!link) return;
    for (const d of documents) link.allowed.add(d);
    this.#repo?.shareConfigChanged();
  }

  /** Ends a connection (the page's data channel closed, or the person stopped). */
  remove(alias: string): void {
    this.#links.get(alias)?.adapter.close();
  }

  get size(): number {
    return this.#links.size;
  }
}
