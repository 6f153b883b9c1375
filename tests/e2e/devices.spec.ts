import { expect, test, type Page } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cameraBrowser, qrVideo } from './fake-camera';
import {
  createGroup,
  createIdentity,
  expectSyncStatus,
  foundWithMember,
  openProposal,
  propose,
  shot,
  tab
} from './helpers';

/** Settings → Link another phone: returns the code the first phone shows. */
async function linkCode(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Link another phone').first().click();
  await page.getByTestId('start-link').click();
  await expect(page.getByTestId('link-qr')).toBeVisible();
  await page.getByText('Can’t scan? Copy the code instead').click();
  return page.getByTestId('link-text').inputValue();
}

test('[ID-6] linking a second phone by scanning the QR code with its camera: it writes as the same person, with the group key', async ({
  page,
  baseURL
}) => {
  await createIdentity(page, 'Rowan');
  const groupUrl = await createGroup(page, 'Thursday circle');
  const code = await linkCode(page);
  await shot(page, 'link-another-phone');
  expect(code).toContain('"kind":"link"');

  // The second phone is another browser whose (fake) camera sees the first phone's QR code.
  mkdirSync('test-results', { recursive: true });
  const video = `test-results/link-qr-${process.pid}.y4m`;
  writeFileSync(video, qrVideo([code], { hold: 10 }));
  const browser2 = await cameraBrowser(video);
  try {
    const ctx = await browser2.newContext({
      baseURL,
      viewport: { width: 360, height: 640 },
      permissions: ['camera']
    });
    const phone2 = await ctx.newPage();
    await phone2.goto('/');
    await phone2.getByTestId('restore-link').click();
    await phone2.getByTestId('scan').click();
    await expect(phone2.getByTestId('restore-done')).toBeVisible({ timeout: 30_000 });
    await expect(phone2.getByTestId('restore-done')).toContainText('Welcome back, Rowan');
    await phone2.getByRole('link', { name: 'Go to your groups' }).click();
    await phone2
      .getByRole('link', { name: /Thursday circle|Unnamed group/ })
      .first()
      .click();
    await expect(phone2.getByTestId('group-name')).toHaveText('Thursday circle', {
      timeout: 30_000
    });
    // It writes as Rowan, and the first phone sees it.
    await propose(phone2, 'Written on my second phone');
    await page.goto(groupUrl);
    await tab(page, 'Decisions');
    await openProposal(page, 'Written on my second phone');
    await expect(page.getByTestId('proposal')).toContainText('Proposed by Rowan');
    await shot(phone2, 'linked-phone-group');
  } finally {
    await browser2.close();
  }
});

test('[ID-5] a passphrase backup file restores on a new phone while the old phone writes offline; a wrong passphrase and a damaged file are refused calmly', async ({
  page,
  context,
  browser
}) => {
  await createIdentity(page, 'Noor');
  const groupUrl = await createGroup(page, 'Morning walkers');
  await expectSyncStatus(page, 'synced');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Save a backup').click();
  await page.getByLabel('Passphrase (optional, at least 8 characters)').fill('river stones');
  await page.getByLabel('The passphrase again').fill('river stones');
  await page.getByTestId('make-backup').click();
  await expect(page.getByTestId('backup-ready')).toContainText('protected by your passphrase');
  const download = page.waitForEvent('download');
  await page.getByTestId('download-backup').click();
  const file = await (await download).path();
  await shot(page, 'backup-ready');

  // The old phone goes offline and writes: the new phone restores without having seen it.
  await page.goto(groupUrl);
  await context.setOffline(true);
  await expectSyncStatus(page, 'offline');
  await propose(page, 'From the first phone, offline');

  const ctx = await browser.newContext();
  const phone2 = await ctx.newPage();
  await phone2.goto('/restore');
  // A damaged text first: a reason, not a crash.
  await phone2.getByTestId('paste-code').fill('{"hearth":"hearth-identity","v":1,"kind":"backup"');
  await phone2.getByRole('button', { name: 'Continue' }).click();
  await expect(phone2.getByRole('alert')).toContainText('damaged or incomplete');
  await phone2.getByTestId('backup-file').setInputFiles(file);
  await phone2.getByLabel('Passphrase').fill('wrong words');
  await phone2.getByRole('button', { name: 'Open the backup' }).click();
  await expect(phone2.getByRole('alert')).toContainText('doesn’t open this backup');
  await phone2.getByLabel('Passphrase').fill('river stones');
  await phone2.getByRole('button', { name: 'Open the backup' }).click();
  await expect(phone2.getByTestId('restore-done')).toContainText('Morning walkers: ready', {
    timeout: 30_000
  });
  await shot(phone2, 'restore-done');
  // The restored phone is a new device of the same person: both phones can write.
  await phone2.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
  await expect(phone2.getByTestId('group-name')).toHaveText('Morning walkers');
  await propose(phone2, 'From the restored phone');
  // Back online, both phones write as Noor and each sees what the other wrote: the restored
  // phone wrote only in its own device chain, so nothing the old phone wrote offline is lost.
  await context.setOffline(false);
  await expectSyncStatus(page, 'synced', 30_000);
  await propose(page, 'From the first phone, online');
  await tab(page, 'Decisions');
  await openProposal(page, 'From the restored phone');
  await expect(page.getByTestId('proposal')).toContainText('Proposed by Noor');
  await tab(phone2, 'Decisions');
  for (const text of ['From the first phone, offline', 'From the first phone, online'])
    await expect(phone2.getByTestId('proposal-item').filter({ hasText: text })).toBeVisible({
      timeout: 30_000
    });
  await ctx.close();
});

