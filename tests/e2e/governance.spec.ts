import { expect, test } from '@playwright/test';
import { createIdentity, foundWithMember, openProposal, shot, tab } from './helpers';

test('[APP-7] [APP-8] [GOV-2] [GOV-11] onboarding, mentoring, delegation, points, a rule change, an outcome and an emergency pause with its countdown', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const {
    a: founderCtx,
    b: memberCtx,
    founder,
    member,
    groupUrl
  } = await foundWithMember(browser, 'I would like company on hard evenings.');
  // The founder wrote the first rules: no onboarding card for them.
  await tab(founder, 'Home');
  await expect(founder.getByTestId('onboarding')).toHaveCount(0);

  // Onboarding: the rules and the mentor.
  await tab(member, 'Home');
  await expect(member.getByTestId('onboarding')).toContainText('Welcome, Sam');
  await expect(member.getByTestId('onboarding-mentor')).toContainText('will be chosen');
  await founder.goto(groupUrl);
  await tab(founder, 'People');
  await founder.getByRole('button', { name: 'Be their mentor' }).click();
  await expect(founder.locator('main').getByRole('status')).toContainText(
    'You are now Sam’s mentor'
  );
  await expect(member.getByTestId('onboarding-mentor')).toContainText('Your mentor is Rowan', {
    timeout: 30_000
  });
  await shot(member, 'onboarding');
  await member.getByTestId('accept-rules').click();
  await expect(member.getByTestId('onboarding')).toHaveCount(0);
  await member.reload();
  await expect(member.getByTestId('group-name')).toBeVisible();
  await expect(member.getByTestId('onboarding')).toHaveCount(0);

  // Mentoring earned reputation, with the reason.
  await expect(founder.getByTestId('members-leader')).toContainText('6 reputation');

  // A private conversation between mentor and mentee [SPACE-4].
  await founder.getByRole('button', { name: 'Talk privately with Sam' }).click();
  await expect(founder.getByTestId('private-note')).toContainText('only you and Sam');
  await founder.getByLabel('Your post').fill('How was your first week?');
  await founder.getByRole('button', { name: 'Post', exact: true }).click();
  await tab(member, 'Support');
  await expect(member.getByTestId('private-badge')).toBeVisible({ timeout: 30_000 });
  await member.getByTestId('thread-item').getByRole('link').click();
  await expect(member.getByTestId('posts')).toContainText('How was your first week?', {
    timeout: 30_000
  });
  await shot(member, 'private-conversation');
  await founder.goto(groupUrl);

  // Delegation: Sam gives their vote on general decisions to Rowan, then takes it back.
  await tab(member, 'People');
  await member.getByLabel('On which decisions').selectOption({ label: 'A group decision' });
  await member.getByLabel('Who votes for you').selectOption({ label: 'Rowan' });
  await member.getByRole('button', { name: 'Give my vote' }).click();
  await expect(member.getByTestId('my-delegations')).toContainText(
    'Rowan votes for you on “A group decision”'
  );
  await member.getByRole('button', { name: 'Take it back' }).click();
  await expect(member.getByTestId('my-delegations')).toHaveCount(0);

  // Points from the treasury, with the reason, on the People page.
  await tab(founder, 'Decisions');
  await founder
    .getByLabel('What kind of decision?')
    .selectOption({ label: 'Give points from the treasury' });
  await founder.getByLabel('Member').selectOption({ label: 'Sam' });
  await founder.getByLabel('Points').fill('5');
  await founder.getByLabel('Describe it').fill('For setting up the room');
  await founder.getByRole('button', { name: 'Start the vote' }).click();
  await openProposal(founder, 'For setting up the room');
  await founder.getByRole('button', { name: 'Yes', exact: true }).click();
  await founder.getByRole('button', { name: 'Close the vote and record the result' }).click();
  await expect(founder.getByTestId('execution')).toContainText('5 points allocated');
  // The outcome statement and a review date.
  await founder.getByLabel('What the group decided, in plain words').fill('Sam gets 5 points.');
  await founder.getByLabel('Look at it again on (optional)').fill('2099-03-01');
  await founder.getByRole('button', { name: 'Save the outcome' }).click();
  await expect(founder.getByTestId('outcome')).toContainText('Sam gets 5 points.');
  await expect(founder.getByTestId('outcome')).toContainText('2099');
  await tab(founder, 'People');
  await expect(founder.getByTestId('treasury')).toContainText('95 points');
  await founder.getByText('· 5 points').click();
  await expect(founder.locator('main')).toContainText(
    '+5 points from the treasury: For setting up the room'
  );
  await shot(founder, 'people-earned');

  // Changing how general decisions are made.
  await tab(founder, 'Decisions');
  await founder
    .getByLabel('What kind of decision?')
    .selectOption({ label: 'Change how we decide' });
  await founder.getByLabel('Which decisions').selectOption({ label: 'A group decision' });
  await founder.getByLabel('How many must take part (quorum, %)').fill('30');
  await founder.getByLabel('Days to vote').fill('3');
  await founder.getByRole('button', { name: 'Start the vote' }).click();
  await founder
    .getByTestId('proposal-item')
    .filter({ hasText: 'Change how we decide' })
    .first()
    .getByRole('link')
    .click();
  await expect(founder.getByTestId('proposal')).toContainText('At least 30% must take part');
  await founder.getByRole('button', { name: 'Yes', exact: true }).click();
  await founder.getByRole('button', { name: 'Close the vote and record the result' }).click();
  await expect(founder.getByTestId('proposal-status')).toHaveText('Passed');

  // An emergency pause: countdown on the home page, the vote on it, and the paused member told.
  await tab(founder, 'People');
  await founder.getByLabel('Whose posting to pause').selectOption({ label: 'Sam' });
  await founder.getByLabel('For how many hours (1–72)').fill('24');
  await founder.getByLabel('Why (members read this)').fill('A cooling-off evening');
  await founder.getByRole('button', { name: 'Pause their posting' }).click();
  await expect(founder.locator('main').getByRole('status')).toContainText('A vote has started');
  await tab(founder, 'Home');
  await expect(founder.getByTestId('countdown')).toContainText(/23 hours|1 day/);
  await shot(founder, 'emergency-countdown');
  await founder.getByRole('link', { name: 'The vote on it' }).click();
  await expect(founder.getByTestId('proposal')).toContainText('paused Sam’s posting');
  await expect(member.getByTestId('group-name')).toBeVisible();
  await tab(member, 'Decisions');
  await openProposal(member, 'Confirm an emergency action');
  await expect(member.getByTestId('muted-notice')).toBeVisible({ timeout: 30_000 });
  await founderCtx.close();
  await memberCtx.close();
});

