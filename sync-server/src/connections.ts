/**
 * Connection metering [OPS-3, OPS-6, OPS-16]: connections per address (refused past
 * `maxConnectionsPerIp`), each connection's messages and bytes counted, its message rate limited
 * and its idle time bounded, and per address a budget of documents named that the relay does not
 * have. Attached to the relay's WebSocket server before the sync adapter, so its listeners run
 * first.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { RelayConfig } from './config';
import type { Log } from './guarded-adapter';
import { RateLimit, type Metrics } from './metrics';

export function meterConnections(
  wss: WebSocketServer,
  config: RelayConfig,
  metrics: Metrics,
  log: Log
): {
  /** Counts a new connection from `ip`; false (and counted as refused) past the limit. */
  admit(ip: string): boolean;
  /** Whether this connection's address may name one more document the relay lacks now. */
  unknownAllowed(socket: WebSocket): boolean;
} {
  const perIp = new Map<string, number>();
  // Documents named that the relay does not have, per address, as a token bucket [OPS-16].
  const unknownPerIp = new Map<string, RateLimit>();
  const addressOf = new WeakMap<WebSocket, string>();

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

  return {
    admit(ip) {
      const open = perIp.get(ip) ?? 0;
      if (open >= config.maxConnectionsPerIp) {
        metrics.refused.inc({ reason: 'ip-limit' });
        return false;
      }
      perIp.set(ip, open + 1);
      return true;
    },
    unknownAllowed(socket) {
      const ip = addressOf.get(socket) ?? 'unknown';
      let bucket = unknownPerIp.get(ip);
      if (!bucket) {
        const perMinute = config.unknownDocumentsPerIpPerMinute;
        bucket = new RateLimit(perMinute / 60, perMinute, Date.now());
        unknownPerIp.set(ip, bucket);
      }
      return bucket.take(Date.now());
    }
  };
}
