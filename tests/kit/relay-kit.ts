/**
 * Real relays and peers for Node tests. Keepalive is at its maximum, so a connection the relay
 * fails to pick up hangs the test into a failure instead of being rescued by the keepalive timer
 * (that bug existed: see server.ts). Call `cleanup()` after each test.
 */
import { Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { spawn, type ChildProcess } from 'node:child_process';
import { loadConfig } from '../../sync-server/src/config';
import { createServer } from '../../sync-server/src/server';

/**
 * automerge-repo's WebSocket client, keeping an error listener on every socket it opens. The
 * adapter takes its own listeners off a socket it gives up on (a reconnect, a disconnect) while
 * that socket may still be open; when the relay then dies, Node's `ws` emits `error`
 * (ECONNRESET) with nobody listening, and the test process sees an uncaught exception (a full
 * run failed so on a kill -9 round). A socket the adapter abandoned has nothing left to tell.
 */
export class ClientLink extends WebSocketClientAdapter {
  override connect(...args: Parameters<WebSocketClientAdapter['connect']>): void {
    super.connect(...args);
    this.socket?.addEventListener('error', () => undefined);
  }
}

export class RelayKit {
  private cleanups: (() => Promise<unknown> | void)[] = [];
  private peers = 0;

  /** Starts a relay on a free port; a data dir is made (and removed) unless one is given. */
  async start(
    opts: {
      dataDir?: string;
      flags?: string[];
      log?: (event: string, fields?: Record<string, unknown>) => void;
    } = {}
  ) {
    const dataDir = this.dataDir(opts.dataDir);
    const args = [...relayArgs(dataDir, 0), '--keepalive-ms', '600000', ...(opts.flags ?? [])];
    const relay = createServer(loadConfig({}, args), opts.log);
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

  /**
   * A relay as its own OS process (`tsx sync-server/src/index.ts`), as operators run it: for
   * scale-out and kill -9 tests. Resolves once it prints the address it listens on.
   */
  async process(opts: { dataDir?: string; flags?: string[]; env?: Record<string, string> } = {}) {
    const dataDir = this.dataDir(opts.dataDir);
    const spawned = await spawnRelay(dataDir, opts.flags ?? [], opts.env ?? {});
    this.cleanups.push(() => spawned.stop());
    return spawned;
  }

  /** A Node peer connected to the relay (resolves once the relay has answered its join). */
  async peer(url: string, name: string): Promise<Repo> {
    // Unique ids, as real devices have: automerge-repo stalls when a peer id is reused in one process.
    const repo = new Repo({
      network: [new ClientLink(url, 200)],
      peerId: `${name}-${++this.peers}` as PeerId,
      sharePolicy: () => Promise.resolve(true)
    });
    await new Promise((resolve) => repo.networkSubsystem.once('peer', resolve));
    this.cleanups.push(() => repo.shutdown());
    return repo;
  }

  /** The given data dir, or a new temporary one removed at cleanup. */
  private dataDir(given?: string): string {
    if (given) return given;
    const dir = mkdtempSync(join(tmpdir(), 'hearth-relay-test-'));
    this.cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async cleanup(): Promise<void> {
    while (this.cleanups.length) await this.cleanups.pop()?.();
  }
}

/** A plain automerge-repo client of a relay that shares everything, with a unique peer id. */
export function relayClient(url: string, name: string): Repo {
  return new Repo({
    network: [new ClientLink(url, 100)],
    peerId: `${name}-${Math.random().toString(36).slice(2)}` as PeerId,
    sharePolicy: () => Promise.resolve(true)
  });
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

/** Flags every test relay gets: loopback, a port, its data dir, no app. */
function relayArgs(dataDir: string, port: number): string[] {
  return [
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
    '--data-dir',
    dataDir,
    '--static-dir',
    'none'
  ];
}

/** The relay's current value of one metric (Prometheus text from `/metrics`). */
export async function relayMetric(base: string, name: string): Promise<number> {
  // A busy relay can close an idle keep-alive connection just as it is reused (ECONNRESET):
  // a scrape is tried again, as Prometheus would at its next interval.
  for (let attempt = 1; ; attempt++) {
    try {
      return metric(await (await fetch(`${base}/metrics`)).text(), name);
    } catch (e) {
      if (attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

export interface RelayProcess {
  child: ChildProcess;
  port: number;
  url: string;
  base: string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9) and wait for the exit. */
  kill(): Promise<void>;
  /** Everything the process printed so far. */
  output(): string;
}

export async function spawnRelay(
  dataDir: string,
  flags: string[],
  env: Record<string, string> = {},
  port = 0
): Promise<RelayProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'sync-server/src/index.ts',
      ...relayArgs(dataDir, port),
      '--log-level',
      'warn',
      ...flags
    ],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // A test or bench that dies must not leave its relay running (one kept a core busy for an hour).
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  const bound = await new Promise<number>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /running at http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) =>
      reject(new Error(`relay exited (${code}) before listening: ${out}`))
    );
    setTimeout(() => reject(new Error(`relay did not start: ${out}`)), 30_000).unref();
  });
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    child,
    port: bound,
    url: `ws://127.0.0.1:${bound}/sync`,
    base: `http://127.0.0.1:${bound}`,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
    output: () => out
  };
}

/**
 * What the relay has acknowledged [OPS-11]: the heads of the relay's copy of this document as the
 * relay last told this peer in sync (automerge-repo keeps them per storage id). The relay sends a
 * sync message only after the state it describes is written to storage, so these heads are durable.
 */
export function acknowledgedHeads(repo: Repo, handle: DocHandle<unknown>): string[] | undefined {
  for (const meta of Object.values(repo.peerMetadataByPeerId)) {
    if (!meta.storageId || meta.isEphemeral) continue;
    const info = handle.getSyncInfo(meta.storageId);
    if (info) return [...info.lastHeads];
  }
  return undefined;
}

/** Whether the relay has acknowledged everything this peer's copy holds. */
export function fullyAcknowledged(repo: Repo, handle: DocHandle<unknown>): boolean {
  const acked = acknowledgedHeads(repo, handle);
  return !!acked && [...acked].sort().join() === [...handle.heads()].sort().join();
}
