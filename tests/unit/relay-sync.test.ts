import type { DocumentId } from '@automerge/automerge-repo';
import { encode } from 'cbor-x';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { Relay } from '../../sync-server/src/server';
import { eventually, openSocket, RelayKit } from '../kit/relay-kit';

interface Doc {
  notes: string[];
}

const kit = new RelayKit();
afterEach(() => kit.cleanup());

const startRelay = (dataDir?: string, maxMessageBytes = 64 * 1024) =>
  kit.start({ dataDir, flags: ['--max-message-bytes', String(maxMessageBytes)] });
const peer = (url: string, name: string) => kit.peer(url, name);

/** Waits until the relay holds a document (what a second device can then fetch). */
async function relayHas(relay: Relay, id: DocumentId, check: (d: Doc) => boolean = () => true) {
  await eventually(() => {
    const h = relay.repo.handles[id];
    return !!h && h.isReady() && check(h.doc() as Doc);
  });
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('relay sync', () => {
  it('[REL-1] two peers exchange a document through the relay', async () => {
    const { url, relay } = await startRelay();
    const a = await peer(url, 'a');
    const handle = a.create<Doc>({ notes: ['from a'] });
    await relayHas(relay, handle.documentId);
    const b = await peer(url, 'b');
    const other = await b.find<Doc>(handle.documentId);
    expect(other.doc().notes).toEqual(['from a']);
    other.change((d) => void d.notes.push('from b'));
    await eventually(() => handle.doc().notes.includes('from b'));
  });

  it('[REL-1] the relay never offers documents: a peer gets only what it asks for', async () => {
    const { url, relay } = await startRelay();
    const a = await peer(url, 'a');
    const handle = a.create<Doc>({ notes: [] });
    await relayHas(relay, handle.documentId);
    const b = await peer(url, 'b');
    await new Promise((r) => setTimeout(r, 500));
    expect(Object.keys(b.handles)).toEqual([]);
  });

  it('[REL-4] documents survive a clean shutdown and restart on the same data dir', async () => {
    const first = await startRelay();
    const a = await peer(first.url, 'a');
    const handle = a.create<Doc>({ notes: ['kept'] });
    await relayHas(first.relay, handle.documentId, (d) => d.notes.length === 1);
    await first.relay.close();

    const second = await startRelay(first.dataDir);
    const b = await peer(second.url, 'b');
    const found = await b.find<Doc>(handle.documentId);
    expect(found.doc().notes).toEqual(['kept']);
  });

  it('[REL-5] an oversized message closes that connection (1009) and the relay keeps serving', async () => {
    const { url, relay } = await startRelay(undefined, 4096);
    const ws = await openSocket(url);
    const code = closed(ws);
    ws.send(new Uint8Array(10_000));
    expect(await code).toBe(1009);
    await expectStillServing(url, relay);
  });

  it('[REL-5] garbage, malformed CBOR and nonsense protocol messages never bring the relay down', async () => {
    const { url, relay } = await startRelay();
    const hostile: Uint8Array[] = [
      new Uint8Array([0xff, 0xff, 0xff]),
      new TextEncoder().encode('hello'),
      encode({ type: 'join' }),
      encode({
        type: 'sync',
        senderId: 'x',
        targetId: 'y',
        documentId: 'not-a-doc',
        data: new Uint8Array([1, 2, 3])
      }),
      encode({ type: 'request', senderId: 'x', documentId: 42 }),
      encode({ type: 'join', senderId: 'evil', supportedProtocolVersions: ['9'] }),
      encode([1, 2, 3]),
      encode(null)
    ];
    for (const message of hostile) {
      const ws = await openSocket(url);
      const done = closed(ws);
      ws.send(message);
      await Promise.race([done, new Promise((r) => setTimeout(r, 300))]);
      ws.terminate();
    }
    await expectStillServing(url, relay);
  });

  it('[REL-5] a WebSocket upgrade on any other path is refused', async () => {
    const { port } = await startRelay();
    await expect(openSocket(`ws://127.0.0.1:${port}/elsewhere`)).rejects.toThrow(/404/);
  });
});

/** After abuse, ordinary peers still sync through the same relay process. */
async function expectStillServing(url: string, relay: Relay) {
  const a = await peer(url, 'a');
  const handle = a.create<Doc>({ notes: ['still fine'] });
  await relayHas(relay, handle.documentId);
  const b = await peer(url, 'b');
  expect((await b.find<Doc>(handle.documentId)).doc().notes).toEqual(['still fine']);
}
