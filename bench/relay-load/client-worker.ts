// One load worker: `clients` automerge-repo clients over WebSocket, in documents of `perDoc`
// members. Every client writes a signed entry (Ed25519, as Hearth's ledger entries are) every
// `intervalMs`; every other member of the document records how long it took to arrive.
import { Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { decodeEntry, sealEntry } from '../../src/lib/core/ledger/envelope';
import { newLedgerDoc, putEntry, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { deviceKeys } from '../../src/lib/core/group/session';
import { randomBytes } from 'node:crypto';

interface Job {
  url: string;
  clients: number;
  perDoc: number;
  intervalMs: number;
  durationMs: number;
}

const job = await new Promise<Job>((resolve) => process.once('message', (m) => resolve(m as Job)));
const latencies: number[] = [];
const repos: Repo[] = [];
const connect = async (name: string) => {
  const repo = new Repo({
    network: [new WebSocketClientAdapter(job.url, 1000)],
    peerId: `${name}-${randomBytes(6).toString('hex')}` as PeerId,
    sharePolicy: () => Promise.resolve(true)
  });
  await new Promise((r) => repo.networkSubsystem.once('peer', r));
  repos.push(repo);
  return repo;
};

const groups: DocHandle<LedgerDoc>[][] = [];
for (let made = 0; made < job.clients; made += job.perDoc) {
  const groupId = randomBytes(32);
  const first = await connect('w');
  const doc = first.create<LedgerDoc>(newLedgerDoc(groupId));
  const members = [doc];
  for (let i = 1; i < Math.min(job.perDoc, job.clients - made); i++) {
    const repo = await connect('w');
    let h: DocHandle<LedgerDoc> | undefined;
    while (!h) h = await repo.find<LedgerDoc>(doc.documentId).catch(() => undefined);
    members.push(h);
  }
  groups.push(members);
}
process.send?.({ ready: true });
await new Promise((r) => process.once('message', r)); // go

/** Entries each member has already seen (its own included). */
const seen = new Map<DocHandle<LedgerDoc>, Set<string>>();
const keys = new Map<DocHandle<LedgerDoc>, ReturnType<typeof deviceKeys>>();
const seq = new Map<DocHandle<LedgerDoc>, number>();
for (const members of groups)
  for (const h of members) {
    keys.set(h, deviceKeys(randomBytes(32)));
    const mine = new Set<string>();
    seen.set(h, mine);
    h.on('change', ({ doc, patches }) => {
      const now = Date.now();
      for (const p of patches) {
        const id = p.path[1];
        if (p.path[0] !== 'entries' || typeof id !== 'string' || p.path.length !== 2) continue;
        if (mine.has(id)) continue;
        mine.add(id);
        const bytes = doc.entries[id];
        if (bytes) latencies.push(now - readTime(bytes));
      }
    });
  }
const end = Date.now() + job.durationMs;
const writers = groups.flat().map(async (h, i) => {
  await new Promise((r) => setTimeout(r, (i * 37) % job.intervalMs));
  while (Date.now() < end) {
    const k = keys.get(h)!;
    const n = (seq.get(h) ?? 0) + 1;
    seq.set(h, n);
    const entry = sealEntry(k.secret, randomBytes(32), {
      author: k.publicKey,
      seq: n,
      backlink: n === 1 ? null : '00'.repeat(32),
      prev: [],
      kind: 99,
      payload: new Map(),
      time: Date.now()
    });
    // The writer sees its own entry at once: mark it seen so only other members record it.
    seen.get(h)!.add(entry.id);
    h.change((d) => void putEntry(d, entry.bytes));
    await new Promise((r) => setTimeout(r, job.intervalMs));
  }
});
await Promise.all(writers);
await new Promise((r) => setTimeout(r, 3000)); // let the last entries arrive
process.send?.({ latencies });
for (const r of repos) await r.shutdown().catch(() => undefined);
process.exit(0);

/** The entry's `time` field (milliseconds here: a load test, not a ledger), read through the core. */
function readTime(bytes: Uint8Array): number {
  const d = decodeEntry(bytes);
  return d.ok ? d.entry.time : Date.now();
}
