import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  shot,
  startRelay
} from './helpers';

const LOCAL_PORT = 3211;
const LOCAL = `ws://127.0.0.1:${LOCAL_PORT}/sync`;

async function relays(page: Page) {
  await page.getByRole('link', { name: 'Settings' }).click();
  return page.getByTestId('relay-list');
}

/** Adds a relay as a person types it; the list shows the address the app will use. */
async function addRelay(page: Page, typed: string) {
  await page.getByLabel('Add a relay address').fill(typed);
  await page.getByRole('button', { name: 'Add relay' }).click();
  await expect(page.getByTestId('relay-list')).toContainText(LOCAL);
}

async function restart(page: Page) {
  await page.getByTestId('relay-restart').getByRole('button', { name: 'Restart now' }).click();
  await expect(page.getByTestId('relay-list')).toBeVisible();
}

test('[SYNC-4] several relays: a phone syncs through the app’s relay and a local one, each with its status; a phone that uses only the local relay still joins the group', async ({
  browser
}) => {
  test.setTimeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), 'hearth-local-relay-'));
  const local = await startRelay({ port: LOCAL_PORT, dataDir: dir });
  const a = await browser.newContext();
  const b = await browser.newContext();
  try {
    const rowan = await a.newPage();
    const sam = await b.newPage();
    await createIdentity(rowan, 'Rowan');
    await createIdentity(sam, 'Sam');

    // Rowan keeps the app's relay and adds a second one (on this machine: an https app may use
    // plain ws:// only to loopback, NEAR-9).
    const list = await relays(rowan);
    await expect(list.getByTestId('relay')).toHaveCount(1);
    await addRelay(rowan, 'http://127.0.0.1:3211');
    await expect(list.getByTestId('relay').nth(1).getByTestId('relay-status')).toHaveText(
      'Used after a restart'
    );
    await restart(rowan);
    for (const i of [0, 1])
      await expect(rowan.getByTestId('relay').nth(i).getByTestId('relay-status')).toHaveText(
        'Connected',
        { timeout: 30_000 }
      );
    await shot(rowan, 'settings-relays');

    // Sam uses only the second relay.
    await relays(sam);
    await addRelay(sam, LOCAL);
    await sam
      .getByTestId('relay')
      .first()
      .getByRole('button', { name: /^Remove/ })
      .click();
    await restart(sam);
    await expect(sam.getByTestId('relay')).toHaveCount(1);
    await expect(sam.getByTestId('relay').first()).toContainText(LOCAL);
    await expect(sam.getByTestId('relay-status')).toHaveText('Connected', { timeout: 30_000 });

    // Everything Sam and Rowan exchange goes through the second relay.
    await createGroup(rowan, 'Village circle');
    await applyToJoin(sam, await makeInvite(rowan), 'Sam', 'Hello from the meeting.');
    await admit(rowan, 'Sam');
    await expectAdmitted(sam, 'Village circle');

    // The second relay goes away: Sam's phone says so, calmly.
    await local.stop();
    await relays(sam);
    await expect(sam.getByTestId('relay-status')).toHaveText('Can’t reach it now', {
      timeout: 30_000
    });
  } finally {
    await a.close();
    await b.close();
    await local.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
