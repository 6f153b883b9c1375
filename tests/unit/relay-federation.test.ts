import * as A from '@automerge/automerge';
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../kit/proc';
import { eventually, fullyAcknowledged, metric, RelayKit, relayMetric } from '../kit/relay-kit';

interface Doc {
  notes: string[];
}

const kit = new RelayKit();
afterEach(() => kit.cleanup());

/** Waits until a relay has its upstream link. */
const linked = (base: string) =>
  eventually(
    async () => (await relayMetric(base, 'hearth_relay_upstreams_connected')) === 1,
    15_000
  );

const messagesOut = async (base: string) =>
  metric(
    await (await fetch(`${base}/metrics`)).text(),
    'hearth_relay_messages_total{direction="out"}'
  );

describe('relay federation', () => {
  it('[OPS-10] a village relay syncs with its upstream once a link exists; what was written offline arrives', async () => {
    // The upstream's port is chosen first so the village relay can name it before it runs.
    const upstreamPort = await freePort();
    const village = await kit.start({
      flags: ['--upstream', `ws://127.0.0.1:${upstreamPort}/sync`]
    });
    const member = await kit.peer(village.url, 'village-member');
    const written = member.create<Doc>({ notes: ['written with no internet'] });
    await eventually(() => fullyAcknowledged(member, written));

    // The link comes up: an upstream relay appears at that address (the village retries).
    const upstream = await kit.start({ flags: ['--port', String(upstreamPort)] });
    await linked(village.base);
    // Evicted or not, the village relay walks its documents and offers each to the upstream.
    await village.relay.evictIdle();
    await eventually(() => !!upstream.relay.repo.handles[written.documentId]?.isReady(), 15_000);
    const far = await kit.peer(upstream.url, 'city-member');
    const there = await far.find<Doc>(written.documentId);
    expect(there.doc().notes).toEqual(['written with no internet']);

    // And back: a change made in the city reaches the village member.
    there.change((d) => void d.notes.push('answered from the city'));
    await eventually(() => written.doc().notes.includes('answered from the city'), 15_000);
    // The upstream relay never offers the village's documents to its own other clients [REL-1].
    const bystander = await kit.peer(upstream.url, 'bystander');
    await new Promise((r) => setTimeout(r, 300));
    expect(Object.keys(bystander.handles)).toEqual([]);
  });

  it('[OPS-10] relays in a cycle (A→B→C→A) converge and then fall quiet: no loop, no storm', async () => {
    const ports = [await freePort(), await freePort(), await freePort()];
    const up = (i: number) => `ws://127.0.0.1:${ports[(i + 1) % 3]}/sync`;
    const relays = [];
    for (let i = 0; i < 3; i++)
      relays.push(await kit.start({ flags: ['--port', String(ports[i]), '--upstream', up(i)] }));
    for (const r of relays) await linked(r.base);
    const a = await kit.peer(relays[0]!.url, 'a');
    const doc = a.create<Doc>({ notes: ['one'] });
    for (const r of relays)
      await eventually(() => !!r.relay.repo.handles[doc.documentId]?.isReady(), 15_000);
    const c = await kit.peer(relays[2]!.url, 'c');
    const atC = await c.find<Doc>(doc.documentId);
    atC.change((d) => void d.notes.push('two'));
    await eventually(() => doc.doc().notes.includes('two'), 15_000);
    // Quiet: once every copy agrees, no relay sends anything more.
    await new Promise((r) => setTimeout(r, 500));
    const before = await Promise.all(relays.map((r) => messagesOut(r.base)));
    await new Promise((r) => setTimeout(r, 1500));
    const after = await Promise.all(relays.map((r) => messagesOut(r.base)));
    expect(after).toEqual(before);
    for (const r of relays)
      expect((r.relay.repo.handles[doc.documentId]!.doc() as Doc).notes.length).toBe(2);
  });

  it('[OPS-10] a relay told to use itself as upstream drops that link', async () => {
    const port = await freePort();
    const events: string[] = [];
    const self = await kit.start({
      flags: ['--port', String(port), '--upstream', `ws://127.0.0.1:${port}/sync`],
      log: (event) => events.push(event)
    });
    await eventually(() => events.includes('upstream-is-self'));
    await new Promise((r) => setTimeout(r, 300));
    expect(events).not.toContain('upstream-connected');
    const text = await (await fetch(`${self.base}/metrics`)).text();
    expect(metric(text, 'hearth_relay_upstreams_connected')).toBe(0);
  });
});

