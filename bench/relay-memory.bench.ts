// Relay resident memory as documents are touched [OPS-8]: a relay without eviction fed DOCS
// documents at once, and a relay with idle eviction (2 s) fed new documents round after round, up
// to 10,000 and 50,000 in all. Each round's documents come from ten fresh Node clients that leave
// once the relay has acknowledged them (phones come and go); RSS is read from /proc after each
// round's idle time. A round counts only if the relay acknowledged at least 99% of its documents
// (the counts are printed): a relay that refuses documents would otherwise look lean.
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLedgerDoc, putEntry, type LedgerDoc } from '../src/lib/core/ledger/doc';
import { residentBytes } from '../tests/kit/proc';
import { fullyAcknowledged, relayMetric, spawnRelay } from '../tests/kit/relay-kit';
import { ONE_ADDRESS_FLAGS, report } from './lib';

const DOCS = Number(process.env.RELAY_MEMORY_DOCS ?? 5000);
// automerge-repo's Node WebSocket client rethrows any connection error but ECONNREFUSED from its
// reconnect, so a connect that times out on this busy shared machine killed the whole bench once.
// Such a client just tries again a second later; anything else still ends the run.
// (It also throws when a client shuts down while a reconnect is under way.)
process.on('uncaughtException', (e: NodeJS.ErrnoException) => {
  if (
    e.code === 'ETIMEDOUT' ||
    e.code === 'ECONNRESET' ||
    /closed before the connection was established/.test(e.message)
  ) {
    console.error(`bench client: ${e.code ?? e.message}, going on`);
    return;
  }
  throw e;
});
const rssMiB = (pid: number) => residentBytes(pid) / 2 ** 20;
/** Documents per round in the rounds part. */
const ROUND = Number(process.env.RELAY_MEMORY_ROUND ?? 2000);
/** Totals at which the rounds part reports (the last is where it stops). */
const TOTALS = (process.env.RELAY_MEMORY_TOTALS ?? '10000,50000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0)
  .sort((a, b) => a - b);

async function memoryRelay(evictMs: number) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-mem-'));
  const relay = await spawnRelay(dir, [
    '--evict-idle-ms',
    String(evictMs),
    '--messages-per-second',
    '100000',
    ...ONE_ADDRESS_FLAGS
  ]);
  return { relay, dir, pid: relay.child.pid! };
}

async function connectClients(url: string) {
  const clients = Array.from(
    { length: 10 },
    (_, i) =>
      new Repo({
        network: [new WebSocketClientAdapter(url, 1000)],
        peerId: `mem-${i}-${randomBytes(4).toString('hex')}` as PeerId,
        sharePolicy: () => Promise.resolve(true)
      })
  );
  await Promise.all(clients.map((c) => new Promise((r) => c.networkSubsystem.once('peer', r))));
  return clients;
}

/**
 * Makes `count` new documents through `clients` and waits until the relay holds them and
 * acknowledgements stop coming. (Waiting for all of them is not possible: with thousands of
 * documents per client, automerge-repo's own client sometimes never records the server's last
 * heads for a few dozen, against a plain automerge-repo server too, although the server has the
 * change.) Returns how many were acknowledged.
 */
async function feed(clients: Repo[], base: string, count: number, evicting: boolean) {
  const handles = [];
  for (let i = 0; i < count; i++) {
    const c = clients[i % clients.length]!;
    const h = c.create<LedgerDoc>(newLedgerDoc(randomBytes(32)));
    h.change((d) => void putEntry(d, randomBytes(300)));
    handles.push({ c, h });
    if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50));
  }
  let acknowledged = 0;
  for (let still = 0; still < 10 && acknowledged < count;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = handles.filter(({ c, h }) => fullyAcknowledged(c, h)).length;
    const held = await relayMetric(base, 'hearth_relay_documents_in_memory');
    // (With eviction, earlier documents are leaving as these arrive.)
    still = now === acknowledged && (held >= count || evicting) ? still + 1 : 0;
    acknowledged = now;
  }
  return acknowledged;
}

async function memory(base: string) {
  // Where the memory is: the JavaScript heap, and "external" (WebAssembly memory — Automerge —
  // and buffers), which never shrinks once grown.
  return {
    heap: (await relayMetric(base, 'hearth_relay_nodejs_heap_size_used_bytes')) / 2 ** 20,
    external: (await relayMetric(base, 'hearth_relay_nodejs_external_memory_bytes')) / 2 ** 20,
    inMemory: await relayMetric(base, 'hearth_relay_documents_in_memory')
  };
}

// No eviction: every document stays in memory.
{
  const { relay, dir, pid } = await memoryRelay(0);
  const idle = rssMiB(pid);
  const clients = await connectClients(relay.url);
  const acknowledged = await feed(clients, relay.base, DOCS, false);
  const touched = rssMiB(pid);
  const m = await memory(relay.base);
  for (const c of clients) await c.shutdown().catch(() => undefined);
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
  report('relay rss, idle', idle, 'MiB');
  report(`relay rss, ${DOCS} documents touched, no eviction`, touched, 'MiB', undefined, {
    acknowledged
  });
  report(`relay documents in memory, ${DOCS} touched, no eviction`, m.inMemory, 'documents');
  report(`relay heap used, ${DOCS} touched, no eviction`, m.heap, 'MiB');
  report(`relay external (wasm) memory, ${DOCS} touched, no eviction`, m.external, 'MiB');
}

// Idle eviction after 2 s, round after round: a long-lived relay's memory should be bounded by
// what it holds at once, not by every document it has ever served.
{
  const { relay, dir, pid } = await memoryRelay(2000);
  let total = 0;
  let acknowledged = 0;
  let peak = 0;
  for (const goal of TOTALS) {
    while (total < goal) {
      const count = Math.min(ROUND, goal - total);
      const clients = await connectClients(relay.url);
      const got = await feed(clients, relay.base, count, true);
      for (const c of clients) await c.shutdown().catch(() => undefined);
      if (got < 0.99 * count)
        throw new Error(`relay-memory: only ${got} of ${count} documents acknowledged in a round`);
      total += count;
      acknowledged += got;
      peak = Math.max(peak, rssMiB(pid));
      await new Promise((r) => setTimeout(r, 4000));
    }
    const m = await memory(relay.base);
    const counts = { touched: total, acknowledged, inMemory: m.inMemory };
    // Read once, for both figures: the peak includes the reading it is reported beside.
    const rss = rssMiB(pid);
    peak = Math.max(peak, rss);
    report(
      `relay rss, ${total} documents touched in rounds of ${ROUND}, evicted after 2 s idle`,
      rss,
      'MiB',
      512,
      counts
    );
    report(
      `relay rss peak, read after each round, ${total} touched`,
      peak,
      'MiB',
      undefined,
      counts
    );
    report(`relay heap used, ${total} touched in rounds, after eviction`, m.heap, 'MiB');
    report(`relay external (wasm) memory, ${total} touched in rounds`, m.external, 'MiB');
    report(`relay documents in memory, ${total} touched, after eviction`, m.inMemory, 'documents');
  }
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
