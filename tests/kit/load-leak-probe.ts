// Run with `node --expose-gc --import tsx`: loads N documents from storage into a Repo, drops them
// from its memory, collects garbage and prints how many loaded documents are still reachable.
// FIX=signal applies the relay's releaseLoadRaces first; FIX=1 also quietForeverPromise. It also
// counts the abort signals of the loads still reachable (each load's race holds its own).
//
// DocHandle's state machine keeps a 120 s timer (xstate's waitFor) that holds a handle for two
// minutes after it is ready; timers that long are shortened to 300 ms here so that the probe
// sees what stays reachable after them, not the timers themselves.
import { Repo, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quietForeverPromise, releaseLoadRaces } from '../../sync-server/src/load-races';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';

// Replaced before any Repo exists (imports only define things; timers start in the code below).
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
globalThis.setTimeout = ((fn: () => void, ms?: number, ...rest: unknown[]) =>
  realSetTimeout(fn, ms !== undefined && ms >= 100_000 ? 300 : ms, ...rest)) as typeof setTimeout;

// Every AbortSignal made from here on, weakly (releaseLoadRaces makes one per load).
const signals: WeakRef<object>[] = [];
const RealController = globalThis.AbortController;
globalThis.AbortController = class extends RealController {
  constructor() {
    super();
    signals.push(new WeakRef(this.signal));
  }
};

const N = 30;
const dir = mkdtempSync(join(tmpdir(), 'hearth-load-leak-'));
async function prepare(): Promise<DocumentId[]> {
  const r = new Repo({ storage: new FileStorageAdapter(dir), peerId: 'writer' as PeerId });
  const ids: DocumentId[] = [];
  for (let i = 0; i < N; i++) ids.push(r.create({ n: i, pad: 'x'.repeat(1000) }).documentId);
  await r.flush();
  await r.shutdown();
  return ids;
}
async function loadAndDrop(repo: Repo, ids: DocumentId[]) {
  const docs: WeakRef<object>[] = [];
  const handles: WeakRef<object>[] = [];
  for (const id of ids) {
    const h = await repo.find(id);
    docs.push(new WeakRef(h.doc()));
    handles.push(new WeakRef(h));
    await repo.removeFromCache(id);
  }
  return { docs, handles };
}
const ids = await prepare();
const repo = new Repo({ storage: new FileStorageAdapter(dir), peerId: 'reader' as PeerId });
if (process.env.FIX) releaseLoadRaces(repo);
if (process.env.FIX === '1') quietForeverPromise();
const { docs, handles } = await loadAndDrop(repo, ids);
await new Promise((r) => realSetTimeout(r, 1500));
const gc = (globalThis as { gc?: () => void }).gc!;
gc();
await new Promise((r) => realSetTimeout(r, 50));
gc();
rmSync(dir, { recursive: true, force: true });
const alive = (refs: WeakRef<object>[]) => refs.filter((r) => r.deref() !== undefined).length;
console.log(
  JSON.stringify({ alive: alive(docs), handles: alive(handles), signals: alive(signals), of: N })
);
process.exit(0);
