import { expect, test } from '@playwright/test';
import {
  addNote,
  createGroup,
  createIdentity,
  expectSyncStatus,
  shot,
  waitForServiceWorker
} from './helpers';

test('[PWA-1] the service worker installs; offline, a reload shows the app and the local groups', async ({
  page,
  context
}) => {
  await createIdentity(page, 'Ash');
  await shot(page, 'home-empty');
  const link = await createGroup(page, 'Morning walkers');
  await addNote(page, 'Written while online.');
  await expectSyncStatus(page, 'synced');
  await waitForServiceWorker(page);

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
  // and a note written offline is kept.
  await page.getByRole('link', { name: 'Morning walkers' }).click();
  await expect(page.getByTestId('notes')).toContainText('Written while online.');
  await addNote(page, 'Written while offline.');
  await shot(page, 'group-offline');
  expect(fromNetwork).toEqual([]);

  // Back online, the offline note reaches the relay: a fresh device can read it.
  await context.setOffline(false);
  await expectSyncStatus(page, 'synced', 30_000);
  const other = await context.browser()!.newContext();
  const second = await other.newPage();
  await second.goto(link);
  await expect(second.getByTestId('notes')).toContainText('Written while offline.');
  await other.close();
});

test('[LINK-2] a link to a group nobody has shows a calm "not here yet" page, not an error', async ({
  page
}) => {
  await page.goto('/group#2xFw2ABj6WRRMWBaws8JWmeJWSzW');
  await expect(page.getByTestId('group-unavailable')).toBeVisible({ timeout: 30_000 });
  await shot(page, 'group-unavailable');
});

test('[LINK-2] a cut-short link says so', async ({ page }) => {
  await page.goto('/group#not-a-real-id');
  await expect(page.getByRole('heading', { name: 'That link doesn’t look right' })).toBeVisible();
});