/**
 * An upstream that answers badly, one way per connection attempt, in turn: HTTP 429 (its
 * per-address limit, several laptops behind one NAT), 502 (a proxy while the relay behind it
 * restarts), a reset in the middle of the handshake, a dropped connection with no answer, and a
 * WebSocket that sends an empty frame and junk instead of the sync protocol.
 */
async function badUpstream(port: number) {
  const ways = ['429', '502', 'reset', 'drop', 'junk'] as const;
  const seen: string[] = [];
  const open = new Set<Socket>();
  const server = createServer((socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => undefined);
    const way = ways[seen.length % ways.length]!;
    seen.push(way);
    socket.once('data', (request) => {
      if (way === '429') socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\n\r\n');
      else if (way === '502') socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
      else if (way === 'reset') socket.resetAndDestroy();
      else if (way === 'drop') socket.destroy();
      else {
        // A real WebSocket handshake, then nonsense.
        const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(request.toString())?.[1] ?? '';
        const accept = createHash('sha1')
          .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
          .digest('base64');
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`
        );
        // An empty binary frame, then a binary frame of junk, then the end.
        socket.write(Buffer.from([0x82, 0x00]));
        socket.write(Buffer.from([0x82, 0x04, 0xff, 0x00, 0xfe, 0x01]));
        setTimeout(() => socket.destroy(), 50);
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      })
  };
}

describe('[OPS-14] no answer from an upstream stops the relay', () => {
  it('429, 502, a reset handshake, a drop and junk: the relay stays up, counts them, relinks when the upstream is healthy and forwards what was written meanwhile', async () => {
    const upstreamPort = await freePort();
    const bad = await badUpstream(upstreamPort);
    const village = await kit.process({
      flags: [
        '--upstream',
        `ws://127.0.0.1:${upstreamPort}/sync`,
        '--upstream-retry-ms',
        '100',
        '--upstream-max-retry-ms',
        '400'
      ]
    });
    const member = await kit.peer(village.url, 'village-member');
    const written = member.create<Doc>({ notes: ['written while the upstream misbehaved'] });
    await eventually(() => fullyAcknowledged(member, written));
    // Every way, twice over; the relay answers throughout.
    await eventually(() => {
      if (village.child.exitCode !== null) throw new Error(`relay exited: ${village.output()}`);
      return bad.seen.length >= 10;
    }, 30_000);
    expect(village.child.exitCode).toBeNull();
    expect((await fetch(`${village.base}/healthz`)).status).toBe(200);
    const failures = async (reason: string) =>
      (await relayMetric(
        village.base,
        `hearth_relay_upstream_failures_total{reason="${reason}"}`
      )) || 0;
    expect(await failures('rate-limited')).toBeGreaterThan(0);
    expect(await failures('bad-gateway')).toBeGreaterThan(0);
    // A reset or a drop before the answer: the handshake broke off.
    expect(await failures('reset')).toBeGreaterThan(0);
    // Junk over a real WebSocket is read as no message at all (and the link is made again).
    expect(bad.seen).toContain('junk');
    // The upstream comes back healthy on the same address.
    await bad.close();
    const upstream = await kit.start({ flags: ['--port', String(upstreamPort)] });
    await linked(village.base);
    await eventually(() => !!upstream.relay.repo.handles[written.documentId]?.isReady(), 15_000);
    const far = await kit.peer(upstream.url, 'city-member');
    expect((await far.find<Doc>(written.documentId)).doc().notes).toEqual([
      'written while the upstream misbehaved'
    ]);
    expect(village.child.exitCode).toBeNull();
    expect(village.output()).not.toMatch(/Uncaught|unhandled/i);
  }, 60_000);
});

describe('relay interop', () => {
  it('[REL-7] a plain automerge-repo client that knows nothing of Hearth syncs a document through the relay', async () => {
    const { url } = await kit.start();
    // Nothing from Hearth: the library's own client adapter and an ordinary document.
    const plain = (name: string) =>
      new Repo({
        network: [new WebSocketClientAdapter(url, 200)],
        peerId: `${name}-${Math.random().toString(36).slice(2)}` as PeerId
      });
    const one = plain('one');
    const two = plain('two');
    try {
      const h = one.create<{ count: A.Counter; title: string }>({
        count: new A.Counter(1),
        title: 'not a Hearth group'
      });
      await eventually(async () => {
        try {
          const other = await two.find<{ count: A.Counter; title: string }>(h.url);
          return other.doc().title === 'not a Hearth group';
        } catch {
          return false;
        }
      });
      const other = await two.find<{ count: A.Counter; title: string }>(h.url);
      other.change((d) => d.count.increment(41));
      await eventually(() => h.doc().count.value === 42);
    } finally {
      await one.shutdown();
      await two.shutdown();
    }
  });
});
