import { expect, test } from '@playwright/test';
import {
  circleOf,
  expectNoViolations,
  foundWithMember,
  openProposal,
  openThread,
  shot,
  tab
} from './helpers';

test('[SAFE-24] a member asks for a check-in from the crisis panel; the responder on another browser gets it through the relay and checks in; the asker sees who answered; another member sees nothing', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const circle = await circleOf(browser, ['Sam', 'Ana']);
  const { founder: rowan } = circle;
  const [sam, ana] = circle.members;

  // Sam starts writing and the panel opens; from it Sam asks the responders to check in.
  await tab(sam!, 'Support');
  await sam!.getByLabel('First post').fill('I want to die, I can’t do this anymore');
  const panel = sam!.getByTestId('crisis-panel');
  await expect(panel).toBeVisible();
  await panel.getByRole('button', { name: 'Ask someone from the group to check in on me' }).click();
  await expect(panel).toContainText('The group’s responders (Rowan)');
  await expectNoViolations(sam!, 'the check-in request form');
  // What goes out if Sam writes nothing is said before anything is sent.
  await expect(panel.getByTestId('checkin-default')).toContainText(
    'If you leave this empty, Hearth sends: “I’d like someone to check in on me.”'
  );
  await panel
    .getByLabel('Anything you’d like them to know (optional)')
    .fill('MARK-ASK rough night');
  await panel.getByTestId('checkin-send').click();
  await expect(panel.getByTestId('checkin-sent')).toBeVisible();
  // The draft was not sent anywhere: it is still in the composer, unposted.
  await expect(sam!.getByLabel('First post')).toHaveValue('I want to die, I can’t do this anymore');
  await shot(sam!, 'care-request-sent');

  // Rowan, a leader and so a responder, sees it first on the group's home.
  await tab(rowan, 'Home');
  const card = rowan.getByTestId('care-requests');
  await expect(card).toContainText('Sam asked for someone to check in', { timeout: 30_000 });
  await shot(rowan, 'care-request-responder');
  await expectNoViolations(rowan, 'check-in requests on the home');
  await card.getByTestId('care-checkin').click();
  await expect(rowan.getByTestId('private-note')).toContainText('Only you and Sam can read');
  await expect(rowan.getByTestId('post-text').first()).toHaveText('MARK-ASK rough night', {
    timeout: 30_000
  });
  await rowan.getByTestId('care-checkin-post').click();
  // The sentence waits in the composer, the cursor in it; the responder sends it [A11Y-2].
  await expect(rowan.getByLabel('Your post', { exact: true })).toBeFocused();
  await expect(rowan.getByLabel('Your post', { exact: true })).toHaveValue(
    'I’m here. How are you doing right now?'
  );
  await rowan.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(rowan.getByTestId('care-answered')).toHaveText('Checked in: Rowan');

  // Sam sees who answered, on the home and in the conversation.
  await tab(sam!, 'Home');
  await expect(sam!.getByTestId('care-answered')).toHaveText('Checked in: Rowan', {
    timeout: 30_000
  });
  await sam!.getByTestId('my-care-request').getByRole('link').click();
  await expect(
    sam!.getByTestId('post').filter({ hasText: 'Rowan' }).getByTestId('post-text')
  ).toHaveText('I’m here. How are you doing right now?', { timeout: 30_000 });
  await shot(sam!, 'care-answered');

  // Ana is no responder: no card, and the conversation is not listed for her.
  await tab(ana!, 'Support');
  await expect(ana!.getByTestId('thread-item')).toHaveCount(0);
  await tab(ana!, 'Home');
  await expect(ana!.getByTestId('group-name')).toBeVisible();
  await expect(ana!.getByTestId('care-requests')).toHaveCount(0);
  await expect(ana!.locator('main')).not.toContainText('MARK-ASK');
  await circle.close();
});

