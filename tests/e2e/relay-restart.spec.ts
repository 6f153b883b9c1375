import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNote, createGroup, createIdentity, expectSyncStatus, startRelay } from './helpers';

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
    const link = await createGroup(pageA, 'Night shift parents');
    await addNote(pageA, 'Stored before the restart.');
    await expectSyncStatus(pageA, 'synced');

    // SIGTERM: the relay flushes to disk and exits cleanly.
    expect(await relay.stop()).toBe(0);
    await expectSyncStatus(pageA, 'unreachable', 30_000);
    relay = await startRelay({ port: PORT, dataDir });

    // A brand-new device with empty storage gets the group from the relay's disk alone.
    const b = await browser.newContext({ baseURL: relay.url });
    const pageB = await b.newPage();
    await pageB.goto(link);
    await expect(pageB.getByTestId('notes')).toContainText('Stored before the restart.');

    // The first phone reconnected on its own and still syncs live.
    await expectSyncStatus(pageA, 'synced', 30_000);
    await addNote(pageA, 'Written after the restart.');
    await expect(pageB.getByTestId('notes')).toContainText('Written after the restart.');
    await a.close();
    await b.close();
  } finally {
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
