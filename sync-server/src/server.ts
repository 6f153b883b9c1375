import {
  Repo,
  type AutomergeUrl,
  type DocumentId,
  type Message,
  type PeerId
} from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { decode, encode } from 'cbor-x';
import * as A from '@automerge/automerge';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { RelayConfig } from './config';
import { closableStorage, createMetrics, DocumentSizes, RateLimit, timedStorage } from './metrics';
import { createStaticHandler } from './static';
import { concat } from '../../src/lib/core/crypto/ed25519';
import { JournaledFileStorage } from './storage/journal';
import { lazyRemovals } from './storage/lazy-removals';
import { PostgresStorageAdapter } from './storage/postgres-storage';
import { AdmissionGate } from './admission';
import { Evictor } from './eviction';
import { Federation } from './federation';
import { Flusher, StaleWrite, syncMessageHeads } from './flusher';
import { quietForeverPromise, releaseLoadRaces } from './load-races';
import {
  heldCount,
  heldHandle,
  heldHandles,
  markUnavailableAt,
  networkAdapters,
  onDocumentDenied,
  onPeerLeft,
  peersOf
} from './repo-internals';
import { measureAll, OverBudget, type Measured } from './chunk-sizes';
import { guardSaves, refuseEmptySnapshots, unload } from './unload';
import { createPush } from './push';
import type { Agent } from 'node:https';

const SYNC_PATH = '/sync';

/** The sync message of a peer that has nothing of a document (as automerge-repo would send). */
const NOTHING_HERE = A.generateSyncMessage(A.init(), A.initSyncState())[1]!;

export interface Relay {
  /** Starts listening; resolves with the bound port (useful with port 0 in tests). */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, closes sockets, flushes documents to storage. Safe to call twice. */
  close(): Promise<void>;
  readonly repo: Repo;
  /** This relay process's peer id (also names it in scale-out notices). */
  readonly peerId: PeerId;
  /** Writes out and drops idle documents now (the timer does it every evictIdleMs / 2). */
  evictIdle(): Promise<number>;
  /** Counts and logs an error caught outside the relay's own code paths. */
  reportError(kind: string, e: unknown): void;
  /** Offers every stored document to connected upstream relays; resolves with how many. */
  catchUpUpstream(): Promise<number>;
}

type Log = (event: string, fields?: Record<string, unknown>) => void;

/**
 * A network adapter that survives hostile peers: a message that makes the upstream adapter throw
 * closes that one connection instead of crashing the relay for everyone [REL-5].
 */