test('[SAFE-22] [SAFE-23] a moderator pauses a member’s posting; the member is told calmly, appeals, and the group’s vote lets them post again', async ({
  browser
}) => {
  test.setTimeout(180_000);
  const { a, b, founder: rowan, member: sam } = await foundWithMember(browser);
  await tab(sam, 'Support');
  await sam.getByLabel('Title').fill('Venting');
  await sam.getByLabel('First post').fill('MARK-RUDE you are all useless');
  await sam.getByRole('button', { name: 'Start the conversation' }).click();
  await expect(sam.getByTestId('post-text')).toHaveText('MARK-RUDE you are all useless');

  // Rowan reports it, which puts it in front of the moderators, and pauses Sam for a day.
  await openThread(rowan, 'Venting');
  const post = rowan.getByTestId('post').first();
  await expect(post.getByTestId('post-text')).toBeVisible({ timeout: 30_000 });
  await post.getByRole('button', { name: 'Report' }).click();
  await post
    .getByLabel('Why are you reporting this post?')
    .selectOption({ label: 'Harassment or abuse' });
  await post.getByRole('button', { name: 'Send report' }).click();
  const actions = rowan.getByTestId('moderation-actions');
  // The pause's reason starts from what the report said.
  await expect(actions.getByLabel('Reason')).toHaveValue('harassment');
  await actions.getByLabel('For how long').selectOption({ label: '1 day' });
  await actions.getByTestId('mute-author').click();
  await expect(rowan.getByText('Their posting is paused')).toBeVisible();

  // Sam's composer gives way to a calm notice, with the way to appeal.
  const notice = sam.getByTestId('muted-notice');
  await expect(notice).toContainText('A moderator paused your posting until', { timeout: 30_000 });
  await expect(sam.getByRole('button', { name: 'Post' })).toHaveCount(0);
  // What Sam wrote before the pause is still there (the pause does not reach back).
  await expect(sam.getByTestId('post-text')).toHaveText('MARK-RUDE you are all useless');
  await shot(sam, 'muted-notice');
  await expectNoViolations(sam, 'the paused-posting notice');
  await notice.getByTestId('appeal').click();
  await notice.getByLabel('Why should the group look at this again?').fill('I was upset. Sorry.');
  await notice.getByRole('button', { name: 'Start an appeal vote' }).click();
  await expect(notice).toContainText('The appeal vote has started');

  // The group (here Rowan, the only full member) upholds the appeal.
  await tab(rowan, 'Decisions');
  await openProposal(rowan, 'I was upset');
  await expect(rowan.getByTestId('proposal')).toContainText(
    'An appeal against pausing Sam’s posting'
  );
  await rowan.getByRole('button', { name: 'Yes', exact: true }).click();
  await rowan.getByRole('button', { name: 'Close the vote and record the result' }).click();
  await expect(rowan.getByTestId('execution')).toContainText('the decision was undone');

  await openThread(sam, 'Venting');
  await expect(sam.getByTestId('muted-notice')).toHaveCount(0, { timeout: 30_000 });
  await expect(sam.getByRole('button', { name: 'Post' })).toBeVisible();
  await a.close();
  await b.close();
});

test('[SAFE-25] a member shares their safety plan with one chosen member: she reads it, another member does not see it', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const circle = await circleOf(browser, ['Sam', 'Ana']);
  const { founder: rowan, groupUrl } = circle;
  const [sam, ana] = circle.members;

  // With no plan yet, Sam is pointed to write one.
  await tab(sam!, 'Support');
  await sam!.getByTestId('share-plan').locator('summary').click();
  await expect(sam!.getByTestId('share-plan-none')).toBeVisible();

  await sam!.getByRole('link', { name: 'Safety plan' }).first().click();
  await sam!.getByLabel(/Warning signs/).fill('MARK-SIGN not sleeping');
  await sam!.getByLabel(/reasons for living/i).fill('my sister\nmy dog');
  await sam!.getByRole('button', { name: 'Save my plan' }).click();
  await expect(sam!.getByText('Saved on this phone.')).toBeVisible();
  await expect(sam!.getByTestId('plan-share-hint')).toBeVisible();

  await sam!.goto(groupUrl);
  await tab(sam!, 'Support');
  const share = sam!.getByTestId('share-plan');
  await share.locator('summary').click();
  await share.getByTestId('share-plan-send').click();
  await expect(share).toContainText('Choose at least one person.');
  await expectNoViolations(sam!, 'sharing the safety plan');
  await share.getByLabel('Ana').check();
  await share.getByTestId('share-plan-send').click();
  await expect(sam!.getByTestId('private-note')).toContainText('Only you and Ana can read', {
    timeout: 30_000
  });

  // Ana reads it, one section per post.
  await tab(ana!, 'Support');
  const item = ana!.getByTestId('thread-item').filter({ hasText: 'My safety plan' });
  await expect(item).toContainText('Safety plan', { timeout: 30_000 });
  await item.getByRole('link').click();
  await expect(ana!.getByTestId('posts')).toContainText('MARK-SIGN not sleeping', {
    timeout: 30_000
  });
  await expect(ana!.getByTestId('posts')).toContainText('• my dog');
  await shot(ana!, 'plan-shared');

  // Rowan was not chosen: nothing listed, nothing readable.
  await tab(rowan, 'Support');
  await expect(rowan.getByTestId('threads')).not.toContainText('My safety plan');
  await expect(rowan.locator('main')).not.toContainText('MARK-SIGN');
  await circle.close();
});

