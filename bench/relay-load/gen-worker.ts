// One process of bench/relay-load's load generator [issue: an honest load bench].
//
// Many clients on raw WebSockets, speaking automerge-repo's wire protocol (join, then sync
// messages) with nothing of automerge-repo around them: each client holds its own copy of its
// document and its own sync state, and runs Automerge's sync protocol directly. That is all a
// client must do for the server; what the old generator also ran (a whole Repo per client:
// handles, state machines, throttles, a network subsystem) made the generator the bottleneck on
// this two-core machine.
//
// Documents have `perDoc` members. Each member writes one entry every `intervalMs` (an
// entry-sized value: 8 bytes of send time and padding, as a signed ledger entry is about 250
// bytes); every other member of the document records, from the sync messages it receives, when
// each entry arrives. A write's change hash identifies it, so a delivery is counted once per
// receiver, and only for writes made in the measured window.
import * as A from '@automerge/automerge';
import { decode, encode } from 'cbor-x';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

interface Job {
  /** Servers: a document's member i connects to `urls[i % urls.length]` (several relays on one
   * database: members of one document on different processes). */
  urls: string[];
  /** Documents this process holds: an id and the document's first state, saved. */
  docs: { id: string; base: Uint8Array }[];
  perDoc: number;
  intervalMs: number;
  durationMs: number;
}

type Doc = { entries: Record<string, Uint8Array> };

interface Client {
  ws: WebSocket;
  peerId: string;
  relayId?: string;
  docId: string;
  doc: A.Doc<Doc>;
  sync: A.SyncState;
  /** Change hashes of other members' writes this client has received. */
  got: Set<string>;
  n: number;
}

const job = await new Promise<Job>((resolve) => process.once('message', (m) => resolve(m as Job)));
let measuring = false;
let writes = 0;
const latencies: number[] = [];
let protocolErrors = 0;

function send(c: Client, message: Record<string, unknown>): void {
  if (c.ws.readyState === WebSocket.OPEN) c.ws.send(encode(message));
}

function syncOut(c: Client): void {
  if (!c.relayId) return;
  const [state, data] = A.generateSyncMessage(c.doc, c.sync);
  c.sync = state;
  if (data)
    send(c, { type: 'sync', senderId: c.peerId, targetId: c.relayId, documentId: c.docId, data });
}

function receive(c: Client, bytes: Buffer): void {
  let m: { type?: string; senderId?: string; data?: Uint8Array };
  try {
    m = decode(bytes) as typeof m;
  } catch {
    protocolErrors++;
    return;
  }
  if (m.type === 'peer') {
    c.relayId = m.senderId;
    syncOut(c);
    return;
  }
  if (m.type !== 'sync' || !(m.data instanceof Uint8Array)) return;
  const now = Date.now();
  const [doc, state] = A.receiveSyncMessage(c.doc, c.sync, m.data);
  c.doc = doc;
  c.sync = state;
  // Each entry carries the time it was written and whether it was written while measuring
  // (sync messages may carry changes packed as document chunks, so they are read from the
  // document, not decoded one by one). Writer and reader share this machine's clock.
  for (const [key, entry] of Object.entries(doc.entries ?? {})) {
    if (c.got.has(key) || key.startsWith(`${c.peerId}-`)) continue;
    c.got.add(key);
    const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
    if (entry[24] === 1) latencies.push(now - view.getFloat64(0));
  }
  syncOut(c);
}

function connect(docId: string, base: Uint8Array, url: string): Promise<Client> {
  const peerId = `load-${randomBytes(6).toString('hex')}`;
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const c: Client = {
    ws,
    peerId,
    docId,
    doc: A.load<Doc>(base, { actor: randomBytes(16).toString('hex') }),
    sync: A.initSyncState(),
    got: new Set(),
    n: 0
  };
  ws.on('error', () => protocolErrors++);
  ws.on('message', (data: Buffer) => receive(c, data));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      send(c, {
        type: 'join',
        senderId: peerId,
        peerMetadata: {},
        supportedProtocolVersions: ['1']
      });
      const wait = setInterval(() => {
        if (c.relayId) {
          clearInterval(wait);
          resolve(c);
        }
      }, 20);
    });
    ws.once('close', () => reject(new Error('closed before joining')));
  });
}

const clients: Client[] = [];
for (const { id, base } of job.docs)
  for (let i = 0; i < job.perDoc; i++)
    clients.push(await connect(id, base, job.urls[i % job.urls.length]!));
// Every member holds what the server holds before the measured window begins.
const settled = () =>
  clients.every((c) => {
    const theirs = c.sync.sharedHeads;
    const mine = A.getHeads(c.doc);
    return theirs.length === mine.length && mine.every((h) => theirs.includes(h));
  });
for (let tries = 0; tries < 600 && !settled(); tries++)
  await new Promise((r) => setTimeout(r, 100));
process.send?.({ ready: true, settled: settled() });
await new Promise((r) => process.once('message', r)); // go

const cpu0 = process.cpuUsage();
measuring = true;
const end = Date.now() + job.durationMs;
await Promise.all(
  clients.map(async (c, i) => {
    await new Promise((r) => setTimeout(r, (i * 37) % job.intervalMs));
    while (Date.now() < end) {
      const entry = new Uint8Array(250);
      new DataView(entry.buffer).setFloat64(0, Date.now());
      entry.set(randomBytes(16), 8);
      entry[24] = measuring ? 1 : 0;
      c.doc = A.change(c.doc, (d) => {
        d.entries[`${c.peerId}-${c.n++}`] = entry;
      });
      if (measuring) writes++;
      syncOut(c);
      await new Promise((r) => setTimeout(r, job.intervalMs));
    }
  })
);
measuring = false;
// A grace period for the last writes to arrive.
await new Promise((r) => setTimeout(r, 3000));
const cpu = process.cpuUsage(cpu0);
process.send?.({
  latencies,
  writes,
  expected: writes * (job.perDoc - 1),
  protocolErrors,
  cpuSeconds: (cpu.user + cpu.system) / 1e6
});
for (const c of clients) c.ws.close();
setTimeout(() => process.exit(0), 500);
