import { expect, test } from '@playwright/test';
import { addNote, createGroup, createIdentity, expectSyncStatus, shot } from './helpers';

test('[SYNC-2][LINK-2] two browsers edit one group through the relay and each sees the other live', async ({
  browser
}) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();

  await createIdentity(pageA, 'Rowan');
  const link = await createGroup(pageA, 'Grief support, Thursdays');
  await addNote(pageA, 'Welcome, everyone.');

  await createIdentity(pageB, 'Sam');
  // B pastes the link into "Open a group link", as a person given the link in a message would.
  await pageB.getByLabel('Link someone shared with you').fill(`  ${link} `);
  await pageB.getByRole('button', { name: 'Open' }).click();
  await expect(pageB).toHaveURL(/\/group#/);
  await expect(pageB.getByTestId('group-name')).toHaveText('Grief support, Thursdays');
  await expect(pageB.getByTestId('notes')).toContainText('Welcome, everyone.');

  await addNote(pageB, 'Thank you for having me.');
  await expect(pageA.getByTestId('notes')).toContainText('Thank you for having me.');
  await expect(pageA.getByTestId('notes')).toContainText('Sam');
  await expectSyncStatus(pageA, 'synced');
  await expectSyncStatus(pageB, 'synced');
  await shot(pageA, 'group-two-browsers-a');
  await shot(pageB, 'group-two-browsers-b');

  // The joined group is now on B's list too.
  await pageB.goto('/');
  await expect(pageB.getByTestId('group-list')).toContainText('Grief support, Thursdays');
  await a.close();
  await b.close();
});
