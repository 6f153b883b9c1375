// bench/relay-load: clients writing entries into shared documents (10 members each), against
// Hearth's relay and, in the same run, a plain automerge-repo sync server
// (bench/relay-load/plain-server.ts).
//
// The load generator (bench/relay-load/gen-worker.ts) runs Automerge's sync protocol on raw
// WebSockets, a few processes holding many clients each, so it leaves the server the bottleneck;
// its own CPU is printed beside the server's. For each level it prints the deliveries expected
// (every write, to every other member of its document) and measured, p50/p99 of the time a write
// takes to reach another member, and CPU and resident memory of the server. A level counts as held
// only if at least 99% of the expected deliveries were measured and p99 ≤ 300 ms.
// Levels: RELAY_LOAD_LEVELS (default 100,500,1000,2000,5000); seconds per level:
// RELAY_LOAD_SECONDS (default 20); RELAY_LOAD_PIN=1 gives the server a core of its own. Then
// scale-out (below): RELAY_LOAD_SCALEOUT_LEVELS.
import * as A from '@automerge/automerge';
import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, freePort, residentBytes } from '../tests/kit/proc';
import { startPostgres } from '../tests/kit/postgres';
import { spawnRelay } from '../tests/kit/relay-kit';
import { ONE_ADDRESS_FLAGS, report } from './lib';

const LEVELS = (process.env.RELAY_LOAD_LEVELS ?? '100,500,1000,2000,5000').split(',').map(Number);
const P99_GOAL_MS = 300;
/** A level is held only if this share of the expected deliveries was measured. */
const DELIVERED_GOAL = 0.99;
const held = { hearth: 0, plain: 0 };
const WORKERS = 3;
const PER_DOC = 10;
const INTERVAL_MS = 5_000;
const DURATION_MS = Number(process.env.RELAY_LOAD_SECONDS ?? 20) * 1000;

/**
 * RELAY_LOAD_PIN=1: the server under test gets a core of its own (the last), the generator the
 * rest (`taskset`, every thread). On a shared two-core machine the generator and the server
 * otherwise take turns on the same cores, and both servers' p99 then measures that.
 */
const PIN = (() => {
  if (process.env.RELAY_LOAD_PIN !== '1') return undefined;
  const n = availableParallelism();
  if (n < 2) throw new Error('RELAY_LOAD_PIN needs at least two cores');
  return { server: String(n - 1), generator: n === 2 ? '0' : `0-${n - 2}` };
})();
function pin(pid: number, cores: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}
// This process belongs with the generator.
if (PIN) pin(process.pid, PIN.generator);

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

interface WorkerResult {
  latencies: number[];
  writes: number;
  expected: number;
  protocolErrors: number;
  cpuSeconds: number;
}

/** A level is held only if ≥ 99% of its expected deliveries were measured, at p99 ≤ 300 ms. */
const holds = (r: { expected: number; measured: number; p99: number }) =>
  r.expected > 0 && r.measured >= DELIVERED_GOAL * r.expected && r.p99 <= P99_GOAL_MS;

async function run(urls: string[], pids: number[], clients: number, perDoc = PER_DOC) {
  const docs = Array.from({ length: Math.ceil(clients / perDoc) }, (_, i) => ({
    id: parseAutomergeUrl(generateAutomergeUrl()).documentId,
    base: A.save(
      A.from<{ entries: Record<string, Uint8Array> }>(
        { entries: {} },
        { actor: (i + 1).toString(16).padStart(32, '0') }
      )
    )
  }));
  const workers: ChildProcess[] = [];
  const per = Math.ceil(docs.length / WORKERS);
  for (let i = 0; i < docs.length; i += per) {
    const w = fork('bench/relay-load/gen-worker.ts', [], {
      execArgv: ['--import', 'tsx'],
      // Structured clone, so the documents' bytes arrive as bytes (JSON would make them objects).
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc']
    });
    w.send({
      urls,
      docs: docs.slice(i, i + per),
      perDoc,
      intervalMs: INTERVAL_MS,
      durationMs: DURATION_MS
    });
    workers.push(w);
  }
  if (PIN) {
    // The servers on the last core, the generator (and this process) on the others.
    for (const pid of pids) pin(pid, PIN.server);
    for (const w of workers) pin(w.pid!, PIN.generator);
  }
  const ready = await Promise.all(
    workers.map(
      (w) => new Promise<{ settled: boolean }>((r) => w.once('message', (m) => r(m as never)))
    )
  );
  const cpuOf = () => pids.reduce((n, pid) => n + cpuSeconds(pid), 0);
  const rssOf = () => pids.reduce((n, pid) => n + residentBytes(pid), 0) / 2 ** 20;
  const cpu0 = cpuOf();
  const t0 = Date.now();
  let rssPeak = rssOf();
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssOf())), 500);
  const results = workers.map(
    (w) => new Promise<WorkerResult>((r) => w.once('message', (m) => r(m as WorkerResult)))
  );
  for (const w of workers) w.send('go');
  const done = await Promise.all(results);
  clearInterval(sampler);
  const seconds = (Date.now() - t0) / 1000;
  const cpu = (cpuOf() - cpu0) / seconds;
  await Promise.all(
    workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(0) : w.once('exit', r))))
  );
  const latencies = done.flatMap((d) => d.latencies);
  return {
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    measured: latencies.length,
    expected: done.reduce((n, d) => n + d.expected, 0),
    writes: done.reduce((n, d) => n + d.writes, 0),
    errors: done.reduce((n, d) => n + d.protocolErrors, 0),
    settled: ready.every((r) => r.settled),
    cpu,
    generatorCpu: done.reduce((n, d) => n + d.cpuSeconds, 0) / seconds,
    rssPeak
  };
}

