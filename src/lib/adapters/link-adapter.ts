import {
  Automerge,
  cbor,
  NetworkAdapter,
  type Message,
  type PeerId,
  type PeerMetadata,
  type StorageId
} from '@automerge/automerge-repo/slim';

/**
 * Something that carries whole messages to one other peer, in order: a data channel between two
 * phones (through `NearbyChannel`), or a MessagePort between the page and the worker.
 */
export interface Link {
  send(bytes: Uint8Array): void;
  close(): void;
  onmessage: ((bytes: Uint8Array) => void) | null;
  onclose: (() => void) | null;
}

/** Why a link was closed because of what the other side sent [NEAR-7]. */
export type LinkGarbage =
  /** Not CBOR at all. */
  | 'undecodable'
  /** CBOR, but not a message of this protocol (or fields of the wrong kind). */
  | 'not-a-message'
  /** A second peer id on a link that already named its peer. */
  | 'impostor'
  /** A sync message whose Automerge content does not decode. */
  | 'bad-sync-data';

export interface LinkOptions {
  /**
   * The name the repo knows the other peer by, whatever peer id it claims [NEAR-4]. A peer met in a
   * room must not pass for a relay (or for another phone) the share policy trusts.
   */
  alias?: PeerId;
  /** Prefix for the other peer's storage id, so it never passes for a relay's storage id. */
  storagePrefix?: string;
  /**
   * Which messages may cross, each way (the repo's share policy decides first; this is the
   * second lock). Messages refused here are dropped quietly.
   */
  admit?: (message: { type: string; documentId?: string }, direction: 'in' | 'out') => boolean;
  /** Called once when the link is closed because the other side sent garbage. */
  ongarbage?: (why: LinkGarbage) => void;
}

const REPO_TYPES = new Set([
  'sync',
  'request',
  'doc-unavailable',
  'ephemeral',
  'remote-subscription-change',
  'remote-heads-changed'
]);
const MAX_ID = 256;

/**
 * An automerge-repo network adapter over a `Link` [NEAR-2]: one peer at the other end. Each side
 * says `arrive` when it connects, the other answers `welcome`; `leave` on disconnect; then
 * automerge-repo's own messages, CBOR as on the relay's WebSocket. Anything else closes the link.
 */
export class LinkNetworkAdapter extends NetworkAdapter {
  #link: Link | undefined;
  readonly #o: LinkOptions;
  #ready = false;
  #markReady!: () => void;
  readonly #whenReady = new Promise<void>((resolve) => (this.#markReady = resolve));
  /** The peer id the other side gave (kept for the life of the link). */
  #remote: PeerId | undefined;
  /** Whether the repo has been told about the other peer (and not yet that it left). */
  #present = false;
  /** Between connect() and disconnect(). */
  #connected = false;

  constructor(link: Link, o: LinkOptions = {}) {
    super();
    this.#link = link;
    this.#o = o;
    link.onmessage = (bytes) => this.#receive(bytes);
    link.onclose = () => this.#closed();
  }

  /** The name the repo knows the other side by (its alias, or the id it gave). */
  get remoteName(): PeerId | undefined {
    return this.#o.alias ?? this.#remote;
  }

  get open(): boolean {
    return this.#link !== undefined;
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#whenReady;
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#connected = true;
    this.#ready = true;
    this.#markReady();
    this.#write({ type: 'arrive', senderId: peerId, peerMetadata: this.peerMetadata });
  }

