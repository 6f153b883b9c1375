import * as A from '@automerge/automerge';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../sync-server/src/config';
import { RateLimit } from '../../sync-server/src/metrics';
import { eventually, metric, openSocket, RelayKit } from '../kit/relay-kit';

const kit = new RelayKit();
afterEach(() => kit.cleanup());

async function relay(flags: string[] = []) {
  const { relay: r, base, url } = await kit.start({ flags });
  return { r, base, ws: url };
}

describe('relay operations', () => {
  it('[OPS-1] /readyz says ready while serving and not ready once closing', async () => {
    const { r, base } = await relay();
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const closing = r.close();
    // While closing: 503, or the port is already shut. Never "ready".
    const during = await fetch(`${base}/readyz`).then(
      (res) => res.status,
      () => 'refused'
    );
    expect([503, 'refused']).toContain(during);
    await closing;
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
  });

  it('[OPS-2] /metrics reports connections, traffic, documents in memory, storage latency and acknowledgement wait, with no document ids', async () => {
    const { base, ws } = await relay();
    const peer = await kit.peer(ws, 'ops-peer');
    const handle = peer.create({ notes: ['hello'] });
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await (await fetch(`${base}/metrics`)).text();
      if (
        metric(text, 'hearth_relay_documents_in_memory') >= 1 &&
        metric(text, 'hearth_relay_storage_seconds_count{op="save"}') >= 1 &&
        metric(text, 'hearth_relay_ack_wait_seconds_count') >= 1
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(metric(text, 'hearth_relay_connections')).toBe(1);
    expect(metric(text, 'hearth_relay_documents_in_memory')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'hearth_relay_bytes_total{direction="in"}')).toBeGreaterThan(0);
    expect(metric(text, 'hearth_relay_messages_total{direction="out"}')).toBeGreaterThan(0);
    expect(metric(text, 'hearth_relay_storage_seconds_count{op="save"}')).toBeGreaterThan(0);
    // The relay answered the new document only once it was stored, and timed the wait.
    expect(metric(text, 'hearth_relay_ack_wait_seconds_count')).toBeGreaterThan(0);
    expect(text).toContain('hearth_relay_ack_wait_seconds_bucket{le="0.01"}');
    expect(text).not.toContain(handle.documentId);
  });

  it('[OPS-3] connections beyond the per-IP limit are refused with 429 and counted', async () => {
    const { base, ws } = await relay(['--max-connections-per-ip', '2']);
    const a = await openSocket(ws);
    const b = await openSocket(ws);
    await expect(openSocket(ws)).rejects.toThrow(/429/);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_refused_total{reason="ip-limit"}')).toBe(1);
    a.close();
    b.close();
  });

  it('[OPS-3] a connection sending faster than its rate is closed (1008) and counted; the relay stays up', async () => {
    const { base, ws } = await relay(['--messages-per-second', '5']);
    const socket = await openSocket(ws);
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    for (let i = 0; i < 50; i++) socket.send(new Uint8Array([0xa0]));
    expect(await closed).toBe(1008);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_refused_total{reason="rate-limit"}')).toBeGreaterThanOrEqual(
      1
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('[OPS-4] a denylisted document is refused: not stored, not served, counted', async () => {
    // Make the document first, offline, to know its id.
    const offline = new Repo({ network: [], peerId: 'ops-offline' as PeerId });
    const denied = offline.create({ notes: ['not here'] });
    const allowed = offline.create({ notes: ['fine'] });
    const { r, base, ws } = await relay(['--denylist', `automerge:${denied.documentId}`]);
    const a = await kit.peer(ws, 'ops-a');
    a.import(A.save(denied.doc()), { docId: denied.documentId });
    a.import(A.save(allowed.doc()), { docId: allowed.documentId });
    await eventually(() => !!r.repo.handles[allowed.documentId]?.isReady());
    expect(r.repo.handles[allowed.documentId]?.isReady()).toBe(true);
    expect(r.repo.handles[denied.documentId]?.isReady() ?? false).toBe(false);
    const b = await kit.peer(ws, 'ops-b');
    await expect(b.find(denied.documentId)).rejects.toThrow(/unavailable/);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_refused_total{reason="denylist"}')).toBeGreaterThanOrEqual(1);
  });

  it('[OPS-4] a denylist entry that is not a document id stops the relay with one line', () => {
    expect(() => loadConfig({ DENYLIST: 'abc, not-an-id' }, [])).toThrow(
      /denylist entry "abc" is not a document id/
    );
  });

  it('[OPS-3] the rate limit allows bursts up to its size, then refills with time', () => {
    const limit = new RateLimit(10, 20, 0);
    let allowed = 0;
    for (let i = 0; i < 30; i++) if (limit.take(0)) allowed++;
    expect(allowed).toBe(20);
    expect(limit.take(50)).toBe(false); // 50 ms = half a token
    expect(limit.take(100)).toBe(true); // one token back after 100 ms
  });
});
