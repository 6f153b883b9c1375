import { expect, test, type Page } from '@playwright/test';
import { circleOf, expectNoViolations, openThread, shot, tab } from './helpers';

async function report(page: Page, reason: string) {
  const post = page.getByTestId('post').first();
  await expect(post.getByTestId('post-text')).toBeVisible({ timeout: 30_000 });
  await post.getByRole('button', { name: 'Report' }).click();
  await post.getByLabel('Why are you reporting this post?').selectOption({ label: reason });
  await post.getByRole('button', { name: 'Send report' }).click();
  await expect(page.getByText("Other members won't see that it was you.")).toBeVisible();
}

test('[SAFE-17] [SAFE-18] three members’ reports hide a post pending review; a moderator removes it and the public log shows the action, not the words', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const circle = await circleOf(browser, ['Sam', 'Ana', 'Lee']);
  const { founder: rowan } = circle;
  const [sam, ana, lee] = circle.members;

  // Sam starts a conversation with a post others find abusive.
  await tab(sam!, 'Support');
  await sam!.getByLabel('Title').fill('Venting');
  await sam!.getByLabel('First post').fill('MARK-ABUSE you are all pathetic');
  await sam!.getByRole('button', { name: 'Start the conversation' }).click();
  await expect(sam!.getByTestId('post-text')).toHaveText('MARK-ABUSE you are all pathetic');

  // Ana and Lee report it: still visible to others after two reports.
  // A report says what its sender chose, never a default: sent without a reason, it asks for one.
  await openThread(ana!, 'Venting');
  const first = ana!.getByTestId('post').first();
  await first.getByRole('button', { name: 'Report' }).click({ timeout: 30_000 });
  await expect(first.getByLabel('Why are you reporting this post?')).toHaveValue('');
  await first.getByRole('button', { name: 'Send report' }).click();
  await expect(ana!.getByText('Choose why you are reporting it first.')).toBeVisible();
  for (const page of [ana!, lee!]) {
    await openThread(page, 'Venting');
    await report(page, 'Harassment or abuse');
  }
  // Rowan (a leader: a moderator) finds it in the queue on the group's home [SAFE-18] …
  await tab(rowan, 'Home');
  const queued = rowan.getByTestId('queue-item');
  await expect(queued).toContainText('2 reports (Harassment or abuse) in “Venting”', {
    timeout: 30_000
  });
  await shot(rowan, 'moderation-queue');
  await expectNoViolations(rowan, 'the moderation queue');
  await queued.getByRole('link', { name: 'Open the conversation' }).click();
  await expect(rowan.getByTestId('thread')).toContainText('Venting');
  // … and in the conversation sees who reported and why.
  await expect(rowan.getByTestId('moderation-actions')).toContainText('2 reports', {
    timeout: 30_000
  });
  await expect(ana!.getByTestId('post-text')).toBeVisible();

  // The third report hides it pending review: from Ana and Lee, not from Sam, who is told why.
  await report(rowan, 'Harassment or abuse');
  await expect(ana!.getByTestId('post-withheld')).toHaveText(
    'Hidden while the moderators review it.',
    { timeout: 30_000 }
  );
  await expect(ana!.getByTestId('post-text')).toHaveCount(0);
  await expect(lee!.getByTestId('post-withheld')).toBeVisible({ timeout: 30_000 });
  await expect(sam!.getByTestId('post-pending-own')).toBeVisible({ timeout: 30_000 });
  await shot(ana!, 'moderation-pending');

  // Rowan removes it, with a reason; everyone's log shows the action and the reason code.
  const actions = rowan.getByTestId('moderation-actions');
  await expect(actions).toContainText('3 reports');
  await expect(actions).toContainText('Reported by:');
  // Rowan reported it too: the panel says so before Rowan decides.
  await expect(actions.getByTestId('mod-own-report')).toContainText(
    'You reported this post yourself'
  );
  // No reason is chosen for the moderator: it starts from what the reports said [#24].
  await expect(actions.getByLabel('Reason')).toHaveValue('harassment');
  // Remove asks first; "Keep it" changes nothing.
  await actions.getByRole('button', { name: 'Remove' }).click();
  await expect(actions).toContainText('Remove this post by Sam for everyone?');
  await shot(rowan, 'moderation-confirm-remove');
  await actions.getByRole('button', { name: 'Keep it' }).click();
  await expect(actions).not.toContainText('Remove this post by Sam for everyone?');
  await expect(ana!.getByTestId('post-withheld')).toHaveText(
    'Hidden while the moderators review it.'
  );
  await actions.getByRole('button', { name: 'Remove' }).click();
  await actions.getByRole('button', { name: 'Yes, remove it' }).click();
  await expect(rowan.getByText('Done. It is in the moderation log.')).toBeVisible();
  for (const page of [ana!, lee!, sam!]) {
    const log = page.getByTestId('moderation-log');
    await log.locator('summary').click();
    await expect(log.getByTestId('moderation-log-line')).toContainText(
      'Rowan · removed a post · Harassment or abuse',
      { timeout: 30_000 }
    );
    await expect(log).not.toContainText('MARK-ABUSE');
  }
  await expect(ana!.getByTestId('post-withheld')).toHaveText(
    'Removed by a moderator (Harassment or abuse).'
  );
  // Reporters stay hidden from other members: Ana's page never names who reported.
  await expect(ana!.locator('main')).not.toContainText('Reported by');
  await shot(ana!, 'moderation-log');
  await circle.close();
});
