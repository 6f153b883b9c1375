// Relay resident memory with 5,000 documents touched [OPS-8]: a relay process without eviction
// and one with idle eviction (2 s), each fed the same 5,000 small group-shaped documents by Node
// clients; RSS is read from /proc once every document is acknowledged, and again after the idle
// time has passed.
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLedgerDoc, putEntry, type LedgerDoc } from '../src/lib/core/ledger/doc';
import { residentBytes } from '../tests/kit/proc';
import { fullyAcknowledged, relayMetric, spawnRelay } from '../tests/kit/relay-kit';
import { report } from './lib';

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

async function touch(evictMs: number, rounds = 1) {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-mem-'));
  const relay = await spawnRelay(dir, [
    '--evict-idle-ms',
    String(evictMs),
    '--max-documents-per-connection',
    '100000',
    '--messages-per-second',
    '100000',
    // Ten clients busy making thousands of documents can miss a keepalive and reconnect.
    '--max-connections-per-ip',
    '100000'
  ]);
  const pid = relay.child.pid!;
  const idle = rssMiB(pid);
  const clients = Array.from(
    { length: 10 },
    (_, i) =>
      new Repo({
        network: [new WebSocketClientAdapter(relay.url, 1000)],
        peerId: `mem-${i}-${randomBytes(4).toString('hex')}` as PeerId,
        sharePolicy: () => Promise.resolve(true)
      })
  );
  await Promise.all(clients.map((c) => new Promise((r) => c.networkSubsystem.once('peer', r))));
  const perRound: { touched: number; after: number; acknowledged: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const handles = [];
    for (let i = 0; i < DOCS; i++) {
      const c = clients[i % clients.length]!;
      const h = c.create<LedgerDoc>(newLedgerDoc(randomBytes(32)));
      h.change((d) => void putEntry(d, randomBytes(300)));
      handles.push({ c, h });
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50));
    }
    // Wait until the relay holds every document and acknowledgements stop coming. (Waiting for all
    // of them is not possible: with thousands of documents per client, automerge-repo's own client
    // sometimes never records the server's last heads for a few dozen, against a plain
    // automerge-repo server too, although the server has the change — measured while writing this.)
    let acknowledged = 0;
    for (let still = 0; still < 10 && acknowledged < DOCS;) {
      await new Promise((r) => setTimeout(r, 500));
      const now = handles.filter(({ c, h }) => fullyAcknowledged(c, h)).length;
      const held = await relayMetric(relay.base, 'hearth_relay_documents_in_memory');
      // (In a later round with eviction, earlier rounds' documents are leaving as these arrive.)
      still = now === acknowledged && (held >= DOCS || round > 0) ? still + 1 : 0;
      acknowledged = now;
    }
    const touched = rssMiB(pid);
    await new Promise((r) => setTimeout(r, Math.max(3000, evictMs * 2)));
    perRound.push({ touched, after: rssMiB(pid), acknowledged });
  }
  const { touched, after, acknowledged } = perRound[0]!;
  const second = perRound[1];
  const inMemory = await relayMetric(relay.base, 'hearth_relay_documents_in_memory');
  // Where the memory is: the JavaScript heap, and "external" (WebAssembly memory — Automerge —
  // and buffers), which never shrinks once grown.
  const heap =
    (await relayMetric(relay.base, 'hearth_relay_nodejs_heap_size_used_bytes')) / 2 ** 20;
  const external =
    (await relayMetric(relay.base, 'hearth_relay_nodejs_external_memory_bytes')) / 2 ** 20;
  for (const c of clients) await c.shutdown().catch(() => undefined);
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
  return { idle, touched, after, inMemory, acknowledged, heap, external, second };
}

const kept = await touch(0);
// Reported at once: the second part takes minutes.
report('relay rss, idle', kept.idle, 'MiB');
report(`relay rss, ${DOCS} documents touched, no eviction`, kept.touched, 'MiB');
report(`relay documents in memory, ${DOCS} touched, no eviction`, kept.inMemory, 'documents');
report(`relay-memory: documents acknowledged to their clients`, kept.acknowledged, 'documents');
// Two rounds: a long-lived relay's memory should be bounded by what it holds at once, not by
// every document it has ever served.
const evicted = await touch(2000, 2);
report(`relay rss, ${DOCS} documents touched, evicted after 2 s idle`, evicted.after, 'MiB', 512);
report(
  `relay rss, ${DOCS} more new documents after those were evicted (${2 * DOCS} in all)`,
  evicted.second?.after ?? NaN,
  'MiB',
  512
);
report(`relay heap used, ${DOCS} touched, no eviction`, kept.heap, 'MiB');
report(`relay heap used, ${2 * DOCS} touched in two rounds, after eviction`, evicted.heap, 'MiB');
report(`relay external (wasm) memory, ${DOCS} touched, no eviction`, kept.external, 'MiB');
report(
  `relay external (wasm) memory, ${2 * DOCS} touched in two rounds, after eviction`,
  evicted.external,
  'MiB'
);
report(
  `relay documents in memory, ${DOCS} touched, after eviction`,
  evicted.inMemory,
  'documents',
  0
);
