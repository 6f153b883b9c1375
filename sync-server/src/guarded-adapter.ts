/**
 * The relay's network adapter: automerge-repo's WebSocket server adapter, guarded [REL-5, OPS-6,
 * OPS-7, OPS-11, OPS-15, OPS-16]. Each incoming message is checked in order, per connection,
 * before the repo sees it (malformed messages, documents and changes over their limits, unknown
 * documents named too often, the admission gate), and each outgoing sync message waits until what
 * it acknowledges is on disk. `createServer` gives it the checks as hooks.
 */
import * as A from '@automerge/automerge';
import type { Message } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { decode, encode } from 'cbor-x';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Measured } from './chunk-sizes';

export type Log = (event: string, fields?: Record<string, unknown>) => void;

/** The sync message of a peer that has nothing of a document (as automerge-repo would send). */
const NOTHING_HERE = A.generateSyncMessage(A.init(), A.initSyncState())[1]!;

/**
 * A network adapter that survives hostile peers: a message that makes the upstream adapter throw
 * closes that one connection instead of crashing the relay for everyone [REL-5].
 */
export class GuardedServerAdapter extends WebSocketServerAdapter {
  #attached!: () => void;
  /**
   * Resolves once the Repo has attached this adapter (which it does asynchronously, after reading
   * its storage id). Until then a new socket's 'connection' event would go unheard and the peer
   * would hang until the keepalive timer dropped it, so the relay must not listen before this.
   */
  readonly attached = new Promise<void>((resolve) => (this.#attached = resolve));

  override connect(...args: Parameters<WebSocketServerAdapter['connect']>): void {
    super.connect(...args);
    this.#attached();
  }

  /** Documents each connection has asked about [OPS-6]. */
  readonly #documents = new WeakMap<WebSocket, Set<string>>();

  /** Messages of one connection waiting for a check (storage, the admission gate), in order. */
  readonly #inbox = new WeakMap<WebSocket, Promise<void>>();
  /** Documents each connection named that the relay did not have [OPS-16]. */
  readonly #unknown = new WeakMap<WebSocket, Set<string>>();
  /** Messages to one peer waiting until what they acknowledge is on disk, in order. */
  readonly #outbox = new Map<string, Promise<void>>();
  /**
   * Requests answered "unavailable" for a document the relay did not have, kept per document so
   * that when someone uploads it, the asker is served as automerge-repo would have served it: an
   * invitee who opens a link a moment before the founder's phone syncs still gets the group.
   * Only the asker's peer id is kept (not the message, which could be large), at most
   * `maxUnknown` per connection (they are among its unknown documents); gone on close.
   */
  readonly #waiting = new Map<string, Map<WebSocket, string>>();
  /** Connections whose close already clears what they wait for (one listener each). */
  readonly #clearsOnClose = new WeakSet<WebSocket>();

  constructor(
    private readonly wss: WebSocketServer,
    keepAliveMs: number,
    private readonly log: Log,
    private readonly maxDocuments: number,
    private readonly refuse: (reason: string) => void,
    private readonly hooks: {
      /**
       * The changes a message brings to a document, measured against the document's limits
       * before anything loads them: a refusal reason, or what they add [OPS-6, OPS-15].
       */
      limit: (documentId: string, changes: Uint8Array[]) => string | Measured;
      /**
       * Changes a message brought, counted from the moment they pass `limit` until they are
       * taken into the document (`kept`) or not (refused, or their connection closed first):
       * messages checked while earlier ones wait are measured against those too [OPS-15].
       */
      reserve: (documentId: string, added: Measured) => void;
      settle: (documentId: string, added: Measured, kept: boolean) => void;
      /** A document was named by a message in or out (for idle eviction). */
      touch: (documentId: string) => void;
      /** Whether the relay holds the document in memory (no need to ask storage). */
      inMemory: (documentId: string) => boolean;
      /** Whether storage holds the document [OPS-16]. */
      stored: (documentId: string) => Promise<boolean>;
      /** Whether the relay may fetch a document it lacks from elsewhere (an upstream link). */
      canFetch: () => boolean;
      /**
       * A connection named a document the relay does not have: whether its address may name
       * another now, and whether the connection may (at most `maxUnknown` different ones) [OPS-16].
       */
      unknownAllowed: (socket: WebSocket) => boolean;
      maxUnknown: number;
      /** Admission mode: whether these changes to this document may be taken [OPS-7]. */
      gate?: (documentId: string, changes: Uint8Array[]) => Promise<boolean>;
      /** Numbers the document state a message tells of, when it is sent [OPS-11]. */
      mark: (message: Message) => number;
      /** Resolves when that state is durable; false if it could not be written [OPS-11]. */
      beforeSend: (message: Message, state: number) => Promise<boolean>;
    }
  ) {
    // The adapter is typed against isomorphic-ws's re-export of `ws`: the same class at run time.
    super(wss as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0], keepAliveMs);
  }
  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    // A peer that is sending is alive, whether or not its pong has been read yet. The upstream
    // keepalive only counts pongs (its `isAlive` flag): on a relay busy enough that a timer runs
    // before the pong waiting in the socket is read, it cut off active peers, which reconnected
    // and synced every document again, making the relay busier still [OPS-12].
    (socket as WebSocket & { isAlive?: boolean }).isAlive = true;
    let message: Record<string, unknown> | null = null;
    try {
      message = decode(messageBytes) as Record<string, unknown> | null;
    } catch {
      // the upstream adapter refuses undecodable messages itself
    }
    const documentId = message?.documentId;
    if (!message || typeof documentId !== 'string') {
      this.#inOrder(socket, () => this.#forward(messageBytes, socket));
      return;
    }
    // One connection may sync only so many documents: a scraper walking ids is cut off [OPS-6].
    const seen = this.#documents.get(socket) ?? new Set<string>();
    this.#documents.set(socket, seen);
    if (!seen.has(documentId) && seen.size >= this.maxDocuments) {
      this.refuse('documents-per-connection');
      socket.close(1008, 'too many documents');
      return;
    }
    seen.add(documentId);
    // What a message would add to its document is measured on its bytes, before anything
    // decodes it into memory, whatever the admission mode; over a limit it is dropped and the
    // connection stays: the document can still be read [OPS-6, OPS-15].
    const changes = changesOf(message.data);
    let added: Measured | undefined;
    if (changes.length > 0) {
      const verdict = this.hooks.limit(documentId, changes);
      if (typeof verdict === 'string') {
        this.refuse(verdict);
        return;
      }
      added = verdict;
      this.hooks.reserve(documentId, added);
    }
    let settled = false;
    const settle = (kept: boolean) => {
      if (settled || !added) return;
      settled = true;
      this.hooks.settle(documentId, added, kept);
    };
    const take = () => {
      this.hooks.touch(documentId);
      settle(true);
      this.#forward(messageBytes, socket);
      this.#serveWaiting(documentId, socket);
    };
    const gate = this.hooks.gate;
    const admitted = async () => {
      if (!gate) return take();
      const ok = await gate(documentId, changes).catch((e: unknown) => {
        this.log('admission-error', { reason: e instanceof Error ? e.message : String(e) });
        return false;
      });
      if (ok) return take();
      this.refuse('not-admitted');
      // To the relay's own sync, as if the sender had said "I don't have it": a request the
      // relay made for this document ends as unavailable instead of waiting for ever.
      if (typeof message.senderId === 'string' && typeof message.targetId === 'string')
        this.#forward(
          encode({
            type: 'doc-unavailable',
            senderId: message.senderId,
            targetId: message.targetId,
            documentId
          }),
          socket
        );
    };
    // Whatever happens to the message, what it reserved is settled once its turn is over.
    const release = () => settle(false);
    if (this.hooks.inMemory(documentId)) {
      if (gate) this.#inOrder(socket, admitted, release);
      else this.#inOrder(socket, take, release);
      return;
    }
    // A document not in memory: storage is asked before anything of it is made, so an id the
    // relay does not have costs it nothing it keeps [OPS-16]. Later messages of this connection
    // wait behind this one: their order matters to sync.
    this.#inOrder(
      socket,
      async () => {
        if (await this.hooks.stored(documentId)) return admitted();
        const unknown = this.#unknown.get(socket) ?? new Set<string>();
        this.#unknown.set(socket, unknown);
        if (!unknown.has(documentId) && unknown.size >= this.hooks.maxUnknown) {
          this.refuse('unknown-documents');
          socket.close(1008, 'too many unknown documents');
          return;
        }
        unknown.add(documentId);
        const allowed = this.hooks.unknownAllowed(socket);
        if (!allowed) this.refuse('unknown-documents');
        if (message.type === 'request' && (!allowed || !this.hooks.canFetch())) {
          // Nothing here, and nowhere to fetch it from: answered at once, with no handle made; the
          // request is kept in case someone uploads the document while this connection lasts.
          if (allowed && typeof message.senderId === 'string')
            this.#wait(documentId, socket, message.senderId);
          if (typeof message.senderId === 'string' && this.peerId)
            socket.send(
              encode({
                type: 'doc-unavailable',
                senderId: this.peerId,
                targetId: message.senderId,
                documentId
              })
            );
          return;
        }
        if (!allowed || message.type !== 'sync') return; // anything else naming it: dropped
        // A device offering a document the relay has not seen (a new group, a new thread). Its
        // first message names its heads only: the relay answers, as its own sync would, that it
        // has nothing, and the device sends the changes. No handle waits meanwhile for changes
        // that may never come (automerge-repo would keep it a minute, then reject unheard).
        if (changes.length === 0) {
          if (typeof message.senderId === 'string' && this.peerId)
            socket.send(
              encode({
                type: 'sync',
                senderId: this.peerId,
                targetId: message.senderId,
                documentId,
                data: NOTHING_HERE
              })
            );
          return;
        }
        return admitted();
      },
      release
    );
  }

  #wait(documentId: string, socket: WebSocket, senderId: string): void {
    let askers = this.#waiting.get(documentId);
    if (!askers) this.#waiting.set(documentId, (askers = new Map<WebSocket, string>()));
    // One close listener per connection, however many documents it waits for.
    if (!this.#clearsOnClose.has(socket)) {
      this.#clearsOnClose.add(socket);
      socket.once('close', () => {
        for (const id of this.#unknown.get(socket) ?? []) {
          const waiting = this.#waiting.get(id);
          waiting?.delete(socket);
          if (waiting?.size === 0) this.#waiting.delete(id);
        }
      });
    }
    askers.set(socket, senderId);
  }

  /**
   * A document arrived: each asker's request reaches the repo now, as a fresh "I have nothing"
   * request in its connection's order, and the relay's sync answers it.
   */
  #serveWaiting(documentId: string, from: WebSocket): void {
    const askers = this.#waiting.get(documentId);
    if (!askers || !this.peerId) return;
    this.#waiting.delete(documentId);
    for (const [socket, senderId] of askers) {
      if (socket === from) continue;
      const request = encode({
        type: 'request',
        senderId,
        targetId: this.peerId,
        documentId,
        data: NOTHING_HERE
      });
      this.#inOrder(socket, () => this.#forward(request, socket));
    }
  }

  /**
   * Runs one message's step now if nothing of its connection is waiting, else after what is:
   * messages of one connection reach the repo in the order they came.
   */
  /** Runs `step` after this connection's earlier messages; `after` once it ran, or was skipped. */
  #inOrder(socket: WebSocket, step: () => void | Promise<void>, after?: () => void): void {
    const waiting = this.#inbox.get(socket);
    const run = () => (socket.readyState === socket.OPEN ? step() : undefined);
    let next: Promise<void> | void;
    if (!waiting) {
      try {
        next = run();
      } catch (e) {
        after?.();
        throw e;
      }
    } else next = waiting.then(run);
    if (!(next instanceof Promise)) return after?.();
    const settled: Promise<void> = next
      .catch((e: unknown) =>
        this.log('receive-error', { reason: e instanceof Error ? e.message : String(e) })
      )
      .finally(() => {
        after?.();
        if (this.#inbox.get(socket) === settled) this.#inbox.delete(socket);
      });
    this.#inbox.set(socket, settled);
  }

  #forward(messageBytes: Uint8Array, socket: WebSocket): void {
    try {
      super.receiveMessage(messageBytes, socket);
    } catch (e) {
      this.log('bad-message', {
        reason: e instanceof Error ? e.message : String(e),
        bytes: messageBytes.byteLength
      });
      socket.close(1008, 'bad message');
    }
  }

  /** Closes every connection that has synced this document (they reconnect and sync afresh). */
  dropPeersOf(documentId: string, code: number, reason: string): void {
    for (const socket of this.wss.clients)
      if (this.#documents.get(socket)?.has(documentId)) socket.close(code, reason);
  }

  /**
   * Sync messages leave only once the document state they describe is written to storage, so a
   * peer that hears "the relay has these changes" can rely on it surviving a crash [OPS-11]. A
   * message whose document could not be written (disk full, database down) is not sent: the peer
   * keeps its changes and offers them again.
   */
  override send(message: Message): void {
    const target = message.targetId;
    const state = this.hooks.mark(message);
    const next = (this.#outbox.get(target) ?? Promise.resolve()).then(async () => {
      if (message.documentId) this.hooks.touch(message.documentId);
      if (await this.hooks.beforeSend(message, state)) super.send(message);
    });
    this.#outbox.set(target, next);
    void next
      .catch((e: unknown) =>
        this.log('send-error', { reason: e instanceof Error ? e.message : String(e) })
      )
      .finally(() => {
        if (this.#outbox.get(target) === next) this.#outbox.delete(target);
      });
  }
}

/**
 * The changes a sync message brings (a reader's request or acknowledgement brings none). A message
 * that does not decode is treated as bringing a change: the limits apply to it.
 */
function changesOf(data: unknown): Uint8Array[] {
  if (!(data instanceof Uint8Array)) return [];
  try {
    return A.decodeSyncMessage(data).changes;
  } catch {
    return [new Uint8Array()];
  }
}