test('[GOV-2] [APP-6] the founder changes how one kind of decision is made before the group starts', async ({
  page
}) => {
  await createIdentity(page, 'Ines');
  await page.getByTestId('start-group').click();
  await page.getByLabel('Group name').fill('Quorum test');
  await page.getByText('How decisions are made').click();
  await page.getByLabel('Which decisions').selectOption({ label: 'A group decision' });
  await page.getByLabel('How many must take part (quorum, %)').fill('25');
  await page.getByLabel('Days to vote').fill('2');
  await page.getByRole('button', { name: 'Use these rules for this kind of decision' }).click();
  await expect(page.getByTestId('custom-rules')).toContainText('At least 25% must take part');
  await shot(page, 'new-group-rules');
  await page.getByRole('button', { name: 'Create the group' }).click();
  await expect(page.getByTestId('group-name')).toHaveText('Quorum test');
  await tab(page, 'Decisions');
  await page.getByLabel('Describe it').fill('Meet on Fridays');
  await page.getByRole('button', { name: 'Start the vote' }).click();
  await openProposal(page, 'Meet on Fridays');
  // In people, not weights: the founder alone reads "0 of 1" and "at least 1", not "0 of 3".
  await expect(page.getByTestId('tally')).toContainText('Members who have voted: 0 of 1.');
  await expect(page.getByTestId('tally')).toContainText(
    'Members who still need to vote for it to count: at least 1 (25% of the voting weight must take part)'
  );
  await expect(page.getByTestId('tally')).toContainText('2 days');
});

