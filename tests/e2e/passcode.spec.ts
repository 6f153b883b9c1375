import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { createGroup, createIdentity, shot } from './helpers';

test('[KEY-1] a passcode locks Hearth on this device: wrong passcode → calm message, right one → everything is there', async ({
  page
}) => {
  await createIdentity(page, 'Jun');
  await createGroup(page, 'Evening walkers');
  await page.goto('/settings');
  await page.getByLabel('New passcode').fill('quiet river 7');
  await page.getByLabel('The same passcode again').fill('quiet river 8');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await expect(page.getByTestId('passcode-message')).toContainText('different');
  await page.getByLabel('The same passcode again').fill('quiet river 7');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await expect(page.getByTestId('passcode-message')).toContainText('Done', { timeout: 30_000 });

  // The key is no longer stored in the clear.
  const stored = await page.evaluate(
    () =>
      new Promise<{ plain: boolean; wrapped: boolean }>((resolve) => {
        const open = indexedDB.open('hearth');
        open.onsuccess = () => {
          const get = open.result.transaction('identity').objectStore('identity').get('self');
          get.onsuccess = () => {
            const row = get.result as { secretKey?: unknown; wrapped?: unknown };
            resolve({ plain: row.secretKey !== undefined, wrapped: row.wrapped !== undefined });
          };
        };
      })
  );
  expect(stored).toEqual({ plain: false, wrapped: true });

  await page.reload();
  await expect(page.getByRole('heading', { name: 'Hearth is locked' })).toBeVisible();
  const axe = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(axe.violations.map((v) => v.id)).toEqual([]);
  await shot(page, 'locked');
  await page.getByLabel('Passcode').fill('not it');
  await page.getByRole('button', { name: 'Open Hearth' }).click();
  await expect(page.getByRole('alert')).toContainText('didn’t open Hearth', { timeout: 30_000 });
  await page.getByLabel('Passcode').fill('quiet river 7');
  await page.getByRole('button', { name: 'Open Hearth' }).click();
  // Unlocked, the page that was open (Settings) shows; the groups are all there.
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Hi, Jun' })).toBeVisible();
  await expect(page.getByTestId('group-list')).toContainText('Evening walkers');

  // "Lock Hearth now" for a shared phone, then remove the passcode. (In-app navigation: a full
  // reload would lock Hearth again, as it should.)
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Lock Hearth now' }).click();
  await expect(page.getByRole('heading', { name: 'Hearth is locked' })).toBeVisible();
  await page.getByLabel('Passcode').fill('quiet river 7');
  await page.getByRole('button', { name: 'Open Hearth' }).click();
  await page.getByLabel('To remove the passcode, enter it').fill('quiet river 7');
  await page.getByRole('button', { name: 'Remove passcode' }).click();
  await expect(page.getByTestId('passcode-message')).toContainText('removed', { timeout: 30_000 });
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Hearth is locked' })).toHaveCount(0);
});
