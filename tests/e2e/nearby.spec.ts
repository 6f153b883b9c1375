import { expect, test, type Page } from '@playwright/test';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  openProposal,
  propose,
  shot,
  tab
} from './helpers';
import { closePhones, noServer, ownRelay, pair, phone, type Phone } from './nearby-kit';

/** Votes on a decision, offline: the vote is saved on this phone only. */
async function voteOffline(page: Page, decision: string, choice: 'Yes' | 'No') {
  await tab(page, 'Decisions');
  await openProposal(page, decision);
  await page.getByRole('button', { name: choice, exact: true }).click();
  await expect(page.getByTestId('my-vote')).toBeVisible();
}

test('[NEAR-11] two phones, no relay, no internet: paired by camera, they sync a group both ways, a vote made offline on each', async ({
  browserName: _
}, info) => {
  test.setTimeout(300_000);
  const relay = await ownRelay(info);
  const phones: Phone[] = [];
  try {
    const rowan = await phone(info, 'rowan', relay.url);
    const sam = await phone(info, 'sam', relay.url);
    phones.push(rowan, sam);
    await createIdentity(rowan.page, 'Rowan');
    const groupUrl = await createGroup(rowan.page, 'Hill circle');
    await applyToJoin(sam.page, await makeInvite(rowan.page), 'Sam', 'Hello.');
    await admit(rowan.page, 'Sam');
    await expectAdmitted(sam.page, 'Hill circle');
    await propose(rowan.page, 'Walk to the lake on Sunday');
    await sam.page.goto(groupUrl);
    await tab(sam.page, 'Decisions');
    await expect(sam.page.getByTestId('proposal-item').first()).toContainText('Walk to the lake');

    // The relay stops: no server anywhere, only the phones.
    await noServer(relay, rowan, sam);
    await voteOffline(rowan.page, 'Walk to the lake', 'Yes');
    await voteOffline(sam.page, 'Walk to the lake', 'No');
    await expect(rowan.page.getByTestId('tally')).not.toContainText('2 of 2');

    await rowan.page.goto('/nearby');
    await shot(rowan.page, 'nearby-start');
    const { codes } = await pair(rowan, sam);
    expect(codes).toBe(2);
    for (const p of [rowan, sam]) {
      await expect(p.page.getByTestId('near-peer').first()).toHaveAttribute(
        'data-state',
        'synced',
        {
          timeout: 60_000
        }
      );
    }
    await shot(rowan.page, 'nearby-host-synced');
    await shot(sam.page, 'nearby-guest-synced');
    await expect(rowan.page.getByTestId('near-peer').first()).toContainText('Sam');
    await expect(sam.page.getByTestId('near-peer').first()).toContainText('Rowan');
    await expect(sam.page.getByTestId('near-group').first()).toHaveAttribute(
      'data-arrived',
      /[1-9]/
    );

    // Each phone now holds the other's vote.
    for (const p of [rowan, sam]) {
      await p.page.goto(groupUrl);
      await tab(p.page, 'Decisions');
      await openProposal(p.page, 'Walk to the lake');
      await expect(p.page.getByTestId('tally')).toContainText(/Taking part so far: (\d+) of \1\b/);
    }
  } finally {
    await closePhones(...phones);
    await relay.stop();
  }
});
