import type { DocumentId } from '@automerge/automerge-repo';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Relay } from '../../sync-server/src/server';
import { PostgresStorageAdapter } from '../../sync-server/src/storage/postgres-storage';
import { freshDatabase } from '../kit/postgres';
import { eventually, fullyAcknowledged, metric, RelayKit } from '../kit/relay-kit';

interface Doc {
  notes: string[];
}

const kit = new RelayKit();
afterEach(() => kit.cleanup());

async function relayHas(relay: Relay, id: DocumentId, n: number) {
  await eventually(() => {
    const h = relay.repo.handles[id];
    return !!h && h.isReady() && (h.doc() as Doc).notes.length === n;
  });
}

describe('relay storage on PostgreSQL, scale-out, idle eviction', () => {
  it('[STO-8] with DATABASE_URL documents live in PostgreSQL and survive a restart', async () => {
    const db = await freshDatabase(inject('postgresUrl'));
    const first = await kit.start({ flags: ['--database-url', db] });
    const a = await kit.peer(first.url, 'a');
    const handle = a.create<Doc>({ notes: ['kept in postgres'] });
    await relayHas(first.relay, handle.documentId, 1);
    await first.relay.close();
    // The list federation walks: documents only, not the adapter's own bookkeeping keys.
    const direct = new PostgresStorageAdapter(db);
    expect(await direct.documentIds()).toEqual([handle.documentId]);
    await direct.close();
    // A new relay on the same database and an empty data dir: the document comes from PostgreSQL.
    const second = await kit.start({ flags: ['--database-url', db] });
    const b = await kit.peer(second.url, 'b');
    const found = await b.find<Doc>(handle.documentId);
    expect(found.doc().notes).toEqual(['kept in postgres']);
  });

  it('[STO-8] a database that cannot be reached stops the relay at start with the reason', async () => {
    await expect(
      kit.process({ flags: ['--database-url', 'postgres://nobody@127.0.0.1:1/none'] })
    ).rejects.toThrow(/exited \(1\)[\s\S]*ECONNREFUSED/);
  });

  it('[OPS-9] two relay processes sharing one database: a client on each sees the other’s changes', async () => {
    const db = await freshDatabase(inject('postgresUrl'));
    const one = await kit.process({ flags: ['--database-url', db] });
    const two = await kit.process({ flags: ['--database-url', db] });
    const a = await kit.peer(one.url, 'a');
    const b = await kit.peer(two.url, 'b');
    const mine = a.create<Doc>({ notes: ['a1'] });
    // Once relay one has acknowledged it, it is in the database: relay two loads it from there.
    await eventually(() => fullyAcknowledged(a, mine), 15_000);
    const theirs = await b.find<Doc>(mine.documentId);
    expect(theirs.doc().notes).toEqual(['a1']);
    // Both relays now hold the document in memory; each change crosses over by NOTIFY + reload.
    theirs.change((d) => void d.notes.push('b1'));
    await eventually(() => mine.doc().notes.includes('b1'), 15_000);
    mine.change((d) => void d.notes.push('a2'));
    await eventually(() => theirs.doc().notes.includes('a2'), 15_000);
    expect([...theirs.doc().notes].sort()).toEqual(['a1', 'a2', 'b1']);
  });

  it('[OPS-8] idle documents are written out and dropped from memory, and come back on the next message', async () => {
    const { relay, url, base } = await kit.start({ flags: ['--evict-idle-ms', '0'] });
    const a = await kit.peer(url, 'a');
    const b = await kit.peer(url, 'b');
    const handles = Array.from({ length: 20 }, (_, i) => a.create<Doc>({ notes: [`n${i}`] }));
    for (const h of handles) await relayHas(relay, h.documentId, 1);
    // b follows one of them before it is evicted.
    const followed = await b.find<Doc>(handles[0]!.documentId);
    expect(Object.keys(relay.repo.handles)).toHaveLength(20);
    // evictIdleMs 0 turns the timer off; sweeps by hand drop whatever is idle.
    // A late message (b's last acknowledgement) can bring a document back a moment after a sweep:
    // sweep until none has come back for 400 ms, so the gauge read next is not racing it (a full
    // run once read 1 in memory here).
    let evicted = 0;
    const inMemory = () => Object.keys(relay.repo.handles).length;
    for (let i = 0; i < 20; i++) {
      evicted += await relay.evictIdle();
      await new Promise((r) => setTimeout(r, 400));
      if (inMemory() === 0) break;
    }
    // At least all 20 (one may come back for b's last acknowledgement and go again).
    expect(evicted).toBeGreaterThanOrEqual(20);
    expect(Object.keys(relay.repo.handles)).toHaveLength(0);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_documents_evicted_total')).toBe(evicted);
    expect(metric(text, 'hearth_relay_documents_in_memory')).toBe(0);
    // A change after eviction: the relay loads the document again and b still hears of it.
    handles[0]!.change((d) => void d.notes.push('after eviction'));
    await eventually(() => followed.doc().notes.includes('after eviction'));
    expect(Object.keys(relay.repo.handles)).toEqual([handles[0]!.documentId]);
  });
});
