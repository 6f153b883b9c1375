import * as A from '@automerge/automerge';
import { decodeHeads, Repo, type DocHandle, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startPostgres } from '../kit/postgres';
import { freePort } from '../kit/proc';
import {
  acknowledgedHeads,
  eventually,
  fullyAcknowledged,
  metric,
  RelayKit,
  ClientLink,
  relayClient,
  spawnRelay,
  type RelayProcess
} from '../kit/relay-kit';

interface Doc {
  notes: string[];
}

const kit = new RelayKit();
const after: (() => unknown)[] = [];
afterEach(async () => {
  await kit.cleanup();
  while (after.length) await after.pop()!();
});

function client(url: string, name: string): Repo {
  const repo = relayClient(url, name);
  after.push(async () => {
    try {
      await repo.shutdown();
    } catch {
      // its link was cut on purpose: nothing left to disconnect
    }
  });
  return repo;
}

/** How many of the writer's notes the relay has acknowledged (their heads came back in sync). */
function acknowledgedCount(writer: Repo, handle: DocHandle<Doc>): number {
  const heads = acknowledgedHeads(writer, handle);
  if (!heads || heads.length === 0) return 0;
  try {
    return (A.view(handle.doc(), decodeHeads(heads as never)) as Doc).notes.length;
  } catch {
    return 0; // heads we do not have (cannot happen with one writer): count nothing
  }
}

/**
 * What a brand-new device gets from the relay (no storage of its own); [] when the relay answers
 * that it has no such document.
 */
async function freshRead(url: string, id: DocHandle<Doc>['documentId']): Promise<string[]> {
  const probe = new Repo({
    network: [new ClientLink(url, 100)],
    peerId: `probe-${Math.random().toString(36).slice(2)}` as PeerId
  });
  await new Promise((r) => probe.networkSubsystem.once('peer', r));
  try {
    const h = await probe.find<Doc>(id);
    return [...h.doc().notes];
  } catch (e) {
    if (String(e).includes('unavailable')) return [];
    throw e;
  } finally {
    await probe.shutdown().catch(() => undefined);
  }
}

// Fifty rounds with eviction and eight writers, on files and PostgreSQL: relay-durability.test.ts.
const rounds = Number(process.env.RELAY_KILL_ROUNDS ?? 20);

