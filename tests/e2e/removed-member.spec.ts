import { expect, test } from '@playwright/test';
import { foundWithMember, openProposal, propose, shot, tab } from './helpers';

test('[ENC-6] [ENC-9] a member the group asks to leave is told calmly and cannot read what is written afterwards', async ({
  browser
}) => {
  const { a, b, founder, member, groupUrl } = await foundWithMember(browser);
  await propose(founder, 'Written while Sam was a member');
  await tab(member, 'Decisions');
  await expect(member.locator('main')).toContainText('Written while Sam was a member');

  // The group votes Sam out.
  await tab(founder, 'Decisions');
  await founder
    .getByLabel('What kind of decision?')
    .selectOption({ label: 'Ask a member to leave' });
  await founder.getByLabel('Member').selectOption({ label: 'Sam' });
  await founder.getByRole('button', { name: 'Start the vote' }).click();
  await openProposal(founder, 'Ask a member to leave');
  await founder.getByRole('button', { name: 'Yes', exact: true }).click();
  await founder.getByRole('button', { name: 'Close the vote and record the result' }).click();
  await expect(founder.getByTestId('execution')).toContainText('removed from the group');
  // The key rotated in the same step, said in words (not a raw "new key epoch 2").
  await expect(founder.getByTestId('execution')).toContainText('the group’s key changed');
  await expect(founder.getByTestId('execution')).not.toContainText('epoch');

  // Written after the removal, with the new key.
  await founder.goto(groupUrl);
  await propose(founder, 'MARK-AFTER-REMOVAL plans for spring');
  await tab(founder, 'Decisions');
  await openProposal(founder, 'MARK-AFTER-REMOVAL');
  const proposalUrl = founder.url();

  // Sam's phone gets the news and says so calmly; the new text never appears on it, not even by
  // opening the proposal's own link.
  await member.goto(groupUrl);
  await expect(member.getByText('You are no longer a member of this group.')).toBeVisible({
    timeout: 30_000
  });
  await member.goto(proposalUrl);
  await expect(member.getByText('You are no longer a member of this group.')).toBeVisible();
  await expect(member.locator('body')).not.toContainText('MARK-AFTER-REMOVAL');
  await shot(member, 'removed-member');
  await a.close();
  await b.close();
});