test('[SAFE-30] a check-in request shows first on the responder’s home and groups list with how long ago it came; the asker’s panel updates live when answered; unanswered past the group’s wait, the asker is shown their crisis lines again', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const circle = await circleOf(browser, ['Sam']);
  const { founder: rowan } = circle;
  const sam = circle.members[0]!;

  await tab(sam, 'Support');
  await sam.getByLabel('First post').fill('No puedo más, quiero morirme');
  const panel = sam.getByTestId('crisis-panel');
  await panel.getByRole('button', { name: 'Ask someone from the group to check in on me' }).click();
  await panel.getByTestId('checkin-send').click();
  await expect(panel.getByTestId('checkin-sent')).toContainText('sent to the responders');

  // Rowan opens the app: the request is the first thing on the home, and the group is first
  // in the list, marked, with how long ago the request came.
  await rowan.goto('/');
  const card = rowan.getByTestId('care-requests');
  await expect(card).toContainText('Check-in requests in Evening circle', { timeout: 30_000 });
  await expect(card.getByTestId('care-ago')).toHaveText(/now|seconds? ago|minutes? ago/);
  await expect(rowan.getByTestId('group-care')).toContainText('Check-in request ·');
  const cardTop = (await card.boundingBox())!.y;
  const listTop = (await rowan.getByTestId('group-list').boundingBox())!.y;
  expect(cardTop).toBeLessThan(listTop);
  await shot(rowan, 'care-request-on-home');
  await expectNoViolations(rowan, 'check-in request on the app home');

  // Rowan checks in; Sam's open panel says so without a reload.
  await card.getByTestId('care-checkin').click();
  await rowan.getByTestId('care-checkin-post').click();
  // The sentence waits in the composer, the cursor in it; the responder sends it [A11Y-2].
  await expect(rowan.getByLabel('Your post', { exact: true })).toBeFocused();
  await expect(rowan.getByLabel('Your post', { exact: true })).toHaveValue(
    'I’m here. How are you doing right now?'
  );
  await rowan.getByRole('button', { name: 'Post', exact: true }).click();
  await expect(panel.getByTestId('checkin-sent')).toContainText('Rowan answered your request', {
    timeout: 30_000
  });
  // Answered: Rowan's home no longer marks the group.
  await rowan.goto('/');
  await expect(rowan.getByTestId('group-list')).toBeVisible();
  await expect(rowan.getByTestId('group-care')).toHaveCount(0, { timeout: 30_000 });

  // Another hard night: Sam asks again, and this time nobody answers. Half an hour later (the
  // group's wait is 30 minutes by default) Sam's home says so calmly and shows the crisis lines
  // again. The later moment is a new tab with its clock moved on; a page's clock belongs to its
  // whole browser context, so this comes after the live panel above is done with.
  await sam.reload();
  await tab(sam, 'Support');
  await sam.getByLabel('First post').fill('');
  await sam.getByLabel('First post').fill('Otra noche así, no quiero vivir');
  await panel.getByRole('button', { name: 'Ask someone from the group to check in on me' }).click();
  await panel.getByTestId('checkin-send').click();
  await expect(panel.getByTestId('checkin-sent')).toContainText('sent to the responders');
  const later = await sam.context().newPage();
  await later.clock.install({ time: new Date(Date.now() + 31 * 60_000) });
  await later.goto('/');
  const mine = later.getByTestId('my-care-requests');
  await expect(
    mine
      .getByTestId('care-answered')
      .filter({ hasText: 'No one from the group has answered yet' })
      .first()
  ).toBeVisible({ timeout: 30_000 });
  await expect(
    mine.getByTestId('care-lines-again').getByTestId('crisis-line').first()
  ).toBeVisible();
  await shot(later, 'care-lines-again');
  await circle.close();
});

