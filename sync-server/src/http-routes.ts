/**
 * The relay's HTTP routes beside sync [OPS-1, OPS-2, PUSH-*]: `/healthz` (the process answers),
 * `/readyz` (listening with sync attached; not while shutting down), `/metrics` (Prometheus, behind
 * a bearer token when one is set), Web Push under `/push/`, and the built app's files.
 */
import type { IncomingMessage, RequestListener } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { RelayConfig } from './config';
import type { Log } from './guarded-adapter';
import type { Metrics } from './metrics';
import type { createPush } from './push';
import { createStaticHandler } from './static';

export function httpRoutes(o: {
  config: RelayConfig;
  metrics: Metrics;
  log: Log;
  push: ReturnType<typeof createPush>;
  isReady: () => boolean;
}): RequestListener {
  const serveStatic = o.config.staticDir ? createStaticHandler(o.config.staticDir) : undefined;
  return (req, res) => {
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
        .writeHead(o.isReady() ? 200 : 503, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Cache-Control': 'no-store'
        })
        .end(o.isReady() ? 'ready\n' : 'not ready\n');
      return;
    }
    if (pathname === '/metrics') {
      if (o.config.metricsToken && !bearerMatches(req, o.config.metricsToken)) {
        o.metrics.refused.inc({ reason: 'metrics-token' });
        res
          .writeHead(401, {
            'Content-Type': 'text/plain; charset=utf-8',
            'WWW-Authenticate': 'Bearer'
          })
          .end('Unauthorized\n');
        return;
      }
      o.metrics.registry.metrics().then(
        (body) =>
          res
            .writeHead(200, {
              'Content-Type': o.metrics.registry.contentType,
              'Cache-Control': 'no-store'
            })
            .end(body),
        () => res.writeHead(500).end()
      );
      return;
    }
    if (o.push.handle(req, res, pathname)) return;
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
        o.log('static-error', { reason: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) res.writeHead(500).end();
        else res.destroy();
      }
    );
  };
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function bearerMatches(req: IncomingMessage, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
