import * as A from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import { Flusher, StaleWrite, syncMessageHeads } from '../../sync-server/src/flusher';

/** A document whose heads the test moves, and a storage whose writes the test finishes. */
function setup() {
  const doc = { heads: 'h0' };
  const writes: { captured: string; finish: () => void; fail: (e: Error) => void }[] = [];
  const stored: string[] = [];
  const flusher = new Flusher(
    () =>
      new Promise<void>((resolve, reject) => {
        const captured = doc.heads;
        writes.push({
          captured,
          finish: () => {
            stored.push(captured);
            resolve();
          },
          fail: reject
        });
      }),
    () => [doc.heads]
  );
  return { doc, writes, stored, flusher };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('[OPS-11] acknowledgements wait for the write that stores their state, and no longer', () => {
  it('ten messages about one change share one write', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const waiting = Array.from({ length: 10 }, () =>
      flusher.durable('d', flusher.mark('d', [doc.heads]))
    );
    await tick();
    expect(writes).toHaveLength(1);
    expect(writes[0]!.captured).toBe('h1');
    writes[0]!.finish();
    await Promise.all(waiting);
    expect(writes).toHaveLength(1);
  });

  it('a message about a state already stored waits for no write', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const first = flusher.durable('d', flusher.mark('d', [doc.heads]));
    writes[0]!.finish();
    await first;
    await flusher.durable('d', flusher.mark('d', [doc.heads]));
    expect(writes).toHaveLength(1);
  });

  it('a change during a write waits for the next write, which every later message shares', async () => {
    const { doc, writes, stored, flusher } = setup();
    doc.heads = 'h1';
    const a = flusher.durable('d', flusher.mark('d', [doc.heads]));
    doc.heads = 'h2';
    let bDone = false;
    const b = flusher.durable('d', flusher.mark('d', [doc.heads])).then(() => (bDone = true));
    doc.heads = 'h3';
    const c = flusher.durable('d', flusher.mark('d', [doc.heads]));
    await tick();
    expect(writes).toHaveLength(1); // one write at a time
    writes[0]!.finish();
    await a;
    await tick();
    // h1 is stored, but b told of h2: it may not leave yet.
    expect(bDone).toBe(false);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.captured).toBe('h3');
    writes[1]!.finish();
    await Promise.all([b, c]);
    expect(stored).toEqual(['h1', 'h3']);
  });

  it('a failed write rejects every message waiting on it; after forgetting, writes work again', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const waiting = [1, 2, 3].map(() => flusher.durable('d', flusher.mark('d', [doc.heads])));
    writes[0]!.fail(new Error('ENOSPC'));
    for (const w of waiting) await expect(w).rejects.toThrow('ENOSPC');
    flusher.forget('d');
    const again = flusher.durable('d', flusher.mark('d', [doc.heads]));
    writes[1]!.finish();
    await again;
  });

  it('a write queued behind one whose document was forgotten is refused as stale', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const first = flusher.durable('d', flusher.mark('d', [doc.heads]));
    doc.heads = 'h2';
    const second = flusher.durable('d', flusher.mark('d', [doc.heads]));
    flusher.forget('d');
    writes[0]!.finish();
    await first;
    await expect(second).rejects.toBeInstanceOf(StaleWrite);
    expect(writes).toHaveLength(1);
    expect(flusher.size).toBe(0);
  });

  it('a message ahead of the heads in memory (sent from inside the update) waits for a write of its state', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const first = flusher.durable('d', flusher.mark('d', ['h1']));
    writes[0]!.finish();
    await first;
    // The peer's change is applied and the answer already tells of h2; the handle still reads h1.
    const need = flusher.mark('d', ['h2']);
    doc.heads = 'h2'; // the update completes
    const answer = flusher.durable('d', need);
    await tick();
    expect(writes).toHaveLength(2);
    expect(writes[1]!.captured).toBe('h2');
    writes[1]!.finish();
    await answer;
  });

  it('a write that began before the named heads showed in memory is followed by one that stores them', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    let sent = false;
    const answer = flusher.durable('d', flusher.mark('d', ['h2'])).then(() => (sent = true));
    expect(writes[0]!.captured).toBe('h1');
    doc.heads = 'h2';
    writes[0]!.finish();
    await tick();
    expect(sent).toBe(false);
    expect(writes[1]!.captured).toBe('h2');
    writes[1]!.finish();
    await answer;
  });

  it('a message naming heads that never show in memory does not wait for ever', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const answer = flusher.durable('d', flusher.mark('d', ['garbled']));
    writes[0]!.finish();
    await answer;
    expect(writes).toHaveLength(1);
  });

  it('heads name the same state in any order', async () => {
    const writes: string[] = [];
    const flusher = new Flusher(
      () => {
        writes.push('w');
        return Promise.resolve();
      },
      () => ['x', 'y']
    );
    await flusher.durable('d', flusher.mark('d', ['x', 'y']));
    await flusher.durable('d', flusher.mark('d', ['y', 'x']));
    expect(writes).toHaveLength(1);
  });

  it('documents are counted apart', async () => {
    const { doc, writes, flusher } = setup();
    doc.heads = 'h1';
    const a = flusher.durable('a', flusher.mark('a', [doc.heads]));
    const b = flusher.durable('b', flusher.mark('b', [doc.heads]));
    expect(writes).toHaveLength(2);
    writes.forEach((w) => w.finish());
    await Promise.all([a, b]);
    expect(flusher.size).toBe(2);
  });
});

describe('[OPS-11] the heads a sync message names, read without decoding its changes', () => {
  it('match what Automerge decodes, for documents with one head, several heads and none', () => {
    const seen: number[] = [];
    let a = A.from({ n: 0 });
    let b = A.clone(a);
    for (let round = 0; round < 20; round++) {
      a = A.change(a, (d) => void (d.n = round));
      b = A.change(b, (d) => void (d.n = -round));
      if (round % 3 === 0) a = A.merge(a, A.clone(b)); // several heads now and then
      for (const doc of [a, b, A.init()]) {
        const [, msg] = A.generateSyncMessage(doc, A.initSyncState());
        if (!msg) continue;
        const quick = syncMessageHeads(msg);
        expect(quick).toEqual(A.decodeSyncMessage(msg).heads);
        seen.push(quick!.length);
      }
    }
    expect(new Set(seen)).toEqual(new Set([0, 1, 2]));
  });

  it('give up (undefined) on bytes that are not a sync message or are cut short', () => {
    expect(syncMessageHeads(new Uint8Array([]))).toBeUndefined();
    expect(syncMessageHeads(new Uint8Array([0x43, 0]))).toBeUndefined();
    expect(syncMessageHeads(new Uint8Array([0x42, 2, ...new Uint8Array(40)]))).toBeUndefined();
    expect(syncMessageHeads(new Uint8Array([0x42, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBeUndefined();
  });
});
