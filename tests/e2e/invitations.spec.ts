import { expect, test } from '@playwright/test';
import { applyToJoin, createGroup, createIdentity, makeInvite, shot, tab } from './helpers';

/**
 * An invitation withdrawn while someone waits on it [INV-2, INV-7]: the group would not count a
 * vote to welcome them on that invitation, so the screen says why, in words, and offers no vote
 * that cannot pass (the writer never writes what the reader refuses, RED-25).
 */
test('[INV-7] [INV-2] an invitation withdrawn while someone waits: the founder reads why they cannot be welcomed with it, and no vote is offered', async ({
  browser
}) => {
  const a = await browser.newContext();
  const b = await browser.newContext();
  try {
    const founder = await a.newPage();
    const newcomer = await b.newPage();
    await createIdentity(founder, 'Rowan');
    await createGroup(founder, 'Evening walkers');
    await applyToJoin(newcomer, await makeInvite(founder), 'Sam', 'I walk at night.');

    await tab(founder, 'Home');
    const waiting = founder.getByTestId('application').filter({ hasText: 'I walk at night.' });
    await expect(
      waiting.getByRole('button', { name: 'Start the vote on welcoming them' })
    ).toBeVisible({
      timeout: 30_000
    });

    await tab(founder, 'Invite');
    await founder.getByRole('button', { name: 'Withdraw' }).click();
    await expect(founder.getByText('withdrawn')).toBeVisible();

    await tab(founder, 'Home');
    await expect(waiting.getByTestId('admission-refused')).toContainText(
      'send them a new invitation'
    );
    await expect(
      waiting.getByRole('button', { name: 'Start the vote on welcoming them' })
    ).toHaveCount(0);
    await shot(founder, 'admission-invite-withdrawn');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});
