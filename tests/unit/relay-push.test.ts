/**
 * Web Push from the relay [PUSH-*], against a local push service that checks the VAPID signature
 * and decrypts each RFC 8291 message with the subscription's own keys (tests/kit/push-endpoint.ts):
 * real cryptography on both sides, the real `web-push` library in the relay, nothing mocked.
 *
 * The attacks were written first: a flood of wake requests from one address, a sender who probes
 * which handles exist (who in a group has notifications on), a replayed wake, a registration that
 * would make the relay post to a host inside its network, and a member taking over another
 * member's handle.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sync-server/src/config';
import { createServer, type Relay } from '../../sync-server/src/server';
import { senderKey } from '../../sync-server/src/push';
import { PushEndpoint, type TestSubscription } from '../kit/push-endpoint';
import { x25519PublicKey } from '../../src/lib/core/crypto/box';
import { openWake, pushHandle, sealWake, splitPush } from '../../src/lib/core/notify/wake';

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const handle = () => b64u(randomBytes(16));
const claim = () => b64u(randomBytes(32));

let endpoint: PushEndpoint;
const stops: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  endpoint = await new PushEndpoint().listen();
});
afterAll(async () => {
  await endpoint.close();
});
afterEach(async () => {
  while (stops.length) await stops.pop()!();
});

async function relay(flags: string[] = [], dataDir?: string) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-push-relay-'));
  if (!dataDir) stops.push(() => rmSync(dir, { recursive: true, force: true }));
  const config = loadConfig({}, [
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--data-dir',
    dir,
    '--static-dir',
    'none',
    '--push-services',
    '127.0.0.1',
    '--push-retry-ms',
    '40',
    '--push-timeout-ms',
    '400',
    ...flags
  ]);
  const r: Relay = createServer(config, undefined, { pushAgent: endpoint.agent });
  const { port } = await r.listen();
  stops.push(() => r.close());
  const base = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: unknown) => {
    const res = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body)
    });
    return { status: res.status, body: await res.text() };
  };
  const metric = async (name: string): Promise<number> => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.split(' ')[0] === name);
    return line ? Number(line.split(' ')[1]) : 0;
  };
  const key = async () =>
    (await fetch(`${base}/push/key`)).json() as Promise<{ publicKey: string }>;
  return { r, base, dir, post, metric, key, close: () => r.close() };
}

type R = Awaited<ReturnType<typeof relay>>;

async function register(r: R, sub: TestSubscription, handles: string[], owner = claim()) {
  const res = await r.post('/push/register', {
    subscription: { endpoint: sub.endpoint, keys: sub.keys },
    claim: owner,
    handles
  });
  return { ...res, claim: owner };
}

const wake = (r: R, wakes: { to: string; data: string }[], extra: object = {}) =>
  r.post('/push/wake', { wakes, ...extra });

describe('relay push', () => {
  it('[PUSH-1] VAPID keys are made at first start, kept in the data folder (owner-only) and served; the same after a restart; keys given in config are used instead; push off serves none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-push-keys-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const a = await relay([], dir);
    const first = await a.key();
    expect(Buffer.from(first.publicKey, 'base64url')).toHaveLength(65);
    const file = join(dir, 'push', 'vapid.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await a.close();
    const b = await relay([], dir);
    expect((await b.key()).publicKey).toBe(first.publicKey);
    await b.close();

    const given = JSON.parse(readFileSync(file, 'utf8')) as {
      publicKey: string;
      privateKey: string;
    };
    const other = mkdtempSync(join(tmpdir(), 'hearth-push-keys-'));
    stops.push(() => rmSync(other, { recursive: true, force: true }));
    const c = await relay(
      ['--push-vapid-public-key', given.publicKey, '--push-vapid-private-key', given.privateKey],
      other
    );
    expect((await c.key()).publicKey).toBe(given.publicKey);
    expect(existsSync(join(other, 'push', 'vapid.json'))).toBe(false);

    const off = await relay(['--push', 'off']);
    expect((await fetch(`${off.base}/push/key`)).status).toBe(404);
    expect((await off.post('/push/wake', { wakes: [] })).status).toBe(404);
    expect(existsSync(join(off.dir, 'push'))).toBe(false);
  });

  it('[PUSH-2] a wake reaches the push service signed with the relay’s VAPID key, and the payload decrypts with the subscription’s keys to exactly the handle and the sealed bytes', async () => {
    const r = await relay();
    endpoint.vapidKey = (await r.key()).publicKey;
    const sub = endpoint.subscribe();
    const h = handle();
    expect((await register(r, sub, [h])).status).toBe(200);
    const sealed = randomBytes(300);
    const before = endpoint.received.length;
    expect((await wake(r, [{ to: h, data: b64u(sealed) }])).status).toBe(202);
    await endpoint.waitFor(before + 1);
    const got = endpoint.for(sub).at(-1)!;
    expect(got.vapid).toMatchObject({ ok: true });
    expect(got.headers['content-encoding']).toBe('aes128gcm');
    expect(got.headers.ttl).toBe('86400');
    expect(got.payload).not.toBeNull();
    expect(b64u(got.payload!.subarray(0, 16))).toBe(h);
    expect(Buffer.compare(got.payload!.subarray(16), sealed)).toBe(0);
    await expect.poll(() => r.metric('hearth_relay_pushes_total{outcome="sent"}')).toBe(1);
    endpoint.vapidKey = undefined;
  });

  it('[PUSH-3] a sender learns nothing about which handles exist: registered, unknown and mixed wakes get the same answer; unknown ones are counted', async () => {
    const r = await relay();
    const sub = endpoint.subscribe();
    const known = handle();
    await register(r, sub, [known]);
    const data = b64u(randomBytes(64));
    const a = await wake(r, [{ to: known, data }]);
    const b = await wake(r, [{ to: handle(), data }]);
    const c = await wake(r, [
      { to: handle(), data: b64u(randomBytes(64)) },
      { to: known, data: b64u(randomBytes(64)) }
    ]);
    expect(a.status).toBe(202);
    expect(b).toEqual(a);
    expect(c.status).toBe(202);
    expect(JSON.parse(c.body)).toEqual({ accepted: 2 });
    expect(await r.metric('hearth_relay_push_refused_total{reason="unknown-handle"}')).toBe(2);
  });

  it('[PUSH-4] a flood of wake requests from one address is refused (429) and counted; one handle gets at most its hourly budget however many senders ask', async () => {
    const r = await relay([
      '--push-wakes-per-ip-per-minute',
      '20',
      '--push-per-handle-per-hour',
      '5'
    ]);
    const sub = endpoint.subscribe();
    const h = handle();
    await register(r, sub, [h]);
    const before = endpoint.for(sub).length;
    const answers: number[] = [];
    for (let i = 0; i < 40; i++)
      answers.push((await wake(r, [{ to: h, data: b64u(randomBytes(40)) }])).status);
    expect(answers.filter((s) => s === 202)).toHaveLength(20);
    expect(answers.filter((s) => s === 429)).toHaveLength(20);
    expect(await r.metric('hearth_relay_push_refused_total{reason="rate-limit"}')).toBe(20);
    // Of the 20 taken, the handle's budget let 5 through.
    await expect.poll(() => endpoint.for(sub).length - before).toBe(5);
    expect(await r.metric('hearth_relay_push_refused_total{reason="handle-budget"}')).toBe(15);
    // A request naming more handles than allowed is refused whole.
    const many = Array.from({ length: 65 }, () => ({ to: handle(), data: b64u(randomBytes(8)) }));
    const r2 = await relay();
    expect((await wake(r2, many)).status).toBe(400);
    expect(await r2.metric('hearth_relay_push_refused_total{reason="too-many"}')).toBe(1);
  });

  it('[PUSH-5] the same wake sent again (a replay) is not delivered twice', async () => {
    const r = await relay();
    const sub = endpoint.subscribe();
    const h = handle();
    await register(r, sub, [h]);
    const w = [{ to: h, data: b64u(randomBytes(80)) }];
    const before = endpoint.for(sub).length;
    expect((await wake(r, w)).status).toBe(202);
    expect((await wake(r, w)).status).toBe(202);
    await expect.poll(() => endpoint.for(sub).length - before).toBe(1);
    expect(await r.metric('hearth_relay_push_refused_total{reason="replay"}')).toBe(1);
  });

  it('[PUSH-6] an expired subscription (404/410) is forgotten; 5xx and timeouts are retried with backoff, then given up and counted', async () => {
    const r = await relay(['--push-retries', '3']);
    // 410: forgotten with all its handles; a later wake finds nothing.
    const gone = endpoint.subscribe();
    const hg = handle();
    await register(r, gone, [hg, handle()]);
    endpoint.behave(gone, { kind: 'status', status: 410, times: 99 });
    await wake(r, [{ to: hg, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => r.metric('hearth_relay_pushes_total{outcome="gone"}')).toBe(1);
    expect(await r.metric('hearth_relay_push_subscriptions')).toBe(0);
    await wake(r, [{ to: hg, data: b64u(randomBytes(10)) }]);
    expect(await r.metric('hearth_relay_push_refused_total{reason="unknown-handle"}')).toBe(1);
    expect(endpoint.for(gone)).toHaveLength(1);
    // 404 too.
    const missing = endpoint.subscribe();
    const hm = handle();
    await register(r, missing, [hm]);
    endpoint.behave(missing, { kind: 'status', status: 404, times: 99 });
    await wake(r, [{ to: hm, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => r.metric('hearth_relay_pushes_total{outcome="gone"}')).toBe(2);

    // Two 503s, then the push service takes it: delivered on the third attempt.
    const flaky = endpoint.subscribe();
    const hf = handle();
    await register(r, flaky, [hf]);
    endpoint.behave(flaky, { kind: 'status', status: 503, times: 2 });
    await wake(r, [{ to: hf, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => r.metric('hearth_relay_pushes_total{outcome="sent"}')).toBe(1);
    expect(endpoint.for(flaky)).toHaveLength(3);
    expect(await r.metric('hearth_relay_pushes_total{outcome="retried"}')).toBe(2);
    const times = endpoint.for(flaky).map((x) => x.at);
    // Backoff: the second wait is longer than the first (40 ms doubling, with jitter ±50 %).
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(15);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(35);

    // Always 500: 1 + 3 attempts, then given up; the subscription is kept.
    const broken = endpoint.subscribe();
    const hb = handle();
    await register(r, broken, [hb]);
    endpoint.behave(broken, { kind: 'status', status: 500, times: 99 });
    await wake(r, [{ to: hb, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => r.metric('hearth_relay_pushes_total{outcome="failed"}')).toBe(1);
    expect(endpoint.for(broken)).toHaveLength(4);
    expect(await r.metric('hearth_relay_push_subscriptions')).toBe(2);

    // A push service that never answers: each attempt times out (400 ms), then given up.
    const silent = endpoint.subscribe();
    const hs = handle();
    await register(r, silent, [hs]);
    endpoint.behave(silent, { kind: 'hang' });
    await wake(r, [{ to: hs, data: b64u(randomBytes(10)) }]);
    await expect
      .poll(() => r.metric('hearth_relay_pushes_total{outcome="failed"}'), { timeout: 10_000 })
      .toBe(2);
    expect(await r.metric('hearth_relay_errors_total{kind="push-timeout"}')).toBe(4);
  });

  it('[PUSH-7] registration: only https endpoints of the allowed push services (never a host inside the relay’s network); a handle held by one claim is not taken by another; only its claim lets it go', async () => {
    const r = await relay();
    const sub = endpoint.subscribe();
    for (const bad of [
      'http://127.0.0.1:9/p/x',
      'https://10.0.0.5/admin',
      'https://metadata.google.internal/x',
      'https://127.0.0.1.evil.example/p/x',
      'not a url'
    ]) {
      const res = await r.post('/push/register', {
        subscription: { endpoint: bad, keys: sub.keys },
        claim: claim(),
        handles: [handle()]
      });
      expect(res.status, bad).toBe(400);
    }
    expect(await r.metric('hearth_relay_push_refused_total{reason="endpoint"}')).toBe(5);
    // Keys that are not a P-256 point and a 16-byte secret are refused too.
    const badKeys = await r.post('/push/register', {
      subscription: { endpoint: sub.endpoint, keys: { p256dh: 'AAAA', auth: 'AAAA' } },
      claim: claim(),
      handles: [handle()]
    });
    expect(badKeys.status).toBe(400);

    const h = handle();
    const mine = await register(r, sub, [h]);
    expect(JSON.parse(mine.body)).toEqual({ registered: 1, taken: [] });
    // Someone else (another member who can compute the handle) tries to take it.
    const thief = endpoint.subscribe();
    const stolen = await register(r, thief, [h]);
    expect(JSON.parse(stolen.body)).toEqual({ registered: 0, taken: [h] });
    const before = endpoint.for(sub).length;
    await wake(r, [{ to: h, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => endpoint.for(sub).length - before).toBe(1);
    expect(endpoint.for(thief)).toHaveLength(0);
    // The thief cannot let it go either; its owner can.
    await r.post('/push/unregister', { claim: stolen.claim, handles: [h] });
    await wake(r, [{ to: h, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => endpoint.for(sub).length - before).toBe(2);
    await r.post('/push/unregister', { claim: mine.claim, handles: [h] });
    await wake(r, [{ to: h, data: b64u(randomBytes(10)) }]);
    expect(await r.metric('hearth_relay_push_refused_total{reason="unknown-handle"}')).toBe(1);
    // The owner registering again (a new subscription after the browser renewed it) moves it.
    const renewed = endpoint.subscribe();
    await register(r, sub, [h], mine.claim);
    expect(JSON.parse((await register(r, renewed, [h], mine.claim)).body)).toEqual({
      registered: 1,
      taken: []
    });
    await wake(r, [{ to: h, data: b64u(randomBytes(10)) }]);
    await expect.poll(() => endpoint.for(renewed).length).toBe(1);
  });

  it('[PUSH-8] a wake can wait for a time (a reminder) and survives a restart; it can be cancelled by whoever knows its cancel secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-push-later-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    let r = await relay([], dir);
    const sub = endpoint.subscribe();
    const h = handle();
    await register(r, sub, [h]);
    const secret = randomBytes(32);
    const { createHash } = await import('node:crypto');
    const tag = b64u(createHash('sha256').update(secret).digest());
    const now = Math.floor(Date.now() / 1000);
    expect((await wake(r, [{ to: h, data: b64u(randomBytes(20)) }], { at: now + 2 })).status).toBe(
      202
    );
    expect(
      (await wake(r, [{ to: h, data: b64u(randomBytes(20)) }], { at: now + 2, cancel: tag })).status
    ).toBe(202);
    // A wake too far ahead is refused.
    expect(
      (await wake(r, [{ to: h, data: b64u(randomBytes(20)) }], { at: now + 40 * 86400 })).status
    ).toBe(400);
    await r.close();
    r = await relay([], dir);
    expect((await r.post('/push/cancel', { secret: b64u(secret) })).status).toBe(200);
    expect(endpoint.for(sub)).toHaveLength(0);
    await expect.poll(() => endpoint.for(sub).length, { timeout: 8000 }).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(endpoint.for(sub)).toHaveLength(1);
  });

  it('[PUSH-9] bad requests are answered 400 and counted, never a crash: not JSON, too large, bad handles or data, data over 1 KiB', async () => {
    const r = await relay();
    const bad = [
      'not json',
      JSON.stringify({ wakes: 'x' }),
      JSON.stringify({ wakes: [{ to: 'short', data: 'AAAA' }] }),
      JSON.stringify({ wakes: [{ to: handle(), data: '***' }] }),
      JSON.stringify({ wakes: [{ to: handle(), data: b64u(randomBytes(1025)) }] }),
      JSON.stringify({ wakes: [{ to: handle(), data: 'AA' }], at: 'soon' })
    ];
    for (const body of bad)
      expect((await r.post('/push/wake', body)).status, body.slice(0, 40)).toBe(400);
    expect(await r.metric('hearth_relay_push_refused_total{reason="bad-request"}')).toBe(6);
    const huge = await r.post('/push/wake', 'x'.repeat(200_000));
    expect(huge.status).toBe(413);
    expect((await fetch(`${r.base}/push/wake`)).status).toBe(405);
    // CORS: an app served elsewhere may use this relay (no cookies, so any origin).
    const pre = await fetch(`${r.base}/push/wake`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' }
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect((await fetch(`${r.base}/healthz`)).status).toBe(200);
  });

  it('[PUSH-10] a push store that cannot be read is set aside, not fatal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-push-bad-'));
    stops.push(() => rmSync(dir, { recursive: true, force: true }));
    const a = await relay([], dir);
    await a.close();
    writeFileSync(join(dir, 'push', 'store.json'), '{broken');
    const b = await relay([], dir);
    expect((await b.key()).publicKey).toBeTruthy();
    expect(existsSync(join(dir, 'push', 'store.json.unreadable'))).toBe(true);
  });
});

/**
 * Abuse written before the fixes and run on the first version of the push routes: each of these
 * failed there (the second spelling of the same sealed bytes was delivered twice, a full-size
 * request was refused 413, an off-curve key was kept and every push to it was retried five times,
 * the unregister route had no limit and walked every subscription).
 */
