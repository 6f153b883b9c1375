import {
  Repo,
  type AutomergeUrl,
  type DocumentId,
  type Message,
  type PeerId
} from '@automerge/automerge-repo';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import * as A from '@automerge/automerge';
import { randomUUID } from 'node:crypto';
import type { RelayConfig } from './config';
import { createMetrics, DocumentSizes } from './metrics';
import { httpRoutes } from './http-routes';
import { openStorage } from './storage/open';
import { concat } from '../../src/lib/core/crypto/ed25519';
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
import { measureAll, OverBudget } from './chunk-sizes';
import { GuardedServerAdapter, type Log } from './guarded-adapter';
import { meterConnections } from './connections';
import { guardSaves, unload } from './unload';
import { createPush } from './push';
import type { Agent } from 'node:https';

const SYNC_PATH = '/sync';

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
  let ready = false;
  // Connections per address, each connection's traffic, rate and idle time [OPS-3, OPS-6, OPS-16].
  const meter = meterConnections(wss, config, metrics, log);

  const peerId = `hearth-relay-${randomUUID()}` as PeerId;
  const sizes = new DocumentSizes(config.maxDocumentDecodedBytes);
  const { backend, storage } = openStorage({ config, peerId, metrics, log, sizes });
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
      unknownAllowed: (socket) => meter.unknownAllowed(socket),
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

  // Health, readiness, metrics, Web Push and the app's files, on the same port as sync.
  const http = createHttpServer(httpRoutes({ config, metrics, log, push, isReady: () => ready }));

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
    if (!meter.admit(req.socket.remoteAddress ?? 'unknown')) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      return;
    }
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

/** The heads a sync message says its sender has (from its first bytes when they allow). */
function headsOf(data: Uint8Array): string[] {
  try {
    return syncMessageHeads(data) ?? A.decodeSyncMessage(data).heads;
  } catch {
    return []; // the relay's own messages always decode
  }
}
