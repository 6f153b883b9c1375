import { Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { mkdir } from 'node:fs/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import type { RelayConfig } from './config';
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

  constructor(
    server: WebSocketServer,
    keepAliveMs: number,
    private readonly log: Log
  ) {
    // The adapter is typed against isomorphic-ws's re-export of `ws`: the same class at run time.
    super(
      server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
      keepAliveMs
    );
  }
  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
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

  wss.on('connection', (socket) => {
    // Without an error listener a too-large frame would be an uncaught 'error' and kill the process.
    socket.on('error', (e) => log('socket-error', { reason: e.message }));
  });

  const network = new GuardedServerAdapter(wss, config.keepAliveMs, log);
  const repo = new Repo({
    network: [network],
    storage: new FileStorageAdapter(config.dataDir),
    peerId: `hearth-relay-${process.pid}` as PeerId,
    sharePolicy: () => Promise.resolve(false)
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
        log('closing');
        for (const client of wss.clients) client.terminate();
        wss.close();
        await repo.flush();
        await repo.shutdown();
        http.closeAllConnections();
        await new Promise<void>((done) => http.close(() => done()));
        log('closed');
      })();
      return closing;
    }
  };
}