for (const clients of LEVELS) {
  const dirs = [
    mkdtempSync(join(tmpdir(), 'load-hearth-')),
    mkdtempSync(join(tmpdir(), 'load-plain-'))
  ];
  const hearth = await spawnRelay(dirs[0]!, ONE_ADDRESS_FLAGS);
  const h = await run([hearth.url], [hearth.child.pid!], clients);
  await hearth.stop();
  const plain = await startPlain(dirs[1]!);
  const p = await run([plain.url], [plain.child.pid!], clients);
  plain.child.kill('SIGTERM');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  for (const [name, r] of [
    ['hearth', h],
    ['plain', p]
  ] as const) {
    const label = `relay-load ${clients} clients: ${name}`;
    report(`relay-load ${clients} clients: deliveries expected (${name})`, r.expected, 'count');
    report(`${label} deliveries measured`, r.measured, 'count');
    report(`${label} delivered`, (100 * r.measured) / Math.max(1, r.expected), '%', 99);
    report(`${label} p50`, r.p50, 'ms');
    report(`${label} p99`, r.p99, 'ms', P99_GOAL_MS);
    report(`${label} server cpu`, r.cpu * 100, '% of a core');
    report(`${label} server rss peak`, r.rssPeak, 'MiB');
    report(`${label} generator cpu`, r.generatorCpu * 100, '% of a core');
    if (r.errors > 0 || !r.settled)
      report(`${label} generator errors (or not settled before writing)`, r.errors, 'count', 0);
  }
  report(`relay-load ${clients} clients: hearth/plain p99 ratio`, h.p99 / p.p99, 'x', 1);
  if (holds(h)) held.hearth = Math.max(held.hearth, clients);
  if (holds(p)) held.plain = Math.max(held.plain, clients);
}
// Of the levels run: a level counts only if ≥ 99% of its expected deliveries were measured and
// their p99 was ≤ 300 ms.
report(
  `relay-load: most clients held (≥ 99% delivered, p99 ≤ ${P99_GOAL_MS} ms), plain server`,
  held.plain,
  'clients'
);
report(
  `relay-load: most clients held (≥ 99% delivered, p99 ≤ ${P99_GOAL_MS} ms), hearth relay`,
  held.hearth,
  'clients',
  Math.max(2000, held.plain)
);

// Scale-out [#26, OPS-9]: two relay processes on one PostgreSQL, each document's two members on
// different processes, so every delivery crosses from one relay to the other (through the
// database: the writer's relay stores the change, the other hears of it by NOTIFY and reloads);
// against one process on a database of its own with the same clients in the same documents of two.
// Levels: RELAY_LOAD_SCALEOUT_LEVELS (default 500,2000; empty to skip).
const SCALEOUT = (process.env.RELAY_LOAD_SCALEOUT_LEVELS ?? '500,2000')
  .split(',')
  .filter(Boolean)
  .map(Number);
if (SCALEOUT.length > 0) {
  const pg = await startPostgres();
  try {
    for (const clients of SCALEOUT) {
      for (const processes of [2, 1]) {
        const db = await pg.createDatabase(`load_${processes}_${clients}`);
        const dirs = Array.from({ length: processes }, () =>
          mkdtempSync(join(tmpdir(), 'load-scale-'))
        );
        const relays = [];
        for (const d of dirs)
          relays.push(await spawnRelay(d, [...ONE_ADDRESS_FLAGS, '--database-url', db]));
        const r = await run(
          relays.map((x) => x.url),
          relays.map((x) => x.child.pid!),
          clients,
          2
        );
        for (const x of relays) await x.stop();
        for (const d of dirs) rmSync(d, { recursive: true, force: true });
        const label = `relay-load scale-out ${clients} clients, ${
          processes === 2 ? 'two relays on one database, every delivery across' : 'one relay'
        }`;
        report(`${label}: deliveries expected`, r.expected, 'count');
        report(`${label}: deliveries measured`, r.measured, 'count');
        report(`${label}: delivered`, (100 * r.measured) / Math.max(1, r.expected), '%', 99);
        report(`${label}: p50`, r.p50, 'ms');
        report(`${label}: p99`, r.p99, 'ms', P99_GOAL_MS);
        report(`${label}: relays cpu`, r.cpu * 100, '% of a core');
        report(`${label}: relays rss peak`, r.rssPeak, 'MiB');
        report(`${label}: generator cpu`, r.generatorCpu * 100, '% of a core');
        report(`${label}: held`, holds(r) ? 1 : 0, 'yes=1');
      }
    }
  } finally {
    await pg.stop();
  }
}