test('[APP-12] a copy of a phone’s data on a second phone writes as the same device: the next thing either writes is refused with a calm reason, not shown as saved', async ({
  page,
  context,
  browser
}) => {
  await createIdentity(page, 'Sam');
  const groupUrl = await createGroup(page, 'Evening circle');
  await expectSyncStatus(page, 'synced');
  // Everything this phone keeps (its key and its group, in IndexedDB) copied to another phone.
  const copied = await context.storageState({ indexedDB: true });
  const ctx = await browser.newContext({ storageState: copied });
  try {
    const copy = await ctx.newPage();
    await copy.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await expect(copy.getByTestId('group-name')).toHaveText('Evening circle');
    // Connected before going offline: a copied context cut off while its worker was still
    // connecting did not come back online here (Playwright did not list that worker; a reload
    // cured it), which no other way of going offline showed.
    await expectSyncStatus(copy, 'synced');
    // Both offline, both write the next entry of the same device.
    await context.setOffline(true);
    await ctx.setOffline(true);
    await propose(page, 'Written on the phone');
    await propose(copy, 'Written on the copy');
    await context.setOffline(false);
    await ctx.setOffline(false);
    await expectSyncStatus(page, 'synced', 30_000);
    await expectSyncStatus(copy, 'synced', 30_000);
    // Each phone is told once it has both entries, without having to write first.
    for (const phone of [page, copy])
      await expect(phone.getByTestId('chain-broken')).toContainText(
        'two phones wrote as this same phone',
        { timeout: 30_000 }
      );
    await tab(page, 'Decisions');
    await page.getByLabel('Describe it').fill('Anyone there?');
    await page.getByRole('button', { name: 'Start the vote' }).click();
    await expect(page.getByRole('alert')).toContainText('two phones wrote as this same phone');
    await expect(page.locator('main')).not.toContainText('Your proposal is saved');
    await shot(page, 'chain-broken');
  } finally {
    await ctx.close();
  }
});

test('[ID-7] a phone lost: from the phone restored from a backup, the person asks their group to retire their other keys; the group votes; the old phone is told its key no longer counts, and the new one writes on', async ({
  browser
}) => {
  test.setTimeout(180_000);
  // Sam (a newcomer: the one whose phone is lost) and Rowan (a full member, who votes).
  const { a, b, founder, member, groupUrl } = await foundWithMember(browser);
  const c = await browser.newContext();
  try {
    // Sam's backup, as text.
    await member.getByRole('link', { name: 'Settings' }).click();
    await member.getByText('Save a backup').click();
    await member.getByTestId('make-backup').click();
    await member.getByText('Show the backup as text').click();
    const backup = await member.getByTestId('backup-text').inputValue();

    // On the phone that holds the backup's own key, the screen says it cannot ask, and why.
    await member.getByText('A phone lost, or a backup in the wrong hands').click();
    await member.getByTestId('retire-start').click();
    await member.getByTestId('retire-yes').click();
    await expect(member.getByTestId('retire-report')).toContainText(
      'Evening circle: this phone holds the very key your backups hold'
    );

    // A new phone restores the backup (a key of its own) and asks from there.
    const phone = await c.newPage();
    await phone.goto('/restore');
    await phone.getByTestId('paste-code').fill(backup);
    await phone.getByRole('button', { name: 'Continue' }).click();
    await expect(phone.getByTestId('restore-done')).toContainText('Evening circle: ready', {
      timeout: 30_000
    });
    await phone.goto('/settings');
    await phone.getByText('A phone lost, or a backup in the wrong hands').click();
    await phone.getByTestId('retire-start').click();
    await expect(phone.getByText('Only this phone will count as you.')).toBeVisible();
    await shot(phone, 'retire-confirm');
    await phone.getByTestId('retire-yes').click();
    await expect(phone.getByTestId('retire-report')).toContainText(
      'Evening circle: the members have been asked to vote.',
      { timeout: 30_000 }
    );
    await shot(phone, 'retire-asked');
    // Asking again while the vote is open writes nothing more.
    await phone.getByTestId('retire-start').click();
    await phone.getByTestId('retire-yes').click();
    await expect(phone.getByTestId('retire-report')).toContainText(
      'a vote on this is already open'
    );

    // Rowan votes; the vote closes.
    await founder.goto(groupUrl);
    await tab(founder, 'Decisions');
    await openProposal(founder, 'old key');
    await expect(founder.getByTestId('proposal')).toContainText('Sam keeps only');
    await founder.getByRole('button', { name: 'Yes', exact: true }).click();
    await founder.getByRole('button', { name: 'Close the vote and record the result' }).click();
    await expect(founder.getByTestId('execution')).toContainText('old key no longer counts');

    // The old phone is told; the restored phone writes on as Sam.
    await member.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await expect(member.getByTestId('retired-phone')).toBeVisible({ timeout: 30_000 });
    await expect(member.getByTestId('waiting-key')).toHaveCount(0);
    await expect(member.getByTestId('onboarding')).toHaveCount(0);
    await shot(member, 'retired-phone');
    await phone.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await propose(phone, 'Written after the retirement');
    await tab(founder, 'Decisions');
    await openProposal(founder, 'Written after the retirement');
    await expect(founder.getByTestId('proposal')).toContainText('Proposed by Sam');
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
});