test('[SAFE-31] responders see posts no one has replied to after the group’s time, a crisis first; a moderator’s removal reaches the author as a private, kind note with their crisis lines', async ({
  browser
}) => {
  test.setTimeout(300_000);
  const circle = await circleOf(browser, ['Sam']);
  const { founder: rowan, groupUrl } = circle;
  const sam = circle.members[0]!;

  // Sam starts two conversations; nobody replies.
  for (const [title, text] of [
    ['Gardening', 'Anyone growing tomatoes this year?'],
    ['Tonight', 'I don’t want to be alive anymore.']
  ] as const) {
    await tab(sam, 'Support');
    await sam.getByLabel('Title').fill(title);
    await sam.getByLabel('First post').fill(text);
    await sam.getByRole('button', { name: 'Start the conversation' }).click();
    await expect(sam.getByTestId('post-text')).toHaveText(text);
  }

  // Now: too early for the queue.
  await rowan.goto(groupUrl);
  await expect(rowan.getByTestId('group-name')).toBeVisible();
  await openThread(rowan, 'Tonight');
  await tab(rowan, 'Home');
  await expect(rowan.getByTestId('unanswered-queue')).toHaveCount(0);

  // A day and an hour later (the default is a day), on Rowan's phone: both wait, the one that
  // reads as a crisis first, marked without repeating its words.
  const later = await rowan.context().newPage();
  await later.clock.install({ time: new Date(Date.now() + 25 * 3600_000) });
  await later.goto(groupUrl);
  const queue = later.getByTestId('unanswered-queue');
  await expect(queue.getByTestId('unanswered-item')).toHaveCount(2, { timeout: 30_000 });
  await expect(queue.getByTestId('unanswered-item').first()).toContainText('Sam in “Tonight”');
  await expect(
    queue.getByTestId('unanswered-item').first().getByTestId('unanswered-risk')
  ).toBeVisible();
  await expect(queue.getByTestId('unanswered-item').last()).toContainText('Gardening');
  await expect(queue).not.toContainText('alive');
  await shot(later, 'unanswered-queue');
  await expectNoViolations(later, 'posts waiting for a reply');
  await later.close();

  // Rowan reports and removes the gardening post with a note.
  await openThread(rowan, 'Gardening');
  const post = rowan.getByTestId('post').first();
  await expect(post.getByTestId('post-text')).toBeVisible({ timeout: 30_000 });
  await post.getByRole('button', { name: 'Report' }).click();
  await post.getByLabel('Why are you reporting this post?').selectOption({ label: 'Off-topic' });
  await post.getByRole('button', { name: 'Send report' }).click();
  const actions = rowan.getByTestId('moderation-actions');
  await expect(actions.getByLabel('Reason')).toHaveValue('off-topic');
  await actions.getByLabel(/note/i).first().fill('MARK-NOTE we keep this group for support talk');
  await actions.getByRole('button', { name: 'Remove', exact: true }).click();
  await actions.getByTestId('mod-remove-yes').click();

  // Sam is told privately and kindly, with the crisis lines; the note is not shown to others.
  await sam.goto(groupUrl);
  const note = sam.getByTestId('removed-note');
  await expect(note).toContainText('Only you can see this note', { timeout: 30_000 });
  await expect(note).toContainText('MARK-NOTE');
  await expect(note.getByTestId('crisis-line').first()).toBeVisible();
  await shot(sam, 'removed-note');
  await rowan.goto(groupUrl);
  await expect(rowan.getByTestId('group-name')).toBeVisible();
  await expect(rowan.getByTestId('removed-note')).toHaveCount(0);
  await circle.close();
});
