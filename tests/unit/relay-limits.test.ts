import * as A from '@automerge/automerge';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encode } from 'cbor-x';
import WebSocket from 'ws';
import { ConfigError, describeConfig, loadConfig } from '../../sync-server/src/config';
import { eventually, metric, openSocket, RelayKit } from '../kit/relay-kit';

const kit = new RelayKit();
afterEach(() => kit.cleanup());

function configFile(contents: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-config-'));
  const file = join(dir, 'relay.json');
  writeFileSync(file, contents);
  return file;
}

const TOKEN = 'metrics-token-0123456789';

describe('[OPS-5] layered, validated relay configuration', () => {
  it('defaults → config file → environment → flags, later wins', () => {
    const file = configFile(JSON.stringify({ port: 4100, idleTimeoutMs: 5000, logLevel: 'warn' }));
    expect(loadConfig({}, ['--config', file])).toMatchObject({
      port: 4100,
      idleTimeoutMs: 5000,
      logLevel: 'warn',
      host: '0.0.0.0'
    });
    expect(loadConfig({ HEARTH_CONFIG: file, PORT: '4200' }, [])).toMatchObject({
      port: 4200,
      idleTimeoutMs: 5000
    });
    expect(loadConfig({ HEARTH_CONFIG: file, PORT: '4200' }, ['--port', '4300']).port).toBe(4300);
    const lists = configFile(
      JSON.stringify({ allowlist: ['4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U'], staticDir: null })
    );
    expect(loadConfig({}, ['--config', lists])).toMatchObject({
      allowlist: ['4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U'],
      staticDir: null
    });
  });

  it('every bad file or value is one clear line', () => {
    const cases: [Record<string, string>, string[], RegExp][] = [
      [{}, ['--config', '/nonexistent/relay.json'], /config file .* cannot be read/],
      [{}, ['--config', configFile('{ port: 1')], /config file .* is not valid JSON/],
      [{}, ['--config', configFile('[1,2]')], /must hold one JSON object/],
      [{}, ['--config', configFile('{"colour":"red"}')], /unknown setting "colour"/],
      [{}, ['--config', configFile('{"port":"eighty"}')], /port must be a whole number/],
      [{}, ['--config', configFile('{"allowlist":["nope"]}')], /allowlist entry "nope"/],
      [{}, ['--config', configFile('{"logLevel":"loud"}')], /log level must be one of/],
      [{ METRICS_TOKEN: 'short' }, [], /metrics token must be at least 16 characters/],
      [{ IDLE_TIMEOUT_MS: '-1' }, [], /idle timeout ms must be a whole number/],
      [{}, ['--max-documents-per-connection', '0'], /max documents per connection must be between/]
    ];
    for (const [env, argv, message] of cases) {
      expect(() => loadConfig(env, argv), message.source).toThrow(ConfigError);
      expect(() => loadConfig(env, argv)).toThrow(message);
    }
  });

  it('secrets are masked wherever the config is shown, including the start-up log line', async () => {
    const c = loadConfig({ METRICS_TOKEN: TOKEN }, []);
    expect(JSON.stringify(describeConfig(c))).not.toContain(TOKEN);
    expect(describeConfig(c).metricsToken).toBe('********');
    const dir = mkdtempSync(join(tmpdir(), 'hearth-relay-log-'));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'sync-server/src/index.ts', '--port', '0', '--data-dir', dir],
      { env: { ...process.env, METRICS_TOKEN: TOKEN, STATIC_DIR: 'none' } }
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await eventually(() => out.includes('"event":"config"'), 20_000);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
    const line = out.split('\n').find((l) => l.includes('"event":"config"'))!;
    expect(line).toContain('"metricsToken":"********"');
    expect(out).not.toContain(TOKEN);
  });
});

