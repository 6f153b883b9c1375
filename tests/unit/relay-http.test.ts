import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sync-server/src/config';
import { createServer, type Relay } from '../../sync-server/src/server';

let relay: Relay;
let base: string;
const root = mkdtempSync(join(tmpdir(), 'hearth-static-'));
const data = mkdtempSync(join(tmpdir(), 'hearth-data-'));

beforeAll(async () => {
  mkdirSync(join(root, '_app/immutable/assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title>');
  writeFileSync(join(root, 'group.html'), '<!doctype html><title>group</title>');
  writeFileSync(join(root, 'sw.js'), 'self.x = 1;');
  writeFileSync(join(root, 'manifest.webmanifest'), '{}');
  const wasm = Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  writeFileSync(join(root, '_app/immutable/assets/automerge.abc.wasm'), wasm);
  writeFileSync(
    join(root, '_app/immutable/assets/automerge.abc.wasm.br'),
    brotliCompressSync(wasm)
  );
  writeFileSync(join(root, '_app/immutable/assets/automerge.abc.wasm.gz'), gzipSync(wasm));
  writeFileSync(join(tmpdir(), 'hearth-secret.txt'), 'secret');
  relay = createServer(
    loadConfig({}, ['--port', '0', '--host', '127.0.0.1', '--data-dir', data, '--static-dir', root])
  );
  const { port } = await relay.listen();
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await relay.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(data, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request (fetch would normalize paths like /../ before they reach the relay). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolveAnswer, reject) => {
    const req = request(`${base}${path}`, { method, headers, path }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolveAnswer({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks)
        })
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('relay serves the app', () => {
  it('[REL-2] routes map to prerendered shells; unknown paths are 404', async () => {
    expect((await get('/')).body.toString()).toContain('home');
    expect((await get('/group')).body.toString()).toContain('group');
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/group/extra')).status).toBe(404);
  });

  it('[REL-2] paths that try to leave the build folder are 404', async () => {
    for (const p of [
      '/../hearth-secret.txt',
      '/%2e%2e/hearth-secret.txt',
      '/..%2fhearth-secret.txt',
      '/%00',
      '/%E0%A4%A'
    ]) {
      const r = await get(p);
      expect(r.status, p).toBe(404);
      expect(r.body.toString()).not.toContain('secret');
    }
  });

  it('[REL-2] wasm is served as application/wasm, precompressed when the browser accepts it', async () => {
    const plain = await get('/_app/immutable/assets/automerge.abc.wasm');
    expect(plain.headers['content-type']).toBe('application/wasm');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await get('/_app/immutable/assets/automerge.abc.wasm', {
      'Accept-Encoding': 'gzip, deflate, br'
    });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    const gz = await get('/_app/immutable/assets/automerge.abc.wasm', {
      'Accept-Encoding': 'gzip'
    });
    expect(gz.headers['content-encoding']).toBe('gzip');
  });

  it('[REL-3] hashed assets are cached for a year; the service worker and HTML are revalidated', async () => {
    expect((await get('/_app/immutable/assets/automerge.abc.wasm')).headers['cache-control']).toBe(
      'public, max-age=31536000, immutable'
    );
    expect((await get('/sw.js')).headers['cache-control']).toBe('no-cache');
    expect((await get('/')).headers['cache-control']).toBe('no-cache');
    expect((await get('/manifest.webmanifest')).headers['content-type']).toMatch(
      /application\/manifest\+json/
    );
  });

  it('[REL-3] a revalidation with a matching ETag costs no body (304)', async () => {
    const first = await get('/');
    const again = await get('/', { 'If-None-Match': String(first.headers['etag']) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });

  it('[REL-2] HEAD has no body; other methods are 405', async () => {
    const head = await get('/', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await get('/', {}, 'POST')).status).toBe(405);
  });

  it('[REL-2] /healthz answers for load balancers and test harnesses', async () => {
    expect((await get('/healthz')).body.toString()).toBe('ok\n');
  });
});
