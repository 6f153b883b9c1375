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
  tab,
  waitForServiceWorker
} from './helpers';
import { codeText, encodeCode, OFFER_LIFETIME_S, readCode } from '../../src/lib/core/nearby/code';
import { toBase64Url } from '../../src/lib/core/encoding/base64url';
import { toFrames } from '../../src/lib/core/sync/qr-frames';
import {
  closePhones,
  deviceSeed,
  documentIdOf,
  noServer,
  ownRelay,
  pair,
  phone,
  shownCode,
  writeBacklog,
  type Phone
} from './nearby-kit';

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

test('[NEAR-3] a stranger with Hearth (a group of their own) scans: both phones say nothing was shared, and neither gets the other’s group', async ({
  browserName: _
}, info) => {
  test.setTimeout(300_000);
  const relay = await ownRelay(info);
  const phones: Phone[] = [];
  try {
    const rowan = await phone(info, 'rowan', relay.url);
    const kim = await phone(info, 'kim', relay.url);
    phones.push(rowan, kim);
    await createIdentity(rowan.page, 'Rowan');
    await createGroup(rowan.page, 'Hill circle');
    await createIdentity(kim.page, 'Kim');
    await createGroup(kim.page, 'Kim’s circle');
    await noServer(relay, rowan, kim);
    await pair(rowan, kim);
    for (const p of [rowan, kim]) {
      const card = p.page.getByTestId('near-peer').first();
      await expect(card).toHaveAttribute('data-state', 'nothing', { timeout: 60_000 });
      await expect(card).toContainText('nothing was shared');
      await expect(card.getByTestId('near-group')).toHaveCount(0);
    }
    await shot(kim.page, 'nearby-stranger');
    await kim.page.goto('/');
    await expect(kim.page.getByRole('main')).toContainText('Kim’s circle');
    await expect(kim.page.getByRole('main')).not.toContainText('Hill circle');
  } finally {
    await closePhones(...phones);
    await relay.stop();
  }
});