describe('relay push: abuse', () => {
  it('[PUSH-5] the same sealed bytes spelt another way are not a new wake: base64url that is not the canonical spelling is refused (data and handles)', async () => {
    const r = await relay();
    const sub = endpoint.subscribe();
    const h = handle();
    await register(r, sub, [h]);
    // One byte of data: "AA" is canonical for 0x00; "AB" decodes to the same byte.
    const before = endpoint.for(sub).length;
    expect((await wake(r, [{ to: h, data: 'AA' }])).status).toBe(202);
    const again = await wake(r, [{ to: h, data: 'AB' }]);
    expect(again.status).toBe(400);
    // A handle's 22 characters carry 2 spare bits: a second spelling of someone's handle is refused.
    const last = h.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = h.slice(0, -1) + alphabet[alphabet.indexOf(last) ^ 1];
    expect(Buffer.from(twin, 'base64url').equals(Buffer.from(h, 'base64url'))).toBe(true);
    expect((await wake(r, [{ to: twin, data: b64u(randomBytes(8)) }])).status).toBe(400);
    expect((await register(r, endpoint.subscribe(), [twin])).status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(endpoint.for(sub).length - before).toBe(1);
  });

  it('[PUSH-9] the largest wake request allowed (64 wakes of 1 KiB each) is taken, not refused as too large', async () => {
    const r = await relay(['--push-wakes-per-ip-per-minute', '100']);
    const wakes = Array.from({ length: 64 }, () => ({
      to: handle(),
      data: b64u(randomBytes(1024))
    }));
    const res = await wake(r, wakes);
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ accepted: 64 });
  });

  it('[PUSH-7] malformed subscriptions are refused 400 at registration, never kept: a p256dh that is not on the curve, keys missing or of the wrong type, an endpoint too long, a subscription that is not an object', async () => {
    const r = await relay();
    const sub = endpoint.subscribe();
    const offCurve = Buffer.alloc(65, 7);
    offCurve[0] = 4;
    const cases: unknown[] = [
      { endpoint: sub.endpoint, keys: { p256dh: b64u(offCurve), auth: sub.keys.auth } },
      { endpoint: sub.endpoint },
      { endpoint: sub.endpoint, keys: { p256dh: 5, auth: sub.keys.auth } },
      { endpoint: sub.endpoint, keys: 'x' },
      { endpoint: `${sub.endpoint}/${'a'.repeat(2000)}`, keys: sub.keys },
      { endpoint: 42, keys: sub.keys },
      [sub.endpoint],
      null,
      'https://127.0.0.1/p/x'
    ];
    for (const s of cases) {
      const res = await r.post('/push/register', {
        subscription: s,
        claim: claim(),
        handles: [handle()]
      });
      expect(res.status, JSON.stringify(s).slice(0, 60)).toBe(400);
    }
    expect(await r.metric('hearth_relay_push_subscriptions')).toBe(0);
    expect(await r.metric('hearth_relay_errors_total{kind="push-route"}')).toBe(0);
  });

  it('[PUSH-4] wakes naming handles nobody registered spend the sender’s budget like any other (probing is refused once it is spent)', async () => {
    const r = await relay(['--push-wakes-per-ip-per-minute', '10']);
    const answers: number[] = [];
    for (let i = 0; i < 15; i++)
      answers.push((await wake(r, [{ to: handle(), data: b64u(randomBytes(16)) }])).status);
    expect(answers.filter((s) => s === 202)).toHaveLength(10);
    expect(answers.filter((s) => s === 429)).toHaveLength(5);
    expect(await r.metric('hearth_relay_push_refused_total{reason="unknown-handle"}')).toBe(10);
    expect(await r.metric('hearth_relay_push_refused_total{reason="rate-limit"}')).toBe(5);
  });

  it('[PUSH-4] unregistering is limited per address like registering (429, counted), and a claim nobody holds changes nothing', async () => {
    const r = await relay();
    const sub = endpoint.subscribe();
    const h = handle();
    await register(r, sub, [h]);
    const answers: number[] = [];
    for (let i = 0; i < 40; i++)
      answers.push((await r.post('/push/unregister', { claim: claim() })).status);
    expect(answers.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(await r.metric('hearth_relay_push_refused_total{reason="registrations"}')).toBe(
      answers.filter((s) => s === 429).length
    );
    expect(await r.metric('hearth_relay_push_subscriptions')).toBe(1);
  });

  it('[PUSH-7] registrations from many addresses cannot grow the store without end: past pushMaxHandles a handle is not kept (counted store-full), and a handle let go makes room again', async () => {
    const r = await relay(['--push-max-handles', '10']);
    const aSub = endpoint.subscribe();
    const aHandles = Array.from({ length: 8 }, handle);
    const a = await register(r, aSub, aHandles);
    expect(JSON.parse(a.body)).toMatchObject({ registered: 8 });
    const b = await register(r, endpoint.subscribe(), Array.from({ length: 5 }, handle));
    expect(JSON.parse(b.body)).toMatchObject({ registered: 2 });
    expect(await r.metric('hearth_relay_push_refused_total{reason="store-full"}')).toBe(3);
    // Registering one's own handles again takes no more room.
    expect(JSON.parse((await register(r, aSub, aHandles, a.claim)).body)).toMatchObject({
      registered: 8
    });
    expect(await r.metric('hearth_relay_push_refused_total{reason="store-full"}')).toBe(3);
    await r.post('/push/unregister', { claim: a.claim });
    const c = await register(r, endpoint.subscribe(), Array.from({ length: 5 }, handle));
    expect(JSON.parse(c.body)).toMatchObject({ registered: 5 });
  });

  it('[PUSH-4] one IPv6 /64 is one sender, and an IPv4 address seen as ::ffff:a.b.c.d is the same sender as a.b.c.d', () => {
    expect(senderKey('2001:db8:1:2:aaaa::1')).toBe(senderKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(senderKey('2001:db8:1:3::1')).not.toBe(senderKey('2001:db8:1:2::1'));
    expect(senderKey('::ffff:192.0.2.7')).toBe(senderKey('192.0.2.7'));
    expect(senderKey('192.0.2.7')).not.toBe(senderKey('192.0.2.8'));
    expect(senderKey('2001:db8::1')).toBe(senderKey('2001:0db8:0000:0000:0000:0000:0000:0002'));
  });
});

describe('relay push: device to device', () => {
  it('[PUSH-12] a check-in wake sealed by one device crosses the relay and the push service and opens on the responder’s device to the check-in screen; the relay’s files and the push on the wire hold no trace of the group or the kind', async () => {
    const r = await relay();
    endpoint.vapidKey = (await r.key()).publicKey;
    // The responder's device: its X25519 key, its push secret, its handle for this group.
    const group = '2ZsqYXmjAAnxbaXhFcMLgWjT3DPy';
    const responderSecret = new Uint8Array(randomBytes(32));
    const responderX25519 = x25519PublicKey(responderSecret);
    const h = pushHandle(new Uint8Array(randomBytes(32)), new TextEncoder().encode(group), 3);
    const sub = endpoint.subscribe();
    expect((await register(r, sub, [b64u(h)])).status).toBe(200);
    // The asking device seals a check-in request to the responder and names the handle.
    const message = {
      kind: 'checkin' as const,
      group,
      path: `/group#${group}/care`,
      at: 1_765_000_000
    };
    const sealed = sealWake({
      message,
      recipientX25519: responderX25519,
      handle: h,
      ephemeralSecret: new Uint8Array(randomBytes(32))
    });
    expect((await wake(r, [{ to: b64u(h), data: b64u(sealed) }])).status).toBe(202);
    await expect.poll(() => endpoint.for(sub).length).toBe(1);
    const got = endpoint.for(sub)[0]!;
    expect(got.vapid.ok).toBe(true);
    const split = splitPush(new Uint8Array(got.payload!));
    expect(split && openWake({ ...split, recipientSecret: responderSecret })).toEqual(message);
    await r.close();
    const kept = readFileSync(join(r.dir, 'push', 'store.json'), 'utf8');
    expect(kept).toContain(b64u(h));
    for (const secretWord of [group, 'checkin', b64u(sealed)])
      expect(kept).not.toContain(secretWord);
    endpoint.vapidKey = undefined;
  });
});
