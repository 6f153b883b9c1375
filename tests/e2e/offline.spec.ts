import { expect, test } from '@playwright/test';
import {
  admit,
  expectAdmitted,
  applyToJoin,
  createGroup,
  createIdentity,
  expectSyncStatus,
  makeInvite,
  propose,
  shot,
  tab,
  waitForServiceWorker
} from './helpers';

test('[PWA-1] [APP-9] the service worker installs; offline, a reload shows the app and the local groups, and what is written offline reaches the other member later', async ({
  page,
  context,
  browser
}) => {
  await createIdentity(page, 'Ash');
  await shot(page, 'home-empty');
  await createGroup(page, 'Morning walkers');
  await propose(page, 'Written while online.');
  await expectSyncStatus(page, 'synced');
  await waitForServiceWorker(page);

  // A second member, on another phone, to receive what is written offline.
  const invite = await makeInvite(page);
  const other = await browser.newContext();
  const second = await other.newPage();
  await applyToJoin(second, invite, 'Bo', 'Walking helps me.');
  await admit(page, 'Bo');
  await expectAdmitted(second);
  await expect(second.getByTestId('group-name')).toHaveText('Morning walkers', { timeout: 30_000 });

  await context.setOffline(true);
  await expectSyncStatus(page, 'offline');

  // A reload with no network: every response must come from the service worker.
  const fromNetwork: string[] = [];
  page.on('response', (r) => {
    if (!r.fromServiceWorker() && !r.url().startsWith('data:')) fromNetwork.push(r.url());
  });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Hi, Ash' })).toBeVisible();
  await expect(page.getByTestId('group-list')).toContainText('Morning walkers');
  await expectSyncStatus(page, 'offline');
  await shot(page, 'home-offline');

  // The group itself opens offline from the device (the Automerge wasm is precached too),
  // and a proposal written offline is kept, marked as not shared yet.
  await page.getByRole('link', { name: 'Morning walkers' }).click();
  await tab(page, 'Decisions');
  await expect(page.locator('main')).toContainText('Written while online.');
  await propose(page, 'Written while offline.');
  await expect(page.getByTestId('unsynced')).toBeVisible();
  await shot(page, 'group-offline');
  expect(fromNetwork).toEqual([]);

  // The group list marks the group too [APP-9].
  await page.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByTestId('group-unsynced')).toHaveText('1 not shared yet');

  // Back online, the offline proposal reaches the relay and the other member; the list's badge
  // clears without opening the group.
  await context.setOffline(false);
  await expect(page.getByTestId('group-unsynced')).toHaveCount(0, { timeout: 30_000 });
  await page.getByRole('link', { name: 'Morning walkers' }).click();
  await expectSyncStatus(page, 'synced', 30_000);
  await expect(page.getByTestId('unsynced')).toHaveCount(0);
  await tab(second, 'Decisions');
  await expect(second.locator('main')).toContainText('Written while offline.', { timeout: 30_000 });
  await other.close();
});

test('[LINK-2] a link to a group nobody has shows a calm "not here yet" page, not an error', async ({
  page
}) => {
  await createIdentity(page, 'Ola');
  await page.goto('/group#2xFw2ABj6WRRMWBaws8JWmeJWSzW');
  await expect(page.getByTestId('group-unavailable')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'group-unavailable');
});

test('[LINK-2] a cut-short link says so', async ({ page }) => {
  await page.goto('/group#not-a-real-id');
  await expect(page.getByRole('heading', { name: 'That link doesn’t look right' })).toBeVisible();
});
