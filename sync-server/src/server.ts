import { Repo, type AutomergeUrl, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { decode } from 'cbor-x';
import { decodeSyncMessage } from '@automerge/automerge';
import { timingSafeEqual } from 'node:crypto';
import type { RelayConfig } from './config';
import { closableStorage, createMetrics, DocumentSizes, RateLimit, timedStorage } from './metrics';
import { createStaticHandler } from './static';
import { FileStorageAdapter } from './storage/file-storage';

export const SYNC_PATH = '/sync';

export interface Relay {
  /** Starts listening; resolves with the bound port (useful with port 0 in tests). */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, closes sockets, flushes documents to storage. Safe to call twice. */
  close(): Promise<void>;
  readonly repo: Repo;
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

  constructor(
    server: WebSocketServer,
    keepAliveMs: number,
    private readonly log: Log,
    private readonly maxDocuments: number,
    private readonly refuse: (reason: string) => void,
    /** Whether a document has reached the size limit (its changes are no longer accepted). */
    private readonly full: (documentId: string) => boolean
  ) {
    // The adapter is typed against isomorphic-ws's re-export of `ws`: the same class at run time.
    super(
      server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
      keepAliveMs
    );
  }
  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    // One connection may sync only so many documents: a scraper walking ids is cut off [OPS-6].
    let documentId: unknown;
    let data: unknown;
    try {
      const message = decode(messageBytes) as { documentId?: unknown; data?: unknown } | null;
      documentId = message?.documentId;
      data = message?.data;
    } catch {
      documentId = undefined; // the upstream adapter refuses undecodable messages itself
    }
    if (typeof documentId === 'string') {
      const seen = this.#documents.get(socket) ?? new Set<string>();
      this.#documents.set(socket, seen);
      if (!seen.has(documentId) && seen.size >= this.maxDocuments) {
        this.refuse('documents-per-connection');
        socket.close(1008, 'too many documents');
        return;
      }
      seen.add(documentId);
      // A document at its size limit accepts no more changes here, but can still be read; the
      // connection stays [OPS-6].
      if (this.full(documentId) && carriesChanges(data)) {
        this.refuse('document-size');
        return;
      }
    }
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
}

/**
 * The relay: one HTTP port that serves the built PWA and the automerge-repo sync WebSocket at
 * /sync. It stores documents but never pushes them to anyone (`sharePolicy` is false): a peer
 * gets a document only by asking for its id [REL-1].
 */
export function createServer(config: RelayConfig, log: Log = () => {}): Relay {
  const serveStatic = config.staticDir ? createStaticHandler(config.staticDir) : undefined;
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxMessageBytes });
  // The gauge reads `repo` only when scraped, after it exists.
  const metrics = createMetrics(() => Object.keys(repo.handles).length);
  const perIp = new Map<string, number>();
  let ready = false;

  wss.on('connection', (socket: WebSocket, req: IncomingMessage) => {
    const ip = req.socket.remoteAddress ?? 'unknown';
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
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
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

  const sizes = new DocumentSizes();
  const network = new GuardedServerAdapter(
    wss,
    config.keepAliveMs,
    log,
    config.maxDocumentsPerConnection,
    (reason) => metrics.refused.inc({ reason }),
    (doc) => sizes.size(doc) >= config.maxDocumentBytes
  );
  const allowed = config.allowlist ? new Set<string>(config.allowlist) : null;
  const storage = closableStorage(
    sizes.wrap(timedStorage(new FileStorageAdapter(config.dataDir), metrics))
  );
  const repo = new Repo({
    network: [network],
    storage,
    peerId: `hearth-relay-${process.pid}` as PeerId,
    shareConfig: {
      // Never offer documents to anyone: a peer gets one only by asking for its id [REL-1].
      announce: () => Promise.resolve(false),
      // Allowlist mode: only registered documents are stored or served [OPS-6].
      access: (_peer: PeerId, doc: DocumentId) => {
        const ok = !allowed || allowed.has(doc);
        if (!ok) metrics.refused.inc({ reason: 'allowlist' });
        return Promise.resolve(ok);
      }
    },
    denylist: config.denylist.map((id) => `automerge:${id}` as AutomergeUrl)
  });
  // Denied documents are answered as unavailable and never stored [OPS-4].
  repo.synchronizer.on('metrics', (event) => {
    if (event.type === 'doc-denied') metrics.refused.inc({ reason: 'denylist' });
  });

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
    async listen() {
      await mkdir(config.dataDir, { recursive: true });
      await network.attached;
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
        dataDir: config.dataDir,
        staticDir: config.staticDir
      });
      return { port };
    },
    close() {
      closing ??= (async () => {
        ready = false;
        log('closing');
        for (const client of wss.clients) client.terminate();
        wss.close();
        // Flush every ready document; one still loading (mid-sync) would make a plain flush()
        // throw and skip the rest [REL-4].
        const readyIds = Object.values(repo.handles)
          .filter((h) => h.isReady())
          .map((h) => h.documentId);
        await repo.flush(readyIds).catch((e: unknown) => {
          metrics.errors.inc({ kind: 'flush' });
          log('flush-error', { reason: e instanceof Error ? e.message : String(e) });
        });
        // Not repo.shutdown(): in automerge-repo 2.5.6 it flushes every handle, and one that is
        // still loading throws. It is "disconnect the adapters, then flush": done here, safely.
        for (const adapter of repo.networkSubsystem.adapters) adapter.disconnect();
        await storage.close();
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

/** Whether a sync message brings changes (a reader's request or acknowledgement brings none). */
function carriesChanges(data: unknown): boolean {
  if (!(data instanceof Uint8Array)) return false;
  try {
    return decodeSyncMessage(data).changes.length > 0;
  } catch {
    return true;
  }
}
