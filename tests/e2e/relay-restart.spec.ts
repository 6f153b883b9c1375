import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  admit,
  expectAdmitted,
  applyToJoin,
  createGroup,
  createIdentity,
  expectSyncStatus,
  makeInvite,
  propose,
  startRelay,
  tab
} from './helpers';

const PORT = 3198;

test('[REL-4] the relay restarts and the data is still there; phones reconnect by themselves', async ({
  browser
}) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-restart-'));
  let relay = await startRelay({ port: PORT, dataDir });
  try {
    const a = await browser.newContext({ baseURL: relay.url });
    const pageA = await a.newPage();
    await createIdentity(pageA, 'Kit');
    await createGroup(pageA, 'Night shift parents');
    await propose(pageA, 'Stored before the restart.');
    const invite = await makeInvite(pageA);
    await expectSyncStatus(pageA, 'synced');

    // SIGTERM: the relay flushes to disk and exits cleanly.
    expect(await relay.stop()).toBe(0);
    await expectSyncStatus(pageA, 'unreachable', 30_000);
    relay = await startRelay({ port: PORT, dataDir });

    // A brand-new device with empty storage gets the group from the relay's disk alone: it
    // finds the invitation there, asks to join, and once admitted reads what was stored.
    const b = await browser.newContext({ baseURL: relay.url });
    const pageB = await b.newPage();
    await applyToJoin(
      pageB,
      invite.replace(/^https?:\/\/[^/]+/, ''),
      'Lee',
      'Night shifts are lonely.'
    );

    // The first phone reconnected on its own and still syncs live.
    await expectSyncStatus(pageA, 'synced', 30_000);
    await admit(pageA, 'Lee');
    await expectAdmitted(pageB);
    await tab(pageB, 'Decisions');
    await expect(pageB.locator('main')).toContainText('Stored before the restart.', {
      timeout: 30_000
    });
    await propose(pageA, 'Written after the restart.');
    await expect(pageB.locator('main')).toContainText('Written after the restart.', {
      timeout: 30_000
    });
    await a.close();
    await b.close();
  } finally {
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
