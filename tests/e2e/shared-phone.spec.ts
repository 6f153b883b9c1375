import { expect, test } from '@playwright/test';
import { createGroup, createIdentity, expectNoViolations, shot } from './helpers';

test('[KEY-3] two people share one phone: each with their own groups behind their own passcode', async ({
  page
}) => {
  await createIdentity(page, 'Ana');
  await createGroup(page, 'Ana’s circle');

  // Ana adds Bea on the same phone; Hearth switches to Bea, who starts with no groups.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Add another person on this phone').click();
  await page.getByLabel('Their name in groups').fill('Bea');
  await page.getByLabel('Their passcode (at least 6 characters)').fill('bea-passcode');
  await page.getByLabel('Their passcode again').fill('bea-passcode');
  await page.getByRole('button', { name: 'Add and switch to them' }).click();
  await page.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Hi, Bea' })).toBeVisible();
  await expect(page.getByTestId('groups-empty')).toBeVisible();
  // (No reload here: a reload asks for Bea's passcode, as it should.)
  await page.getByTestId('start-group').click();
  await page.getByLabel('Group name').fill('Bea’s circle');
  await page.getByRole('button', { name: 'Create the group' }).click();
  await expect(page.getByTestId('group-name')).toHaveText('Bea’s circle');

  // Bea hands the phone back: switching to Ana (no passcode) shows only Ana's groups.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Switch to Ana' }).click();
  await page.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Hi, Ana' })).toBeVisible();
  await expect(page.getByTestId('group-list')).toContainText('Ana’s circle');
  await expect(page.getByTestId('group-list')).not.toContainText('Bea’s circle');
  // Ana is told that a passcode would keep her groups private from Bea.
  await page.getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByText('Others use this phone too')).toBeVisible();

  // Switching to Bea asks for Bea's passcode, even after a reload.
  await page.getByRole('button', { name: 'Switch to Bea' }).click();
  await expect(page.getByRole('heading', { name: 'Hearth is locked for Bea' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Hearth is locked for Bea' })).toBeVisible();
  await expectNoViolations(page, 'lock screen for one of two people');
  await shot(page, 'shared-phone-locked');
  await page.getByLabel('Passcode').fill('wrong-passcode');
  await page.getByRole('button', { name: 'Open Hearth' }).click();
  await expect(page.getByRole('alert')).toContainText('didn’t open Hearth');
  await page.getByLabel('Passcode').fill('bea-passcode');
  await page.getByRole('button', { name: 'Open Hearth' }).click();
  await page.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Hi, Bea' })).toBeVisible();
  await expect(page.getByTestId('group-list')).toContainText('Bea’s circle');
  await expect(page.getByTestId('group-list')).not.toContainText('Ana’s circle');

  // "Not Bea?" on the lock screen leads back to Ana.
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Lock Hearth now' }).click();
  await page.getByRole('button', { name: 'Switch to Ana' }).click();
  await page.getByRole('link', { name: 'Groups' }).click();
  await expect(page.getByRole('heading', { name: 'Hi, Ana' })).toBeVisible();
});
