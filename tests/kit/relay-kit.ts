/**
 * Real relays and peers for Node tests. Keepalive is at its maximum, so a connection the relay
 * fails to pick up hangs the test into a failure instead of being rescued by the keepalive timer
 * (that bug existed: see server.ts). Call `cleanup()` after each test.
 */
import { Repo, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { loadConfig } from '../../sync-server/src/config';
import { createServer } from '../../sync-server/src/server';

export class RelayKit {
  private cleanups: (() => Promise<unknown> | void)[] = [];
  private peers = 0;

  /** Starts a relay on a free port; a data dir is made (and removed) unless one is given. */
  async start(opts: { dataDir?: string; flags?: string[] } = {}) {
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hearth-relay-test-'));
    if (!opts.dataDir) this.cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const args = [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--static-dir',
      'none',
      '--keepalive-ms',
      '600000'
    ];
    const relay = createServer(loadConfig({}, [...args, ...(opts.flags ?? [])]));
    const { port } = await relay.listen();
    this.cleanups.push(() => relay.close());
    return {
      relay,
      port,
      dataDir,
      base: `http://127.0.0.1:${port}`,
      url: `ws://127.0.0.1:${port}/sync`
    };
  }

  /** A Node peer connected to the relay (resolves once the relay has answered its join). */
  async peer(url: string, name: string): Promise<Repo> {
    // Unique ids, as real devices have: automerge-repo stalls when a peer id is reused in one process.
    const repo = new Repo({
      network: [new WebSocketClientAdapter(url, 200)],
      peerId: `${name}-${++this.peers}` as PeerId,
      sharePolicy: () => Promise.resolve(true)
    });
    await new Promise((resolve) => repo.networkSubsystem.once('peer', resolve));
    this.cleanups.push(() => repo.shutdown());
    return repo;
  }

  async cleanup(): Promise<void> {
    while (this.cleanups.length) await this.cleanups.pop()?.();
  }
}

export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 10_000
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One value from Prometheus text (`name` or `name{labels}`), NaN when absent. */
export function metric(text: string, name: string): number {
  return Number(
    text
      .split('\n')
      .find((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'))
      ?.split(' ')
      .pop() ?? NaN
  );
}
