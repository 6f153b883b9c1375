import { encode } from 'cbor-x';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { residentBytes } from '../kit/proc';
import { eventually, fullyAcknowledged, metric, RelayKit } from '../kit/relay-kit';

const kit = new RelayKit();
afterEach(() => kit.cleanup());

const FRAMES = Number(process.env.RELAY_FUZZ_FRAMES ?? 100_000);
const MAX_MESSAGE = 64 * 1024;

/** Deterministic PRNG (mulberry32): a failing run can be replayed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

describe('relay fuzz', () => {
  it(`[REL-5] ${FRAMES.toLocaleString('en')} malformed, random, oversized and protocol-shaped frames: the relay stays up, memory stays bounded`, async () => {
    const relay = await kit.process({
      flags: [
        '--max-message-bytes',
        String(MAX_MESSAGE),
        '--messages-per-second',
        '100000',
        '--max-connections-per-ip',
        '10000',
        '--evict-idle-ms',
        '1000'
      ]
    });
    const pid = relay.child.pid!;
    const rand = prng(20261122);
    const int = (n: number) => Math.floor(rand() * n);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
    const docId = () => Array.from({ length: 28 }, () => B58[int(58)]).join('');
    const junkValue = (depth = 0): unknown => {
      const k = int(depth > 2 ? 5 : 8);
      if (k === 0) return int(1e9) - 5e8;
      if (k === 1) return bytes(int(64));
      if (k === 2) return 'x'.repeat(int(40));
      if (k === 3) return null;
      if (k === 4) return rand() < 0.5;
      if (k === 5) return Array.from({ length: int(5) }, () => junkValue(depth + 1));
      return Object.fromEntries(
        Array.from({ length: int(5) }, (_, i) => [`k${i}`, junkValue(depth + 1)])
      );
    };
    /** One frame of a random kind. */
    const frame = (): Uint8Array => {
      const k = int(100);
      if (k < 25) return bytes(1 + int(512)); // random bytes
      if (k < 45) return encode(junkValue()); // well-formed CBOR, nonsense shape
      if (k < 50)
        return encode({
          type: 'join',
          senderId: 'x'.repeat(int(300)),
          supportedProtocolVersions: junkValue()
        });
      if (k < 98)
        // Protocol-shaped: real message types, random document ids, random sync payloads.
        return encode({
          type: ['sync', 'request', 'doc-unavailable', 'ephemeral', 'remote-heads-changed'][int(5)],
          senderId: `fuzz-${int(1000)}`,
          targetId: rand() < 0.9 ? 'relay' : junkValue(),
          documentId: rand() < 0.9 ? docId() : junkValue(),
          data: rand() < 0.8 ? bytes(int(300)) : junkValue()
        });
      if (k < 99) return bytes(MAX_MESSAGE + 1 + int(1024)); // oversized
      const truncated = encode({ type: 'sync', documentId: docId(), data: bytes(100) });
      return truncated.subarray(0, int(truncated.length)); // truncated CBOR
    };

    const rssStart = residentBytes(pid);
    const samples: number[] = [];
    let sent = 0;
    let connections = 0;
    const PARALLEL = 16;
    // Frames the relay really read (some sent after it closed a connection never arrive).
    let received = 0;
    const readCount = async () =>
      metric(
        await (await fetch(`${relay.base}/metrics`)).text(),
        'hearth_relay_messages_total{direction="in"}'
      );
    const poller = setInterval(() => void readCount().then((n) => (received = n)), 100);
    const worker = async () => {
      while (received < FRAMES) {
        const ws = new WebSocket(relay.url);
        connections++;
        const open = await new Promise<boolean>((resolve) => {
          ws.once('open', () => resolve(true));
          ws.once('error', () => resolve(false));
        });
        if (!open) continue;
        const closed = new Promise<void>((r) => ws.once('close', () => r()));
        ws.on('error', () => undefined);
        ws.on('message', () => undefined);
        // Half the connections introduce themselves properly first.
        if (rand() < 0.5)
          ws.send(
            encode({
              type: 'join',
              senderId: `fuzz-${int(1e6)}`,
              peerMetadata: {},
              supportedProtocolVersions: ['1']
            })
          );
        let open2 = true;
        void closed.then(() => (open2 = false));
        const burst = 1 + int(200);
        for (let i = 0; i < burst && open2 && received < FRAMES; i++) {
          ws.send(frame());
          sent++;
          if (sent % 10_000 === 0) samples.push(residentBytes(pid));
          if (i % 20 === 19) await new Promise((r) => setImmediate(r));
        }
        ws.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 200))]);
        ws.terminate();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    clearInterval(poller);

    // Still up, still serving a real client, memory bounded.
    expect((await fetch(`${relay.base}/healthz`)).status).toBe(200);
    const a = await kit.peer(relay.url, 'after-fuzz');
    const h = a.create<{ ok: boolean }>({ ok: true });
    await eventually(() => fullyAcknowledged(a, h));
    // Documents named by the fuzz leave memory with idle eviction.
    await eventually(async () => {
      const text = await (await fetch(`${relay.base}/metrics`)).text();
      return metric(text, 'hearth_relay_documents_in_memory') <= 5;
    }, 15_000);
    const rssEnd = residentBytes(pid);
    received = await readCount();
    const peak = Math.max(rssStart, ...samples, rssEnd);
    console.log(
      JSON.stringify({
        fuzz: 'frames',
        framesSent: sent,
        connections,
        receivedByRelay: received,
        rssStartMiB: +(rssStart / 2 ** 20).toFixed(1),
        rssPeakMiB: +(peak / 2 ** 20).toFixed(1),
        rssEndMiB: +(rssEnd / 2 ** 20).toFixed(1)
      })
    );
    expect(received).toBeGreaterThanOrEqual(FRAMES);
    // Bounded: the relay's resident memory grows by well under 200 MiB over the whole run.
    expect(peak - rssStart).toBeLessThan(200 * 2 ** 20);
  }, 900_000);
});