class GuardedServerAdapter extends WebSocketServerAdapter {
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
 * The relay: one HTTP port that serves the built PWA and the automerge-repo sync WebSocket at
 * /sync. It stores documents but never pushes them to anyone (`sharePolicy` is false): a peer
 * gets a document only by asking for its id [REL-1].
 */
export function createServer(
  config: RelayConfig,
  log: Log = () => {},
  options: { pushAgent?: Agent } = {}
): Relay {
  const serveStatic = config.staticDir ? createStaticHandler(config.staticDir) : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });
  // The gauge reads `repo` only when scraped, after it exists.
  const metrics = createMetrics(
    () => heldCount(repo),
    () => federation.connected
  );
  // Web Push: wake requests and reminders at /push/* [PUSH-*].
  const push = createPush(
    config,
    metrics.registry,
    log,
    (kind) => metrics.errors.inc({ kind }),
    options.pushAgent
  );
  const perIp = new Map<string, number>();
  // Documents named that the relay does not have, per address, as a token bucket [OPS-16].
  const unknownPerIp = new Map<string, RateLimit>();
  const addressOf = new WeakMap<WebSocket, string>();
  let ready = false;

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const ip = req.socket.remoteAddress ?? 'unknown';
    addressOf.set(socket, ip);
    metrics.connections.inc();
    metrics.connectionsTotal.inc();
    // Without an error listener a too-large frame would be an uncaught 'error' and kill the process.
    socket.on('error', (e) => {
      metrics.errors.inc({ kind: e.message.includes('Max payload') ? 'too-large' : 'socket' });
      if (e.message.includes('Max payload')) metrics.refused.inc({ reason: 'too-large' });
      log('socket-error', { reason: e.message });
    });
    socket.on('close', () => {
      metrics.connections.dec();
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) {
        perIp.delete(ip);
        // Forgotten with its last connection: a bucket refills in a minute anyway.
        unknownPerIp.delete(ip);
      } else perIp.set(ip, left);
    });
    // Count traffic and enforce the per-connection message rate [OPS-3]. Listeners added here run
    // before the sync adapter's (it registers its own on the same event, later).
    const limit = new RateLimit(config.messagesPerSecond, config.messagesPerSecond * 4, Date.now());
    // A connection that says nothing for idleTimeoutMs is closed; the client reconnects when it
    // has something to sync [OPS-6].
    let idle: ReturnType<typeof setTimeout> | undefined;
    const resetIdle = () => {
      if (config.idleTimeoutMs === 0) return;
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        metrics.refused.inc({ reason: 'idle' });
        socket.close(1000, 'idle');
      }, config.idleTimeoutMs);
    };
    resetIdle();
    socket.on('close', () => {
      if (idle) clearTimeout(idle);
    });
    socket.on('message', (data: Buffer) => {
      resetIdle();
      metrics.messages.inc({ direction: 'in' });
      metrics.bytes.inc({ direction: 'in' }, data.length);
      if (!limit.take(Date.now())) {
        metrics.refused.inc({ reason: 'rate-limit' });
        socket.close(1008, 'too many messages');
      }
    });
    const originalSend = socket.send.bind(socket) as (...args: unknown[]) => void;
    socket.send = ((data: ArrayBuffer | Uint8Array, ...rest: unknown[]) => {
      metrics.messages.inc({ direction: 'out' });
      metrics.bytes.inc({ direction: 'out' }, data.byteLength);
      originalSend(data, ...rest);
    }) as typeof socket.send;
  });

  const peerId = `hearth-relay-${randomUUID()}` as PeerId;
  const sizes = new DocumentSizes(config.maxDocumentDecodedBytes);
  // PostgreSQL when DATABASE_URL is set (several relays may share it), else files [STO-8].
  const backend = config.databaseUrl
    ? new PostgresStorageAdapter(config.databaseUrl, peerId)
    : new JournaledFileStorage(config.dataDir, {
        // A journaled write the chunk files refused (disk full): it is kept and tried again.
        onError: (e) => {
          metrics.errors.inc({ kind: 'storage-apply' });
          log('storage-apply-error', { reason: e instanceof Error ? e.message : String(e) });
        }
      });
  const timed = timedStorage(backend, metrics);
  // With the journal, compaction's removals resolve at once: the journal keeps them in the order
  // they were issued [STO-10]. (PostgreSQL runs statements on a pool, in no promised order.)
  const storage = closableStorage(
    // The snapshot of an empty document is never written over a stored one [OPS-13].
    refuseEmptySnapshots(
      sizes.wrap(
        backend instanceof JournaledFileStorage
          ? lazyRemovals(timed, (e) => {
              metrics.errors.inc({ kind: 'storage-remove' });
              log('storage-remove-error', { reason: e instanceof Error ? e.message : String(e) });
            })
          : timed
      ),
      () => {
        metrics.errors.inc({ kind: 'empty-overwrite' });
        log('empty-overwrite-refused');
      }
    )
  );
  const listDocuments = () => backend.documentIds();
  // eslint-disable-next-line prefer-const -- assigned once the repo exists; hooks run later
  let evictor: Evictor;
  // eslint-disable-next-line prefer-const
  let gate: AdmissionGate | undefined;
  // eslint-disable-next-line prefer-const
  let flusher: Flusher;
  const network = new GuardedServerAdapter(
    wss,
    config.keepAliveMs,
    log,
    config.maxDocumentsPerConnection,
    (reason) => metrics.refused.inc({ reason }),
    {
      limit: (doc, changes) => {
        if (sizes.size(doc) >= config.maxDocumentBytes) return 'document-size';
        // The document in memory counts its own changes exactly (a few microseconds).
        const handle = heldHandle(repo, doc);
        const held = sizes.decoded(
          doc,
          handle?.isReady() ? { changes: A.stats(handle.doc()).numChanges } : undefined
        );
        try {
          const added = measureAll(changes, config.maxDocumentDecodedBytes - held.bytes);
          if (held.changes + added.changes > config.maxDocumentChanges) return 'change-count';
          return added;
        } catch (e) {
          return e instanceof OverBudget ? 'decoded-size' : 'malformed-changes';
        }
      },
      reserve: (doc, added) => sizes.reserve(doc, added),
      settle: (doc, added, kept) => sizes.settle(doc, added, kept),
      touch: (doc) => evictor.touch(doc),
      inMemory: (doc): boolean => !!heldHandle(repo, doc),
      stored: (doc): Promise<boolean> => backend.hasDocument(doc),
      canFetch: (): boolean => federation.connected > 0,
      unknownAllowed: (socket) => {
        const ip = addressOf.get(socket) ?? 'unknown';
        let bucket = unknownPerIp.get(ip);
        if (!bucket) {
          const perMinute = config.unknownDocumentsPerIpPerMinute;
          bucket = new RateLimit(perMinute / 60, perMinute, Date.now());
          unknownPerIp.set(ip, bucket);
        }
        return bucket.take(Date.now());
      },
      maxUnknown: config.maxUnknownDocumentsPerConnection,
      gate:
        config.admit === 'groups'
          ? (doc, changes) => gate?.admits(doc, changes) ?? Promise.resolve(false)
          : undefined,
      mark: (message) =>
        message.type === 'sync' && message.documentId
          ? flusher.mark(message.documentId, headsOf(message.data ?? new Uint8Array()))
          : 0,
      beforeSend: (message, state) => durable(message, state)
    }
  );
  const federation = new Federation(
    config.upstream,
    peerId,
    listDocuments,
    log,
    (reason) => metrics.upstreamFailures.inc({ reason }),
    config.upstreamRetryMs,
    Math.max(config.upstreamRetryMs, config.upstreamMaxRetryMs)
  );
  const allowed = config.allowlist ? new Set<string>(config.allowlist) : null;
  const repo = new Repo({
    network: [network, ...federation.adapters],
    storage,
    peerId,
    shareConfig: {
      // Never offer documents to clients: a peer gets one only by asking for its id [REL-1].
      // Upstream relays are offered everything [OPS-10].
      announce: (peer: PeerId) => Promise.resolve(federation.isUpstream(peer)),
      // Allowlist mode: only registered documents are stored or served [OPS-6]. In `groups`
      // admission mode the list adds to what the gate admits instead [OPS-7].
      access: (peer: PeerId, doc: DocumentId) => {
        const ok =
          !allowed || config.admit === 'groups' || allowed.has(doc) || federation.isUpstream(peer);
        if (!ok) metrics.refused.inc({ reason: 'allowlist' });
        return Promise.resolve(ok);
      }
    },
    denylist: config.denylist.map((id) => `automerge:${id}` as AutomergeUrl)
  });
  // Evicted documents must not stay reachable through automerge-repo's load races [OPS-8].
  releaseLoadRaces(repo);
  quietForeverPromise();
  // Only the live handle's current state is ever saved: unloading cannot write over a document.
  guardSaves(repo, (reason) => metrics.savesSkipped.inc({ reason }));
  gate = config.admit === 'groups' ? new AdmissionGate(repo, storage, new Set(allowed)) : undefined;
  // One write at a time per document, shared by every message it covers [OPS-11].
  flusher = new Flusher(
    (id) => repo.flush([id as DocumentId]),
    (id) => {
      const handle = heldHandle(repo, id);
      return handle?.isReady() ? A.getHeads(handle.doc()) : undefined;
    }
  );
  evictor = new Evictor(
    repo,
    config.evictIdleMs,
    () => Date.now(),
    (id) => {
      flusher.forget(id);
      metrics.evicted.inc();
    },
    (e) => {
      metrics.errors.inc({ kind: 'evict' });
      log('evict-error', { reason: e instanceof Error ? e.message : String(e) });
    }
  );

  // A client that vanishes mid-sync can leave a document the relay was requesting from it
  // waiting for a minute (automerge-repo's timeout), and every device asking for it meanwhile
  // hangs: the synchronizer does not look again when a peer leaves. A peer that left is taken to
  // have said "I don't have it": devices waiting are told at once that it is unavailable [REL-5].
  const settleOrphanedRequests = () => {
    const connected = new Set(repo.peers);
    for (const [id, handle] of heldHandles(repo)) {
      if (handle.state !== 'requesting') continue;
      for (const gone of peersOf(repo, id))
        if (!connected.has(gone))
          void markUnavailableAt(repo, gone, peerId, id).catch(() => undefined);
    }
  };
  // On every departure, and once a second for peers that were added after they had left.
  onPeerLeft(repo, () => setTimeout(settleOrphanedRequests, 50));
  const settleTimer = setInterval(settleOrphanedRequests, 1000);
  settleTimer.unref();

  /** Writes the document a sync message speaks of before the message leaves [OPS-11]. */
  async function durable(message: Message, state: number): Promise<boolean> {
    if (message.type !== 'sync' || !message.documentId) return true;
    const handle = heldHandle(repo, message.documentId);
    if (!handle?.isReady()) return true;
    const waited = metrics.ackWait.startTimer();
    try {
      await flusher.durable(message.documentId, state);
      waited();
      return true;
    } catch (e) {
      // Its document failed to write and was reloaded; that failure was already handled.
      if (e instanceof StaleWrite) return false;
      flusher.forget(message.documentId);
      metrics.errors.inc({ kind: 'unacknowledged' });
      log('flush-error', { reason: e instanceof Error ? e.message : String(e) });
      // Back to what storage holds: the document leaves memory unwritten (what it had beyond
      // storage was never acknowledged), and its peers are disconnected, so they reconnect, read
      // the stored state and offer their changes again — accepted once storage works [OPS-11].
      await unload(repo, message.documentId).catch(() => undefined);
      network.dropPeersOf(message.documentId, 1011, 'storage unavailable');
      return false;
    }
  }

  // Scale-out [OPS-9]: another relay on the same database saved a chunk of a document this one
  // holds in memory; load what is new so this relay's clients hear of it too. Notices for one
  // document within 50 ms are taken together.
  const pendingRefresh = new Map<string, ReturnType<typeof setTimeout>>();
  const refresh = async (documentId: string) => {
    const handle = heldHandle(repo, documentId);
    if (!handle?.isReady()) return;
    const chunks = (await storage.loadRange([documentId])).filter(
      (c) => (c.key[1] === 'snapshot' || c.key[1] === 'incremental') && c.data
    );
    if (chunks.length === 0) return;
    const bytes = concat(...chunks.map((c) => c.data!));
    handle.update((doc) => A.loadIncremental(doc, bytes));
  };
  // Denied documents are answered as unavailable and never stored [OPS-4].
  onDocumentDenied(repo, () => metrics.refused.inc({ reason: 'denylist' }));

  const http = createHttpServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    if (pathname === '/healthz') {
      res
        .writeHead(200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Cache-Control': 'no-store'
        })
        .end('ok\n');
      return;
    }
    if (pathname === '/readyz') {
      // Ready once listening with sync attached; not ready while shutting down [OPS-1].
      res
        .writeHead(ready ? 200 : 503, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Cache-Control': 'no-store'
        })
        .end(ready ? 'ready\n' : 'not ready\n');
      return;
    }
    if (pathname === '/metrics') {
      if (config.metricsToken && !bearerMatches(req, config.metricsToken)) {
        metrics.refused.inc({ reason: 'metrics-token' });
        res
          .writeHead(401, {
            'Content-Type': 'text/plain; charset=utf-8',
            'WWW-Authenticate': 'Bearer'
          })
          .end('Unauthorized\n');
        return;
      }
      metrics.registry.metrics().then(
        (body) =>
          res
            .writeHead(200, {
              'Content-Type': metrics.registry.contentType,
              'Cache-Control': 'no-store'
            })
            .end(body),
        () => res.writeHead(500).end()
      );
      return;
    }
    if (push.handle(req, res, pathname)) return;
    const notFound = () => {
      if (!res.headersSent)
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
    };
    if (!serveStatic) return notFound();
    serveStatic(req, res, pathname).then(
      (served) => {
        if (!served) notFound();
      },
      (e: unknown) => {
        log('static-error', { reason: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      }
    );
  });

  // Idle keep-alive connections (a Prometheus scraper, a load balancer's health checks) are kept
  // longer than the usual 60 s idle time of a balancer in front: closing one just as the other
  // side reuses it answers that request with a reset instead of a response.
  http.keepAliveTimeout = 65_000;
  http.headersTimeout = 66_000;

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const pathname = new URL(req.url ?? '/', 'http://relay').pathname;
    if (pathname !== SYNC_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const ip = req.socket.remoteAddress ?? 'unknown';
    const open = perIp.get(ip) ?? 0;
    if (open >= config.maxConnectionsPerIp) {
      metrics.refused.inc({ reason: 'ip-limit' });
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      return;
    }
    perIp.set(ip, open + 1);
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  let closing: Promise<void> | undefined;
  return {
    repo,
    peerId,
    evictIdle: () => evictor.sweep(),
    catchUpUpstream: () => federation.catchUp(),
    reportError(kind, e) {
      metrics.errors.inc({ kind });
      log('error', { kind, reason: e instanceof Error ? e.message : String(e) });
    },
    async listen() {
      if (backend instanceof PostgresStorageAdapter) {
        // Fails fast (exit 1 with the reason) when the database cannot be reached at start.
        await backend.ready();
        await backend.listen(
          ({ documentId }) => {
            if (!heldHandle(repo, documentId) || pendingRefresh.has(documentId)) return;
            pendingRefresh.set(
              documentId,
              setTimeout(() => {
                pendingRefresh.delete(documentId);
                refresh(documentId).catch((e: unknown) => {
                  metrics.errors.inc({ kind: 'refresh' });
                  log('refresh-error', { reason: e instanceof Error ? e.message : String(e) });
                });
              }, 50)
            );
          },
          (e) => {
            metrics.errors.inc({ kind: 'database-listen' });
            log('database-listen-error', { reason: e.message });
          }
        );
      } else {
        await backend.ready();
        if (backend.tidied.temporaries + backend.tidied.folders > 0)
          log('storage-tidied', { ...backend.tidied });
      }
      await network.attached;
      push.start();
      evictor.start();
      federation.start(repo);
      await new Promise<void>((resolveListen, reject) => {
        http.once('error', reject);
        http.listen(config.port, config.host, () => {
          http.off('error', reject);
          resolveListen();
        });
      });
      const address = http.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      ready = true;
      log('listening', {
        port,
        host: config.host,
        storage: backend instanceof PostgresStorageAdapter ? 'postgresql' : 'files',
        dataDir: config.dataDir,
        staticDir: config.staticDir,
        admit: config.admit,
        upstreams: config.upstream.length
      });
      return { port };
    },
    close() {
      closing ??= (async () => {
        ready = false;
        log('closing');
        evictor.stop();
        federation.stop();
        await push.close();
        clearInterval(settleTimer);
        for (const t of pendingRefresh.values()) clearTimeout(t);
        for (const client of wss.clients) client.terminate();
        wss.close();
        // Flush every ready document; one still loading (mid-sync) would make a plain flush()
        // throw and skip the rest [REL-4].
        const readyIds = heldHandles(repo)
          .filter(([, h]) => h.isReady())
          .map(([, h]) => h.documentId);
        await repo.flush(readyIds).catch((e: unknown) => {
          metrics.errors.inc({ kind: 'flush' });
          log('flush-error', { reason: e instanceof Error ? e.message : String(e) });
        });
        // Not repo.shutdown(): in automerge-repo 2.5.6 it flushes every handle, and one that is
        // still loading throws. It is "disconnect the adapters, then flush": done here, safely.
        for (const adapter of networkAdapters(repo)) {
          try {
            adapter.disconnect();
          } catch {
            // An upstream link already dropped (or never made) has nothing to disconnect.
          }
        }
        await storage.close();
        // Files: the journal is applied and removed, so the next start replays nothing.
        await backend.close();
        http.closeAllConnections();
        await new Promise<void>((done) => http.close(() => done()));
        log('closed');
      })();
      return closing;
    }
  };
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function bearerMatches(req: IncomingMessage, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The heads a sync message says its sender has (from its first bytes when they allow). */
function headsOf(data: Uint8Array): string[] {
  try {
    return syncMessageHeads(data) ?? A.decodeSyncMessage(data).heads;
  } catch {
    return []; // the relay's own messages always decode
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
