// Phones in one room with no server [#23, NEAR-*]: each phone its own Chromium with a fake camera
// (the codes it reads are a video of QR codes), direct sync over WebRTC data channels on this
// machine. Set up through a relay that is then stopped:
//  - Rowan (the host) founds a group; seven guests are admitted through the app and close Hearth;
//  - while they are away (a month, say), 42 more members are admitted and 600 entries written, from
//    this process through the relay, as the members' own devices; Rowan's phone takes them in;
//  - the relay stops. Each guest opens Hearth again (from its service worker) and pairs with Rowan
//    by camera, one after another: a star of 1 host and 7 guests.
// Figures: time from Rowan showing a code to the first guest holding the whole 50-member group,
// with the QR codes counted; bytes over the channel for that month away (both ways, as the
// phones' own counters say); the star of 1 + 7: time until every guest is synced, and the CPU the
// host's Chromium (every process of it) used meanwhile.
import { expect } from '@playwright/test';
import type { TestInfo } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  startRelay,
  waitForServiceWorker
} from '../tests/e2e/helpers';
import { closePhones, noServer, pair, phone, type Phone } from '../tests/e2e/nearby-kit';
import { treeCpuSeconds } from '../tests/kit/proc';
import { groupWriter, report } from './lib';

const GUESTS = 7;
const MEMBERS = 50;
const MONTH = 600;
const RELAY = 3311;

const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-nearby-'));
const info = { outputPath: (name: string) => join(dir, name) } as unknown as TestInfo;
const relay = await startRelay({ port: RELAY, dataDir: join(dir, 'relay') });
const LONG = { timeout: 180_000 };

/** The main process of the Chromium whose fake camera plays `video`. */
function browserPid(video: string): number {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(`--use-file-for-fake-video-capture=${video}`) && !cmd.includes('--type='))
        return Number(name);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no Chromium plays ${video}`);
}

/** A guest's card for the host, once synced: what arrived and the bytes each way. */
async function syncedWith(p: Phone) {
  const card = p.page.getByTestId('near-peer').first();
  await expect(card).toHaveAttribute('data-state', 'synced', LONG);
  return {
    arrived: Number(await card.getByTestId('near-group').first().getAttribute('data-arrived')),
    bytesIn: Number(await card.getAttribute('data-bytes-in'))
  };
}

const host = await phone(info, 'rowan', relay.url);
const guests: Phone[] = [];
try {
  for (let i = 0; i < GUESTS; i++) guests.push(await phone(info, `guest${i}`, relay.url));
  await createIdentity(host.page, 'Rowan');
  const groupUrl = await createGroup(host.page, 'Hill circle');
  const documentId = new URL(groupUrl).hash.slice(1).split('/')[0]!;
  for (const [i, g] of guests.entries()) {
    await applyToJoin(g.page, await makeInvite(host.page), `Guest ${i}`, 'Hello.');
    await admit(host.page, `Guest ${i}`);
    await expectAdmitted(g.page, 'Hill circle');
  }
  // The guests close Hearth (it stays installed: its service worker serves it later).
  for (const g of guests) {
    await waitForServiceWorker(g.page);
    await g.page.close();
  }

  // A month away: the group grows to 50 members, who write 600 entries.
  await host.page.goto(groupUrl);
  const writer = await groupWriter(host.page, documentId, RELAY);
  const before = writer.count();
  writer.admit(MEMBERS - 1 - GUESTS);
  writer.write(MONTH);
  await writer.flush();
  const missed = writer.count() - before;
  await expect(host.page.getByText(`${MEMBERS} members`)).toBeVisible(LONG);
  await expect(host.page.getByTestId('sync-status')).toHaveAttribute('data-status', 'synced', LONG);

  // No server: the relay stops; the guests open Hearth again from their service workers.
  await noServer(relay, host);
  for (const g of guests) {
    g.page = await g.context.newPage();
    await g.page.goto('/');
  }

  // The first guest: from Rowan showing a code to holding the whole group.
  const hostCpu0 = treeCpuSeconds(browserPid(info.outputPath('rowan-camera.y4m')));
  const t0 = performance.now();
  const { codes } = await pair(host, guests[0]!);
  const first = await syncedWith(guests[0]!);
  const firstMs = performance.now() - t0;
  const hostCard = host.page.getByTestId('near-peer').first();
  const hostIn = Number(await hostCard.getAttribute('data-bytes-in'));
  // Everything the guest missed arrived (what the guest wrote before leaving, Rowan held).
  if (first.arrived < missed)
    throw new Error(`the first guest received ${first.arrived} entries of ${missed}`);
  report(
    `nearby: Rowan showing a code to a guest holding the ${MEMBERS}-member group after a month away`,
    firstMs / 1000,
    's',
    undefined,
    { qrCodes: codes, entriesArrived: first.arrived, entriesMissed: missed, runs: 1 }
  );
  report(
    `nearby: bytes over the channel for a month away (${missed} entries, both ways)`,
    (first.bytesIn + hostIn) / 1024,
    'KiB',
    undefined,
    { toGuest: first.bytesIn, toHost: hostIn, runs: 1 }
  );

  // The star: six more guests pair with Rowan, one after another, each at once.
  for (const g of guests.slice(1)) await pair(host, g);
  const each = [];
  for (const g of guests.slice(1)) each.push(await syncedWith(g));
  const starMs = performance.now() - t0;
  const hostCpu = treeCpuSeconds(browserPid(info.outputPath('rowan-camera.y4m'))) - hostCpu0;
  const short = each.filter((e) => e.arrived < missed).length;
  if (short) throw new Error(`${short} guests did not receive all ${missed} entries`);
  await expect(host.page.locator('[data-testid="near-peer"][data-state="synced"]')).toHaveCount(
    GUESTS,
    LONG
  );
  report(
    `nearby: a star of 1 host + ${GUESTS} guests, first code to every guest synced`,
    starMs / 1000,
    's',
    undefined,
    { guestsSynced: each.length + 1, entriesEach: missed, runs: 1 }
  );
  report(
    `nearby: the host's Chromium CPU for that star (every process of it)`,
    hostCpu,
    'cpu-s',
    undefined,
    { wallSeconds: Math.round(starMs / 100) / 10, runs: 1 }
  );
} finally {
  await closePhones(host, ...guests);
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