test('[APP-5] a group for eating disorders starts with the safety rules it needs, ticked and marked; another kind takes them away; the founder may untick one', async ({
  page
}) => {
  await createIdentity(page, 'Ines');
  await page.getByTestId('start-group').click();
  await page.getByLabel('Group name').fill('Kind table');
  const kindRules = page.getByTestId('kind-rule');
  await expect(kindRules).toHaveCount(0);
  await page.getByLabel('What kind of group is it?').selectOption({ label: 'Eating disorders' });
  await expect(kindRules).toHaveCount(2);
  const numbers = page.getByRole('checkbox', { name: /No numbers/ });
  const advice = page.getByRole('checkbox', { name: /No diet or exercise advice/ });
  await expect(numbers).toBeChecked();
  await expect(advice).toBeChecked();
  // Trauma instead: the eating-disorder rules go, the trauma ones come, ticked.
  await page.getByLabel('What kind of group is it?').selectOption({ label: 'PTSD recovery' });
  await expect(kindRules).toHaveCount(3);
  await expect(numbers).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: /Nobody is asked what happened/ })).toBeChecked();
  // Back, and one left out by the founder's choice.
  await page.getByLabel('What kind of group is it?').selectOption({ label: 'Eating disorders' });
  await expect(numbers).toBeChecked();
  await advice.uncheck();
  await shot(page, 'new-group-kind-rules');
  await page.getByRole('button', { name: 'Create the group' }).click();
  await expect(page.getByTestId('group-name')).toHaveText('Kind table');
  const rules = page.getByTestId('rules');
  await expect(rules).toContainText('5. No numbers: We do not share weights, calories, sizes');
  await expect(rules).not.toContainText('No diet or exercise advice');
  await expect(rules).not.toContainText('Nobody is asked what happened');
});

test('[GOV-12] a rules change shows, on its proposal, what it would change from the rules in force, line by line', async ({
  page
}) => {
  await createIdentity(page, 'Ines');
  await page.getByTestId('start-group').click();
  await page.getByLabel('Group name').fill('Diff circle');
  await page.getByRole('button', { name: 'Create the group' }).click();
  await expect(page.getByTestId('group-name')).toHaveText('Diff circle');
  await tab(page, 'Decisions');
  await page.getByLabel('What kind of decision?').selectOption({ label: 'Change the rules' });
  const field = page.getByLabel('The rules as they would be');
  // The form starts from the rules in force: one line changed, one added.
  const now = await field.inputValue();
  const lines = now.split('\n');
  lines[1] = '2. Sharing boundaries: Nobody is pressed for details, ever.';
  await field.fill([...lines, '5. We start on time.'].join('\n'));
  await page.getByRole('button', { name: 'Start the vote' }).click();
  await openProposal(page, 'Supportive language');
  const diff = page.getByTestId('rules-diff');
  await expect(diff).toContainText('What would change from the rules in force (version 1)');
  await expect(diff.locator('.added')).toHaveText([
    /\+ 2\. Sharing boundaries: Nobody is pressed for details, ever\./,
    /\+ 5\. We start on time\./
  ]);
  await expect(diff.locator('.removed')).toHaveText([/− 2\. Sharing boundaries: Everyone decides/]);
  // The whole text is one tap away.
  await expect(page.getByTestId('proposal-text')).toBeHidden();
  await page.getByText('The rules as they would be, whole').click();
  await expect(page.getByTestId('proposal-text')).toContainText('5. We start on time.');
  await shot(page, 'proposal-rules-diff');
});
