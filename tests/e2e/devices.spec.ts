import { chromium, expect, test, type Page } from '@playwright/test';
import { generate } from 'lean-qr';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createGroup, createIdentity, openProposal, propose, shot, tab } from './helpers';

/** Settings → Link another phone: returns the code the first phone shows. */
async function linkCode(page: Page): Promise<string> {
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Link another phone').first().click();
  await page.getByTestId('start-link').click();
  await expect(page.getByTestId('link-qr')).toBeVisible();
  await page.getByText('Can’t scan? Copy the code instead').click();
  return page.getByTestId('link-text').inputValue();
}

/** A Y4M video whose every frame shows `text` as a QR code: Chromium's fake camera plays it. */
function qrVideo(text: string, file: string): void {
  const code = generate(text);
  const W = 640;
  const H = 480;
  const scale = Math.floor(440 / (code.size + 8));
  const y = new Uint8Array(W * H).fill(255);
  const left = Math.floor((W - (code.size + 8) * scale) / 2);
  const top = Math.floor((H - (code.size + 8) * scale) / 2);
  for (let qy = 0; qy < code.size; qy++)
    for (let qx = 0; qx < code.size; qx++)
      if (code.get(qx, qy))
        for (let dy = 0; dy < scale; dy++)
          y.fill(
            0,
            (top + (qy + 4) * scale + dy) * W + left + (qx + 4) * scale,
            (top + (qy + 4) * scale + dy) * W + left + (qx + 5) * scale
          );
  const chroma = new Uint8Array((W / 2) * (H / 2) * 2).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(file, Buffer.concat([header, ...Array.from({ length: 10 }, () => frame)]));
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
  qrVideo(code, video);
  const browser2 = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`
    ]
  });
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

test('[ID-5] a passphrase backup file restores on a new phone; a wrong passphrase and a damaged file are refused calmly', async ({
  page,
  browser
}) => {
  await createIdentity(page, 'Noor');
  const groupUrl = await createGroup(page, 'Morning walkers');
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
  await page.goto(groupUrl);
  await propose(page, 'From the first phone');
  await tab(page, 'Decisions');
  await openProposal(page, 'From the restored phone');
  await expect(page.getByTestId('proposal')).toContainText('Proposed by Noor');
  await ctx.close();
});
