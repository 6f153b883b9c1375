// The full entry point loads the Automerge wasm in Node; the adapters use the slim one.
import '@automerge/automerge-repo';
import {
  WebSocketClientAdapter,
  WebSocketServerAdapter
} from '@automerge/automerge-repo-network-websocket';
import { describe, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { LinkNetworkAdapter, portLink } from '../../src/lib/adapters/link-adapter';
import { networkContract, type NetworkSetup } from './network-contract';

/** Two link adapters joined by a real MessageChannel (the worker's end of a direct connection). */
function linked(): [LinkNetworkAdapter, LinkNetworkAdapter] {
  const channel = new MessageChannel();
  for (const port of [channel.port1, channel.port2])
    (port as unknown as { unref?: () => void }).unref?.();
  return [
    new LinkNetworkAdapter(portLink(channel.port1)),
    new LinkNetworkAdapter(portLink(channel.port2))
  ];
}

function mesh(): Promise<NetworkSetup> {
  const [ab, ba] = linked();
  const [ac, ca] = linked();
  const [bc, cb] = linked();
  return Promise.resolve({
    adapters: [
      [ab, ac],
      [ba, bc],
      [ca, cb]
    ],
    teardown: () => {
      for (const a of [ab, ba, ac, ca, bc, cb]) a.close();
    }
  });
}

describe('[NEAR-2] network contract: the link adapter over a MessagePort', () => {
  for (const c of networkContract) it(c.name, () => c.run(mesh), 60_000);
});

/** The app's WebSocket client adapter, twice, around the server adapter the relay builds on. */
async function sockets(): Promise<NetworkSetup> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as { port: number };
  const url = `ws://127.0.0.1:${port}`;
  const server = new WebSocketServerAdapter(wss as never);
  const a = new WebSocketClientAdapter(url);
  const c = new WebSocketClientAdapter(url);
  return {
    adapters: [[a], [server], [c]],
    teardown: async () => {
      // The repos' shutdown disconnected them already (a second disconnect asserts).
      for (const adapter of [a, c, server])
        try {
          adapter.disconnect();
        } catch {
          // already disconnected
        }
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  };
}

describe('[NEAR-2] network contract: the WebSocket client and server adapters (app and relay)', () => {
  for (const c of networkContract) it(c.name, () => c.run(sockets), 60_000);
});
