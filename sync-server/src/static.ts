import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8'
};

/** Files that must be revalidated on every visit so a new deployment is noticed. */
const ALWAYS_REVALIDATE =
  /(^|\/)(sw\.js|registerSW\.js|manifest\.webmanifest|version\.json)$|\.html$/;

/**
 * Cache policy [REL-3]: content-hashed build output never changes, so it is cached for a year;
 * the service worker, HTML shells and manifest are revalidated every time (cheap with ETags) so
 * an update reaches people; everything else for a day.
 */
function cacheControl(relPath: string): string {
  if (relPath.startsWith('_app/immutable/')) return 'public, max-age=31536000, immutable';
  if (ALWAYS_REVALIDATE.test(relPath)) return 'no-cache';
  return 'public, max-age=86400';
}

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

interface Found {
  file: string;
  rel: string;
  size: number;
  mtimeMs: number;
}

/**
 * Serves the built PWA from `root` [REL-2]. Routes map to prerendered shells (`/group` →
 * `group.html`); a request for anything that is not a file of the build answers 404. Paths that
 * try to leave `root` answer 404 too. Precompressed `.br`/`.gz` siblings are sent when the
 * browser accepts them.
 */
export function createStaticHandler(root: string) {
  const base = normalize(root + sep);

  async function find(urlPath: string): Promise<Found | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0')) return undefined;
    const clean = decoded.replace(/^\/+/, '');
    const candidates =
      clean === ''
        ? ['index.html']
        : [clean, `${clean}.html`, `${clean.replace(/\/$/, '')}/index.html`];
    for (const rel of candidates) {
      const file = normalize(join(base, rel));
      if (!file.startsWith(base)) return undefined;
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile())
        return {
          file,
          rel: file.slice(base.length).split(sep).join('/'),
          size: info.size,
          mtimeMs: info.mtimeMs
        };
    }
    return undefined;
  }

  async function compressed(
    found: Found,
    acceptEncoding: string
  ): Promise<{ file: string; encoding: string; size: number } | undefined> {
    for (const [encoding, ext] of [
      ['br', '.br'],
      ['gzip', '.gz']
    ] as const) {
      if (!new RegExp(`\\b${encoding}\\b`).test(acceptEncoding)) continue;
      const info = await stat(found.file + ext).catch(() => undefined);
      if (info?.isFile()) return { file: found.file + ext, encoding, size: info.size };
    }
    return undefined;
  }

  /** Answers the request if it is for a static file; returns false when nothing matched. */
  return async function serve(
    req: IncomingMessage,
    res: ServerResponse,
    pathname: string
  ): Promise<boolean> {
    const found = await find(pathname);
    if (!found) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Method not allowed\n');
      return true;
    }
    const etag = `W/"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    const headers: Record<string, string | number> = {
      'Content-Type': contentType(found.file),
      'Cache-Control': cacheControl(found.rel),
      ETag: etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer'
    };
    if (found.rel === 'sw.js') headers['Service-Worker-Allowed'] = '/';
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, headers).end();
      return true;
    }
    const alt = await compressed(found, String(req.headers['accept-encoding'] ?? ''));
    const file = alt?.file ?? found.file;
    if (alt) headers['Content-Encoding'] = alt.encoding;
    headers['Content-Length'] = alt?.size ?? found.size;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    await new Promise<void>((resolveDone) => {
      const stream = createReadStream(file);
      stream.on('error', () => {
        res.destroy();
        resolveDone();
      });
      stream.on('end', resolveDone);
      stream.pipe(res);
    });
    return true;
  };
}