  send(message: Message): void {
    if (!this.#connected || !this.#present || !this.#remote) return;
    const out =
      this.#o.alias && message.targetId === this.#o.alias
        ? { ...message, targetId: this.#remote }
        : message;
    if (this.#o.admit && !this.#o.admit(out, 'out')) return;
    this.#write(out);
  }

  disconnect(): void {
    if (this.#connected && this.peerId) this.#write({ type: 'leave', senderId: this.peerId });
    this.#connected = false;
    this.#gone();
  }

  /** Ends the link for good (the other side sees it close). */
  close(): void {
    const link = this.#link;
    if (!link) return;
    this.disconnect();
    link.close();
    this.#closed();
  }

  #write(message: object): void {
    const link = this.#link;
    if (!link) return;
    try {
      link.send(cbor.encode(message));
    } catch {
      this.#closed();
    }
  }

  #receive(bytes: Uint8Array): void {
    let raw: unknown;
    try {
      raw = cbor.decode(bytes);
    } catch {
      return this.#garbage('undecodable');
    }
    const m = raw as Record<string, unknown>;
    if (
      typeof raw !== 'object' ||
      raw === null ||
      Array.isArray(raw) ||
      typeof m.type !== 'string' ||
      !isId(m.senderId)
    )
      return this.#garbage('not-a-message');
    const sender = m.senderId as PeerId;
    if (this.#remote !== undefined && sender !== this.#remote) return this.#garbage('impostor');
    switch (m.type) {
      case 'arrive':
      case 'welcome': {
        const meta = metadataOf(m.peerMetadata, this.#o.storagePrefix);
        if (!meta) return this.#garbage('not-a-message');
        this.#remote = sender;
        // Not connected on this side yet: when it connects, its `arrive` gets a `welcome`.
        if (!this.#connected) return;
        if (m.type === 'arrive')
          this.#write({
            type: 'welcome',
            senderId: this.peerId,
            peerMetadata: this.peerMetadata ?? {}
          });
        if (!this.#present) {
          this.#present = true;
          this.emit('peer-candidate', { peerId: this.remoteName!, peerMetadata: meta });
        }
        return;
      }
      case 'leave':
        return this.#gone();
    }
    if (!REPO_TYPES.has(m.type) || !this.#remote) return this.#garbage('not-a-message');
    if (!isId(m.targetId)) return this.#garbage('not-a-message');
    if ('documentId' in m && !isId(m.documentId)) return this.#garbage('not-a-message');
    if ('data' in m && !(m.data instanceof Uint8Array)) return this.#garbage('not-a-message');
    if ((m.type === 'sync' || m.type === 'request') && !syncDataDecodes(m.data))
      return this.#garbage('bad-sync-data');
    if (!this.#connected || !this.#present) return;
    const inbound = (this.#o.alias ? { ...m, senderId: this.#o.alias } : m) as Message;
    if (this.#o.admit && !this.#o.admit(inbound, 'in')) return;
    this.emit('message', inbound);
  }

  #gone(): void {
    if (!this.#present) return;
    this.#present = false;
    this.emit('peer-disconnected', { peerId: this.remoteName! });
  }

  #garbage(why: LinkGarbage): void {
    const link = this.#link;
    if (!link) return;
    this.#o.ongarbage?.(why);
    link.close();
    this.#closed();
  }

  #closed(): void {
    if (!this.#link) return;
    const link = this.#link;
    this.#link = undefined;
    link.onmessage = null;
    link.onclose = null;
    this.#connected = false;
    this.#gone();
    this.emit('close');
  }
}

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID;
}

function metadataOf(v: unknown, prefix: string | undefined): PeerMetadata | undefined {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const out: PeerMetadata = {};
  if (o.storageId !== undefined) {
    if (!isId(o.storageId)) return undefined;
    out.storageId = ((prefix ?? '') + o.storageId) as StorageId;
  }
  if (o.isEphemeral !== undefined) {
    if (typeof o.isEphemeral !== 'boolean') return undefined;
    out.isEphemeral = o.isEphemeral;
  }
  return out;
}

function syncDataDecodes(data: unknown): boolean {
  if (!(data instanceof Uint8Array)) return false;
  try {
    Automerge.decodeSyncMessage(data);
    return true;
  } catch {
    return false;
  }
}

/**
 * A MessagePort as a link: the page's end of a data channel reaches the worker's repo through one
 * (ADR 0026). `null` on the port means the other end closed.
 */
export function portLink(port: MessagePort): Link {
  let closed = false;
  const link: Link = {
    onmessage: null,
    onclose: null,
    send(bytes) {
      if (closed) throw new Error('link closed');
      // A copy of its own (a Node Buffer's slice is a view into a shared pool): moved, not cloned.
      const copy = new Uint8Array(bytes);
      port.postMessage(copy, [copy.buffer]);
    },
    close() {
      if (closed) return;
      closed = true;
      port.postMessage(null);
      port.close();
    }
  };
  port.onmessage = (event: MessageEvent) => {
    if (closed) return;
    const data: unknown = event.data;
    if (data === null) {
      closed = true;
      port.close();
      link.onclose?.();
    } else link.onmessage?.(data instanceof Uint8Array ? data : new Uint8Array(0));
  };
  port.start?.();
  return link;
}

/** Passes everything between two links, both ways, and closes each when the other closes. */
export function bridge(a: Link, b: Link): void {
  const pass = (from: Link, to: Link) => {
    from.onmessage = (bytes) => {
      try {
        to.send(bytes);
      } catch {
        from.close();
      }
    };
    from.onclose = () => {
      to.onclose = null;
      to.close();
    };
  };
  pass(a, b);
  pass(b, a);
}