describe('[OPS-6] limits answer with a reason and a metric, never a crash', () => {
  it('a connection that asks for more documents than allowed is closed with "too many documents"', async () => {
    const { base, url } = await kit.start({ flags: ['--max-documents-per-connection', '3'] });
    const offline = new Repo({ network: [], peerId: 'limit-offline' as PeerId });
    const ids = Array.from({ length: 4 }, () => offline.create({ n: 1 }).documentId);
    const socket = await openSocket(url);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    );
    socket.send(
      encode({
        type: 'join',
        senderId: 'scraper',
        peerMetadata: {},
        supportedProtocolVersions: ['1']
      })
    );
    for (const documentId of ids)
      socket.send(
        encode({
          type: 'request',
          senderId: 'scraper',
          targetId: 'x',
          documentId,
          data: A.generateSyncMessage(A.init(), A.initSyncState())[1]!
        })
      );
    expect(await closed).toEqual({ code: 1008, reason: 'too many documents' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_refused_total{reason="documents-per-connection"}')).toBe(1);
    // The relay is still up for everyone else.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('[OPS-12] a peer that keeps sending is alive even when its pongs are late; a silent one without pongs is cut off', async () => {
    const { url } = await kit.start({ flags: ['--keepalive-ms', '1000'] });
    const offline = new Repo({ network: [], peerId: 'alive-offline' as PeerId });
    const documentId = offline.create({ n: 1 }).documentId;
    // Neither answers pings (as a peer whose pong is stuck behind a busy relay's timers).
    const open = (name: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, { autoPong: false });
        ws.once('open', () => {
          ws.send(
            encode({
              type: 'join',
              senderId: name,
              peerMetadata: {},
              supportedProtocolVersions: ['1']
            })
          );
          resolve(ws);
        });
        ws.once('error', reject);
      });
    const busy = await open('busy-peer');
    const silent = await open('silent-peer');
    let busyClosed = false;
    let silentClosed = false;
    busy.once('close', () => (busyClosed = true));
    silent.once('close', () => (silentClosed = true));
    const request = () =>
      busy.send(
        encode({
          type: 'request',
          senderId: 'busy-peer',
          targetId: 'x',
          documentId,
          data: A.generateSyncMessage(A.init(), A.initSyncState())[1]!
        })
      );
    const sending = setInterval(request, 200);
    try {
      await eventually(() => silentClosed, 6000);
      await new Promise((r) => setTimeout(r, 2500));
      expect(busyClosed).toBe(false);
    } finally {
      clearInterval(sending);
      busy.close();
    }
  });

  it('a connection that stays silent past the idle timeout is closed with "idle"', async () => {
    const { base, url } = await kit.start({ flags: ['--idle-timeout-ms', '300'] });
    const socket = await openSocket(url);
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    );
    expect(closed).toEqual({ code: 1000, reason: 'idle' });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_refused_total{reason="idle"}')).toBe(1);
  });

  it('allowlist mode stores and serves only registered documents', async () => {
    const offline = new Repo({ network: [], peerId: 'allow-offline' as PeerId });
    const listed = offline.create({ notes: ['registered'] });
    const other = offline.create({ notes: ['not registered'] });
    const { relay, base, url } = await kit.start({
      flags: ['--allowlist', listed.documentId]
    });
    const a = await kit.peer(url, 'allow-a');
    a.import(A.save(listed.doc()), { docId: listed.documentId });
    a.import(A.save(other.doc()), { docId: other.documentId });
    await eventually(() => !!relay.repo.handles[listed.documentId]?.isReady());
    const b = await kit.peer(url, 'allow-b');
    expect((await b.find<{ notes: string[] }>(listed.documentId)).doc().notes).toEqual([
      'registered'
    ]);
    await expect(b.find(other.documentId)).rejects.toThrow(/unavailable/);
    expect(relay.repo.handles[other.documentId]?.isReady() ?? false).toBe(false);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_refused_total{reason="allowlist"}')).toBeGreaterThanOrEqual(
      1
    );
  });

  it('a document that reached the size limit accepts no more changes at this relay; other documents still sync', async () => {
    const { relay, base, url } = await kit.start({ flags: ['--max-document-bytes', '4096'] });
    const a = await kit.peer(url, 'size-a');
    // Random text, so compression cannot shrink it under the limit.
    const blob = Buffer.from(crypto.getRandomValues(new Uint8Array(9000))).toString('base64');
    const big = a.create<{ blob: string; more?: string; final?: string }>({ blob });
    // Looked at without asking the relay to find it (a find before the upload would be answered
    // "unavailable" and remembered so).
    await eventually(() => {
      const held = relay.repo.handles[big.documentId];
      return !!held?.isReady() && (held.doc() as { blob?: string }).blob?.length === blob.length;
    });
    // The relay saves with a short debounce; once the document is stored it is over the limit,
    // and from then on changes from the client are not taken (earlier ones may have been).
    let attempt = 0;
    await eventually(async () => {
      big.change((d) => {
        d.more = `attempt ${++attempt}`;
      });
      const text = await (await fetch(`${base}/metrics`)).text();
      return metric(text, 'hearth_relay_refused_total{reason="document-size"}') >= 1;
    });
    big.change((d) => {
      d.final = 'after the limit';
    });
    const small = a.create<{ note: string }>({ note: 'still fine' });
    await eventually(() => !!relay.repo.handles[small.documentId]?.isReady());
    const b = await kit.peer(url, 'size-b');
    expect((await b.find<{ note: string }>(small.documentId)).doc().note).toBe('still fine');
    const seen = (await b.find<{ blob: string; final?: string }>(big.documentId)).doc();
    expect(seen.blob).toBe(blob);
    expect(seen.final).toBeUndefined();
    expect(
      (relay.repo.handles[big.documentId]?.doc() as { final?: string })?.final
    ).toBeUndefined();
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('with a metrics token, /metrics answers only the bearer of it', async () => {
    const { base } = await kit.start({ flags: ['--metrics-token', TOKEN] });
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect(
      (await fetch(`${base}/metrics`, { headers: { Authorization: 'Bearer wrong-token-0000000' } }))
        .status
    ).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(metric(await ok.text(), 'hearth_relay_refused_total{reason="metrics-token"}')).toBe(2);
  });
});
