// Web Push figures (issue 22): a check-in request sealed on one device → the push arriving at the
// (local) push service, median and p99; bytes per push on the wire; pushes per second one relay
// core sends. The push service runs in a child process (bench/push-endpoint-child.ts) and checks
// VAPID and decrypts every message; every figure comes with the counts that back it.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../sync-server/src/config';
import { createServer } from '../sync-server/src/server';
import { x25519PublicKey } from '../src/lib/core/crypto/box';
import { openWake, pushHandle, sealWake, splitPush } from '../src/lib/core/notify/wake';
import { median, report } from './lib';

const LATENCY_RUNS = Number(process.env.PUSH_BENCH_LATENCY ?? 200);
const THROUGHPUT = Number(process.env.PUSH_BENCH_PUSHES ?? 2000);
/** Registration allows 30 a minute per address: 16 responders' devices. */
const SUBSCRIBERS = 16;

interface Got {
  at: number;
  bytes: number;
  headerBytes: number;
  vapid: boolean;
  payload: string | null;
}
const child = fork(new URL('./push-endpoint-child.ts', import.meta.url).pathname, [], {
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc']
});
const ask = <T>(m: object, type: string) =>
  new Promise<T>((resolve) => {
    const on = (r: { type: string }) => {
      if (r.type !== type) return;
      child.off('message', on);
      resolve(r as T);
    };
    child.on('message', on);
    child.send(m);
  });
const ready = await new Promise<{ certFile: string }>((resolve) =>
  child.once('message', (m) => resolve(m as { certFile: string }))
);
const agent = new Agent({ ca: readFileSync(ready.certFile, 'utf8'), keepAlive: true });

const dir = mkdtempSync(join(tmpdir(), 'hearth-push-bench-'));
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
  '--push-wakes-per-ip-per-minute',
  '1000000',
  '--push-per-handle-per-hour',
  '100000',
  '--log-level',
  'silent'
]);
const relay = createServer(config, undefined, { pushAgent: agent });
const { port } = await relay.listen();
const base = `http://127.0.0.1:${port}`;
const publicKey = ((await (await fetch(`${base}/push/key`)).json()) as { publicKey: string })
  .publicKey;
await ask({ type: 'vapid', key: publicKey }, 'ok');

const b64u = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const post = async (path: string, body: unknown) => {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  });
  await res.arrayBuffer();
  return res.status;
};

// Responders: each with an X25519 key, a handle for the group and a subscription.
const group = '2ZsqYXmjAAnxbaXhFcMLgWjT3DPy';
const { subs } = await ask<{ subs: { endpoint: string; keys: object }[] }>(
  { type: 'subscribe', n: SUBSCRIBERS },
  'subs'
);
const responders: { secret: Uint8Array; pub: Uint8Array; handle: Uint8Array }[] = [];
for (const sub of subs) {
  const secret = new Uint8Array(randomBytes(32));
  const handle = pushHandle(new Uint8Array(randomBytes(32)), new TextEncoder().encode(group), 1);
  const status = await post('/push/register', {
    subscription: sub,
    claim: b64u(randomBytes(32)),
    handles: [b64u(handle)]
  });
  if (status !== 200) throw new Error(`register answered ${status}`);
  responders.push({ secret, pub: x25519PublicKey(secret), handle });
}
const message = {
  kind: 'checkin' as const,
  group,
  path: `/group#${group}/care`,
  at: 1_765_000_000
};
const sealFor = (r: (typeof responders)[number]) =>
  sealWake({
    message,
    recipientX25519: r.pub,
    handle: r.handle,
    ephemeralSecret: new Uint8Array(randomBytes(32))
  });
const received = async () =>
  (await ask<{ received: Got[] }>({ type: 'report' }, 'report')).received;
/** Waits until `n` pushes have arrived (asking only for the count while waiting), then reads them. */
async function waitFor(n: number, ms: number): Promise<Got[]> {
  const end = Date.now() + ms;
  for (;;) {
    const { n: count } = await ask<{ n: number }>({ type: 'count' }, 'count');
    if (count >= n || Date.now() > end) return received();
    await new Promise((r) => setTimeout(r, 20));
  }
}

// 1. Latency: one check-in request at a time, to one responder.
const latencies: number[] = [];
let opened = 0;
for (let i = 0; i < LATENCY_RUNS; i++) {
  const r = responders[i % responders.length]!;
  const t0 = performance.timeOrigin + performance.now();
  const sealed = sealFor(r);
  const status = await post('/push/wake', { wakes: [{ to: b64u(r.handle), data: b64u(sealed) }] });
  if (status !== 202) throw new Error(`wake answered ${status}`);
  // Poll quickly for this one push.
  const got = await waitFor(i + 1, 10_000);
  const last = got[i];
  if (!last) break;
  latencies.push(last.at - t0);
  const split = last.payload ? splitPush(Buffer.from(last.payload, 'base64url')) : undefined;
  if (split && openWake({ ...split, recipientSecret: r.secret })) opened++;
}
latencies.sort((a, b) => a - b);
const p99 =
  latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? NaN;
const afterLatency = await received();
report('push: check-in sealed → push at the push service, median', median(latencies), 'ms', 100);
report('push: check-in sealed → push at the push service, p99', p99, 'ms', 500);
report('push: latency runs asked', LATENCY_RUNS, 'count');
report('push: latency runs arrived and opened by the responder', opened, 'count');
const one = afterLatency[0]!;
report('push: bytes per push (encrypted body, check-in wake)', one.bytes, 'bytes', 4096);
report('push: bytes per push (HTTP headers incl. VAPID token)', one.headerBytes, 'bytes');

// 2. Throughput: wakes in requests of 64, as fast as the relay takes them; relay process CPU.
const start = afterLatency.length;
// Sealed before the clock starts: the relay's CPU is what is measured, not the senders'.
const requests: { to: string; data: string }[][] = [];
for (let asked = 0; asked < THROUGHPUT;) {
  const wakes = [];
  for (let j = 0; j < 64 && asked < THROUGHPUT; j++, asked++) {
    const r = responders[asked % responders.length]!;
    wakes.push({ to: b64u(r.handle), data: b64u(sealFor(r)) });
  }
  requests.push(wakes);
}
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (const wakes of requests) {
  const status = await post('/push/wake', { wakes });
  if (status !== 202) throw new Error(`wake answered ${status}`);
}
const all = await waitFor(start + THROUGHPUT, 120_000);
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const batch = all.slice(start);
const vapidOk = batch.filter((g) => g.vapid).length;
const decrypted = batch.filter((g) => g.payload !== null).length;
report(
  'push: pushes per second one relay core sends (pushes / relay process CPU seconds)',
  batch.length / cpuSeconds,
  'pushes/s',
  200
);
report(
  'push: pushes per second, wall clock (relay and push service share 2 cores)',
  batch.length / seconds,
  'pushes/s'
);
report('push: throughput pushes asked', THROUGHPUT, 'count');
report('push: throughput pushes arrived', batch.length, 'count');
report('push: throughput pushes with a valid VAPID token', vapidOk, 'count');
report('push: throughput pushes that decrypted', decrypted, 'count');
report('push: relay process CPU seconds for the throughput run', cpuSeconds, 's');

await relay.close();
agent.destroy();
child.send({ type: 'stop' });
await new Promise((resolve) => child.once('exit', resolve));
rmSync(dir, { recursive: true, force: true });