describe('relay faults', () => {
  it(`[OPS-11] kill -9 during writes, ${rounds} times: nothing the relay acknowledged is lost`, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hearth-kill-'));
    after.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let relay: RelayProcess = await spawnRelay(dataDir, [], {}, port);
    after.push(() => relay.stop());
    const url = `ws://127.0.0.1:${port}/sync`;
    const writer = client(url, 'writer');
    const doc = writer.create<Doc>({ notes: [] });
    let written = 0;
    let acknowledged = 0;
    let checkedAcks = 0;
    for (let round = 0; round < rounds; round++) {
      // Write for a while (each tick one change), noting the highest acknowledged count; past
      // the window, writing goes on until the relay has acknowledged something new (a restarted
      // relay first reconnects and reloads), so every kill falls on a relay that was answering.
      const start = Date.now();
      const until = start + 80 + ((round * 37) % 170);
      const before = acknowledged;
      while (
        Date.now() < until ||
        (acknowledgedCount(writer, doc) <= before && Date.now() < until + 5000)
      ) {
        doc.change((d) => void d.notes.push(`n${written++}`));
        await new Promise((r) => setTimeout(r, 4));
        acknowledged = Math.max(acknowledged, acknowledgedCount(writer, doc));
      }
      acknowledged = Math.max(acknowledged, acknowledgedCount(writer, doc));
      await relay.kill();
      relay = await spawnRelay(dataDir, [], {}, port);
      // A new device must see every note the relay had acknowledged before it died.
      const seen = await freshRead(url, doc.documentId);
      expect(seen.length, `round ${round}: acknowledged ${acknowledged}`).toBeGreaterThanOrEqual(
        acknowledged
      );
      expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => `n${i}`));
      checkedAcks = acknowledged;
    }
    expect(checkedAcks).toBeGreaterThan(0);
    // In the end the writer's reconnection offers the rest: everything written arrives.
    await eventually(() => fullyAcknowledged(writer, doc), 20_000);
    expect((await freshRead(url, doc.documentId)).length).toBe(written);
    console.log(
      JSON.stringify({
        fault: 'kill-9',
        rounds,
        written,
        acknowledgedBeforeLastKill: checkedAcks,
        lost: 0
      })
    );
  }, 600_000);

  it('[OPS-11] disk full: the relay stays up, acknowledges nothing it could not write, and catches up when space returns', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'hearth-full-'));
    // A real small file system: tmpfs of 512 KiB (CI runs as root).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mount]);
    after.push(() => {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    });
    const dataDir = join(mount, 'data');
    mkdirSync(dataDir);
    const relay = await kit.process({ dataDir });
    const writer = client(relay.url, 'writer');
    const doc = writer.create<Doc>({ notes: ['before'] });
    await eventually(() => fullyAcknowledged(writer, doc));
    // Fill the disk.
    const filler = join(mount, 'filler');
    try {
      writeFileSync(filler, new Uint8Array(600 * 1024));
    } catch {
      // ENOSPC: the file holds whatever fit, which is the point.
    }
    // Larger than whatever room the filler left: the journal itself cannot take it. (A change
    // that still fits in the journal is durable there and acknowledged, even while the chunk
    // files refuse it — STO-9 covers that case.)
    const random = () =>
      Buffer.from(crypto.getRandomValues(new Uint8Array(48 * 1024))).toString('base64');
    doc.change((d) => void d.notes.push(random()));
    await eventually(async () => {
      const text = await (await fetch(`${relay.base}/metrics`)).text();
      return metric(text, 'hearth_relay_errors_total{kind="unacknowledged"}') > 0;
    });
    expect(fullyAcknowledged(writer, doc)).toBe(false);
    expect((await fetch(`${relay.base}/healthz`)).status).toBe(200);
    // What was acknowledged before is still served.
    expect(await freshRead(relay.url, doc.documentId)).toContain('before');
    // Space comes back: the next exchange writes everything and acknowledges it.
    rmSync(filler);
    doc.change((d) => void d.notes.push('after'));
    await eventually(() => fullyAcknowledged(writer, doc), 15_000);
    expect((await freshRead(relay.url, doc.documentId)).length).toBe(3);
  });

  it('[OPS-11] PostgreSQL restarting underneath: writes wait, nothing acknowledged is lost, the relay carries on', async () => {
    const pg = await startPostgres();
    after.push(() => pg.stop());
    const db = await pg.createDatabase('restart');
    const relay = await kit.process({ flags: ['--database-url', db] });
    const writer = client(relay.url, 'writer');
    const doc = writer.create<Doc>({ notes: ['one'] });
    await eventually(() => fullyAcknowledged(writer, doc));
    await pg.restart();
    doc.change((d) => void d.notes.push('two'));
    await eventually(() => fullyAcknowledged(writer, doc), 15_000);
    expect((await fetch(`${relay.base}/healthz`)).status).toBe(200);
    expect(await freshRead(relay.url, doc.documentId)).toEqual(['one', 'two']);
  });

  it('[REL-5] a client vanishing mid-sync leaves the relay serving everyone else', async () => {
    const { url, relay } = await kit.start({ flags: ['--max-message-bytes', String(8 << 20)] });
    const big = Array.from({ length: 200 }, () =>
      Buffer.from(crypto.getRandomValues(new Uint8Array(2048))).toString('base64')
    );
    for (let i = 0; i < 5; i++) {
      const leaver = client(url, `leaver${i}`);
      await new Promise((r) => leaver.networkSubsystem.once('peer', r));
      const h = leaver.create<Doc>({ notes: big });
      // Gone after a few milliseconds, mid-transfer: the socket is cut without a close frame.
      await new Promise((r) => setTimeout(r, 2 + i * 3));
      const adapter = leaver.networkSubsystem.adapters[0] as WebSocketClientAdapter;
      adapter.socket?.terminate();
      adapter.disconnect();
      // Whatever the relay got, a new device sees the whole document or none of it.
      const probe = client(url, 'probe');
      try {
        const got = await probe.find<Doc>(h.documentId);
        expect(got.doc().notes).toHaveLength(200);
      } catch (e) {
        expect(String(e)).toMatch(/unavailable/);
      }
    }
    const a = client(url, 'a');
    const b = client(url, 'b');
    const shared = a.create<Doc>({ notes: ['still here'] });
    await eventually(() => fullyAcknowledged(a, shared));
    expect((await b.find<Doc>(shared.documentId)).doc().notes).toEqual(['still here']);
    expect(relay.repo).toBeDefined();
  });
});