test('[NEAR-5] [NEAR-6] codes that cannot be used — another app’s, another Hearth code, another version, an answer instead of an offer, an offer photographed too long ago, an answer to a code no longer shown — each get their words, and nothing changes', async ({
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
    await createGroup(rowan.page, 'Hill circle');
    await createIdentity(sam.page, 'Sam');
    await noServer(relay, rowan, sam);
    await rowan.page.goto('/nearby');
    await rowan.page.getByTestId('near-host').click();
    const offerText = await shownCode(rowan.page, 'near-offer');
    const offer = readCode(offerText);
    if (!offer.ok) throw new Error(offer.error);
    const bytes = encodeCode(offer.value);
    const newer = bytes.slice();
    newer[2] = 2;
    const old = encodeCode({ ...offer.value, made: offer.value.made - OFFER_LIFETIME_S - 60 });
    const answerToIt = codeText({ ...offer.value, kind: 'answer' });

    const g = sam.page;
    await g.goto('/nearby');
    await g.getByTestId('near-guest').click();
    const cases: [string, RegExp][] = [
      ['WIFI:S:Cafe;T:WPA;P:secret;;', /not from Hearth/],
      [toFrames(Uint8Array.of(1, 2, 3))[0]!, /different Hearth code/],
      [`HN:${toBase64Url(newer)}`, /different version of Hearth/],
      [answerToIt, /That is an answer code/],
      [`HN:${toBase64Url(old)}`, /more than 10 minutes old/]
    ];
    for (const [text, words] of cases) {
      sam.sees([text]);
      await g.getByTestId('near-scan').click();
      await expect(g.getByTestId('near-message')).toHaveText(words, { timeout: 30_000 });
      await g.getByRole('button', { name: 'Stop the camera' }).click();
      await expect(g.getByTestId('near-peer')).toHaveCount(0);
      await expect(g.getByTestId('near-answer')).toHaveCount(0);
    }

    // The host: another host's offer, an answer to a code it no longer shows, an answer to
    // someone else's code.
    const h = rowan.page;
    await h.getByRole('button', { name: 'Back' }).click();
    await h.getByTestId('near-host').click();
    const second = await shownCode(h, 'near-offer');
    expect(second).not.toBe(offerText);
    const stranger = { ...offer.value, session: Uint8Array.of(1, 1, 1, 1, 1, 1, 1, 1) };
    const hostCases: [string, RegExp][] = [
      [offerText, /another phone's code to join/],
      [answerToIt, /a code this phone no longer shows/],
      [codeText({ ...stranger, kind: 'answer' }), /for another phone's code/]
    ];
    for (const [text, words] of hostCases) {
      rowan.sees([text]);
      await h.getByTestId('near-scan').click();
      await expect(h.getByTestId('near-message')).toHaveText(words, { timeout: 30_000 });
      await h.getByRole('button', { name: 'Stop the camera' }).click();
      await expect(h.getByTestId('near-peer')).toHaveCount(0);
    }
    await shot(h, 'nearby-bad-code');
  } finally {
    await closePhones(...phones);
    await relay.stop();
  }
});

test('[NEAR-11] the camera refused: the screen says how to allow it and what else works', async ({
  page
}) => {
  // The test browser has no camera at all (no fake device), as a phone that refused it.
  await createIdentity(page, 'Rowan');
  await createGroup(page, 'Hill circle');
  await page.goto('/nearby');
  await page.getByTestId('near-guest').click();
  await page.getByTestId('near-scan').click();
  await expect(page.getByTestId('near-status')).toHaveText(
    /could not use the camera.*allow the camera.*as a file/
  );
  await expect(page.getByTestId('near-scan')).toBeVisible();
});

test('[NEAR-10] a circle around the facilitator’s phone: one host, two guests who connect one after another, each with a vote made offline; every phone ends with every vote', async ({
  browserName: _
}, info) => {
  test.setTimeout(480_000);
  const relay = await ownRelay(info);
  const phones: Phone[] = [];
  try {
    const [rowan, sam, kim] = await Promise.all(
      ['rowan', 'sam', 'kim'].map((n) => phone(info, n, relay.url))
    );
    phones.push(rowan!, sam!, kim!);
    await createIdentity(rowan!.page, 'Rowan');
    const groupUrl = await createGroup(rowan!.page, 'Hill circle');
    for (const [p, name] of [
      [sam!, 'Sam'],
      [kim!, 'Kim']
    ] as const) {
      await applyToJoin(p.page, await makeInvite(rowan!.page), name, 'Hello.');
      await admit(rowan!.page, name);
      await expectAdmitted(p.page, 'Hill circle');
    }
    await propose(rowan!.page, 'Walk to the lake on Sunday');
    for (const p of [sam!, kim!]) {
      await p.page.goto(groupUrl);
      await tab(p.page, 'Decisions');
      await expect(p.page.getByTestId('proposal-item').first()).toContainText('Walk to the lake');
    }
    await noServer(relay, rowan!, sam!, kim!);
    await voteOffline(rowan!.page, 'Walk to the lake', 'Yes');
    await voteOffline(sam!.page, 'Walk to the lake', 'No');
    await voteOffline(kim!.page, 'Walk to the lake', 'Yes');

    await rowan!.page.goto('/nearby');
    await pair(rowan!, sam!);
    await expect(rowan!.page.getByTestId('near-peer')).toHaveCount(1);
    // The next person scans the code that replaced the one Sam used.
    await pair(rowan!, kim!);
    await expect(rowan!.page.getByTestId('near-peer')).toHaveCount(2);
    for (const p of [rowan!, sam!, kim!])
      await expect(p.page.getByTestId('near-peer').filter({ hasText: 'Up to date' })).toHaveCount(
        p === rowan ? 2 : 1,
        { timeout: 60_000 }
      );
    await shot(rowan!.page, 'nearby-star-host');
    // Sam got Kim's vote through Rowan's phone, while still connected.
    for (const p of [rowan!, sam!, kim!]) {
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

test('[NEAR-12] the connection drops in the middle of a sync (the phone closes Hearth): nothing is lost, and scanning again finishes it', async ({
  browserName: _
}, info) => {
  test.setTimeout(480_000);
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
    await waitForServiceWorker(sam.page);
    // Sam's phone is away while Rowan's group grows by 1,500 decisions.
    await sam.context.setOffline(true);
    await writeBacklog(relay.url, documentIdOf(groupUrl), await deviceSeed(rowan.page), 1500);
    await rowan.page.goto(groupUrl);
    await tab(rowan.page, 'Decisions');
    await expect(rowan.page.getByTestId('proposal-item').first()).toContainText('Idea', {
      timeout: 120_000
    });
    await noServer(relay, rowan, sam);
    await sam.context.setOffline(false);
    // Sam's own vote, made meanwhile, must survive the cut too.
    await sam.page.goto(groupUrl);
    await propose(sam.page, 'Bring the tea urn');

    await rowan.page.goto('/nearby');
    await pair(rowan, sam);
    // As soon as sync data flows, Sam's Hearth is closed.
    await sam.page.waitForFunction(
      () => {
        const card = document.querySelector('[data-testid="near-peer"]');
        return (
          card?.getAttribute('data-state') === 'syncing' &&
          Number(card.getAttribute('data-bytes-in')) > 2000
        );
      },
      null,
      { timeout: 60_000, polling: 10 }
    );
    await sam.page.close();
    await expect(rowan.page.getByTestId('near-peer').first()).toHaveAttribute(
      'data-state',
      'ended',
      { timeout: 60_000 }
    );
    await expect(rowan.page.getByTestId('near-ended').first()).toContainText(
      /connection ended|stopped answering/
    );

    // Sam opens Hearth again and scans again: the rest arrives.
    sam.page = await sam.context.newPage();
    await rowan.page.getByRole('button', { name: 'Back' }).click();
    await pair(rowan, sam);
    const again = sam.page.getByTestId('near-peer').first();
    await expect(again).toHaveAttribute('data-state', 'synced', { timeout: 120_000 });
    // The first connection was cut before everything had arrived.
    await expect(again.getByTestId('near-group')).toHaveAttribute('data-arrived', /^[1-9]\d*$/);
    await expect(rowan.page.getByTestId('near-peer').last()).toHaveAttribute(
      'data-state',
      'synced'
    );
    // Both phones hold everything: Rowan's 1,500 decisions and Sam's.
    for (const p of [rowan, sam]) {
      await p.page.goto(groupUrl);
      await tab(p.page, 'Decisions');
      await expect(p.page.locator('main')).toContainText('Bring the tea urn', { timeout: 60_000 });
      await expect(p.page.locator('main')).toContainText('Idea 1499');
    }
  } finally {
    await closePhones(...phones);
    await relay.stop();
  }
});
