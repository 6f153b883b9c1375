// bench/relay-load: N Node clients (automerge-repo over WebSocket, in documents of 10 members)
// writing signed entries, against Hearth's relay and, in the same run, against a plain
// automerge-repo sync server (bench/relay-load/plain-server.ts). Prints change-propagation
// latency p50/p99, relay CPU and resident memory per level, and the Hearth/plain p99 ratio.
// Levels: RELAY_LOAD_LEVELS (default 10,30,100,500,2000). Clients run in worker processes on the same
// 2-core machine as the relay, so they compete with it for CPU: read the ratio, not the absolutes.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, freePort, residentBytes } from '../tests/kit/proc';
import { spawnRelay } from '../tests/kit/relay-kit';
import { report } from './lib';

const LEVELS = (process.env.RELAY_LOAD_LEVELS ?? '10,30,100,500,2000').split(',').map(Number);
/** The bar: the most clients each server holds with change propagation p99 ≤ 300 ms. */
const P99_GOAL_MS = 300;
const held = { hearth: 0, plain: 0 };
const WORKERS = 4;
const PER_DOC = 10;
const INTERVAL_MS = 5_000;
const DURATION_MS = Number(process.env.RELAY_LOAD_SECONDS ?? 20) * 1000;

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function startPlain(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/relay-load/plain-server.ts', String(port), dir],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  );
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => d.toString().includes('listening') && resolve())
  );
  return { url: `ws://127.0.0.1:${port}`, child };
}

/** Cumulative counts of the relay's ack-wait histogram, by upper bound in seconds. */
async function ackBuckets(base: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^hearth_relay_ack_wait_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm))
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  return out;
}

/** The bucket bound (ms) under which a share `q` of the waits between two scrapes fell. */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, q: number) {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  for (const b of bounds)
    if ((after.get(b) ?? 0) - (before.get(b) ?? 0) >= q * total) return b * 1000;
  return NaN;
}

async function run(url: string, pid: number, clients: number, metricsBase?: string) {
  const per = Math.ceil(clients / WORKERS / PER_DOC) * PER_DOC;
  const workers: ChildProcess[] = [];
  for (let made = 0; made < clients; made += per) {
    const w = fork('bench/relay-load/client-worker.ts', [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc']
    });
    w.send({
      url,
      clients: Math.min(per, clients - made),
      perDoc: PER_DOC,
      intervalMs: INTERVAL_MS,
      durationMs: DURATION_MS
    });
    workers.push(w);
  }
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  // Joining leaves a server writing new documents for a few seconds after the clients are ready.
  await new Promise((r) => setTimeout(r, 5000));
  const cpu0 = cpuSeconds(pid);
  const t0 = Date.now();
  let rssPeak = residentBytes(pid) / 2 ** 20;
  const sampler = setInterval(
    () => (rssPeak = Math.max(rssPeak, residentBytes(pid) / 2 ** 20)),
    500
  );
  const results = workers.map(
    (w) =>
      new Promise<number[]>((r) =>
        w.once('message', (m) => r((m as { latencies: number[] }).latencies))
      )
  );
  // The relay's own figure, free of the clients' share of the CPU: how long its sync messages
  // waited for the state they tell of to be stored, while the clients wrote (not while they joined).
  const acks0 = metricsBase ? await ackBuckets(metricsBase) : undefined;
  for (const w of workers) w.send('go');
  const latencies = (await Promise.all(results)).flat();
  const acks1 = metricsBase ? await ackBuckets(metricsBase) : undefined;
  const ack =
    acks0 && acks1
      ? { p50: bucketQuantile(acks0, acks1, 0.5), p99: bucketQuantile(acks0, acks1, 0.99) }
      : undefined;
  clearInterval(sampler);
  const cpu = (cpuSeconds(pid) - cpu0) / ((Date.now() - t0) / 1000);
  await Promise.all(
    workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(0) : w.once('exit', r))))
  );
  return {
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    n: latencies.length,
    cpu,
    rssPeak,
    ack
  };
}

for (const clients of LEVELS) {
  const dirs = [
    mkdtempSync(join(tmpdir(), 'load-hearth-')),
    mkdtempSync(join(tmpdir(), 'load-plain-'))
  ];
  const hearth = await spawnRelay(dirs[0]!, [
    '--max-connections-per-ip',
    '100000',
    '--max-documents-per-connection',
    '100000'
  ]);
  const h = await run(hearth.url, hearth.child.pid!, clients, hearth.base);
  await hearth.stop();
  const plain = await startPlain(dirs[1]!);
  const p = await run(plain.url, plain.child.pid!, clients);
  plain.child.kill('SIGTERM');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  report(`relay-load ${clients} clients: hearth p50`, h.p50, 'ms');
  report(`relay-load ${clients} clients: hearth p99`, h.p99, 'ms', P99_GOAL_MS);
  // Bucket bounds: "at most this long".
  report(`relay-load ${clients} clients: hearth ack wait p50 (bucket)`, h.ack?.p50 ?? NaN, 'ms');
  report(`relay-load ${clients} clients: hearth ack wait p99 (bucket)`, h.ack?.p99 ?? NaN, 'ms');
  report(`relay-load ${clients} clients: plain p50`, p.p50, 'ms');
  report(`relay-load ${clients} clients: plain p99`, p.p99, 'ms');
  report(`relay-load ${clients} clients: hearth/plain p99 ratio`, h.p99 / p.p99, 'x', 1);
  report(`relay-load ${clients} clients: deliveries measured (hearth)`, h.n, 'count');
  report(`relay-load ${clients} clients: deliveries measured (plain)`, p.n, 'count');
  report(`relay-load ${clients} clients: hearth relay cpu`, h.cpu * 100, '% of a core');
  report(`relay-load ${clients} clients: plain server cpu`, p.cpu * 100, '% of a core');
  report(`relay-load ${clients} clients: hearth relay rss peak`, h.rssPeak, 'MiB');
  report(`relay-load ${clients} clients: plain server rss peak`, p.rssPeak, 'MiB');
  if (h.p99 <= P99_GOAL_MS) held.hearth = Math.max(held.hearth, clients);
  if (p.p99 <= P99_GOAL_MS) held.plain = Math.max(held.plain, clients);
}
// Of the levels run (a level counts only if every delivery it measured met the bar at p99).
report(`relay-load: most clients at p99 ≤ ${P99_GOAL_MS} ms, plain server`, held.plain, 'clients');
report(
  `relay-load: most clients at p99 ≤ ${P99_GOAL_MS} ms, hearth relay`,
  held.hearth,
  'clients',
  held.plain
);
