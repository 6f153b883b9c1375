import { expect, test } from '@playwright/test';
import {
  admit,
  expectAdmitted,
  createGroup,
  createIdentity,
  expectSyncStatus,
  makeInvite,
  openProposal,
  propose,
  shot,
  tab
} from './helpers';

test('[SYNC-2][LINK-2] two browsers: an invitation link pasted into “Open a link”, then each sees the other’s writing live', async ({
  browser
}) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  const pageA = await a.newPage();
  const pageB = await b.newPage();

  await createIdentity(pageA, 'Rowan');
  await createGroup(pageA, 'Grief support, Thursdays');
  const invite = await makeInvite(pageA);

  await createIdentity(pageB, 'Sam');
  // B pastes the link into "Open a link", as a person given the link in a message would.
  await pageB.getByLabel('A group or invitation link someone shared with you').fill(`  ${invite} `);
  await pageB.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(pageB).toHaveURL(/\/join#/);
  await pageB.getByLabel('Why would you like to join?').fill('A friend told me about you.');
  await pageB.getByRole('button', { name: 'Ask to join' }).click();
  await expect(pageB.getByTestId('application-waiting')).toBeVisible();
  await admit(pageA, 'Sam');
  await expectAdmitted(pageB);
  await expect(pageB.getByTestId('group-name')).toHaveText('Grief support, Thursdays', {
    timeout: 30_000
  });

  // Live, both ways: A proposes, B sees it and comments, A sees the comment.
  await propose(pageA, 'Welcome, everyone. Shall we meet weekly?');
  await tab(pageB, 'Decisions');
  await openProposal(pageB, 'Shall we meet weekly?');
  await pageB.getByLabel('Add to the discussion').fill('Thank you for having me.');
  await pageB.getByRole('button', { name: 'Post comment' }).click();
  await tab(pageA, 'Decisions');
  await openProposal(pageA, 'Shall we meet weekly?');
  await expect(pageA.getByTestId('proposal')).toContainText('Thank you for having me.');
  await expect(pageA.getByTestId('proposal')).toContainText('Sam');
  await expectSyncStatus(pageA, 'synced');
  await expectSyncStatus(pageB, 'synced');
  await shot(pageA, 'group-two-browsers-a');
  await shot(pageB, 'group-two-browsers-b');

  // The joined group is now on B's list too, under its real name.
  await pageB.goto('/');
  await expect(pageB.getByTestId('group-list')).toContainText('Grief support, Thursdays');
  await a.close();
  await b.close();
});
