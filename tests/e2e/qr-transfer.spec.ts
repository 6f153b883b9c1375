import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { toFrames } from '../../src/lib/core/sync/qr-frames';
import { createGroup, createIdentity, shot, tab, waitForServiceWorker } from './helpers';
import { cameraBrowser, qrVideo } from './fake-camera';

test('[SNK-4] a whole group crosses from one phone to another as moving QR codes read by a real camera pipeline (Chromium’s fake camera playing the codes), with frames missed and repeated, both phones offline', async ({
  browser
}, info) => {
  test.setTimeout(240_000);
  // The sending phone: a group, shown as moving QR codes (and saved, to make the camera's video).
  const a = await browser.newContext();
  const rowan = await a.newPage();
  await createIdentity(rowan, 'Rowan');
  await createGroup(rowan, 'Hill circle');
  await waitForServiceWorker(rowan);
  await a.setOffline(true);
  await tab(rowan, 'Invite');
  const share = rowan.getByTestId('offline-share');
  const [download] = await Promise.all([
    rowan.waitForEvent('download'),
    share.getByTestId('save-bundle').click()
  ]);
  const bundle = new Uint8Array(readFileSync(await download.path()));
  await share.getByLabel(/As moving QR codes/).check();
  await share.getByTestId('save-bundle').click();
  const loop = share.getByTestId('qr-loop');
  await expect(loop).toBeVisible();
  const frames = toFrames(bundle);
  // The screen shows as many codes as the file makes: the same code on both phones.
  await expect(loop).toHaveAttribute('data-total', String(frames.length));
  await shot(rowan, 'qr-sender');

  // The camera's view: the loop twice, starting mid-way, with some codes missed the first time
  // round and one shown twice, as a hand-held phone would.
  const start = Math.floor(frames.length / 2);
  const seen: string[] = [];
  for (let i = 0; i < frames.length; i++) {
    const f = frames[(start + i) % frames.length]!;
    if (i % 4 === 1) continue; // missed
    seen.push(f);
    if (i === 2) seen.push(f); // repeated
  }
  seen.push(...frames);
  const video = info.outputPath('qr.y4m');
  writeFileSync(video, qrVideo(seen));

  // The receiving phone: its own Chromium with a fake camera playing that video.
  const camera = await cameraBrowser(video);
  try {
    const b = await camera.newContext({
      baseURL: info.project.use.baseURL,
      viewport: { width: 360, height: 640 }
    });
    const kim = await b.newPage();
    await createIdentity(kim, 'Kim');
    await waitForServiceWorker(kim);
    await b.setOffline(true);
    const t0 = Date.now();
    await kim.getByTestId('scan-loop').click();
    await expect(kim.locator('progress')).toBeVisible({ timeout: 30_000 });
    await shot(kim, 'qr-receiver');
    await expect(kim.getByTestId('group-name')).toBeVisible({ timeout: 120_000 });
    await expect(kim.locator('main')).toContainText('not a member');
    console.log(
      JSON.stringify({
        bench: `QR transfer of a ${bundle.length}-byte group through the fake camera`,
        value: (Date.now() - t0) / 1000,
        unit: 's',
        frames: frames.length
      })
    );
  } finally {
    await camera.close();
    await a.close();
  }
});
