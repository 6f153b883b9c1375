import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import { toFrames } from '../../src/lib/core/sync/qr-frames';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  propose,
  shot,
  tab,
  waitForServiceWorker
} from './helpers';
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

test('[SNK-2] [SNK-4] only what is missing, by camera both ways: the receiving phone’s code is scanned by the sender, whose moving QR codes carry only the new decision back; both phones offline', async ({
  browser: _unused
}, info) => {
  test.setTimeout(300_000);
  // Each phone has its own Chromium with a fake camera; what a camera sees is written just before
  // that phone starts scanning (Chromium reads the video file when the camera starts).
  const rowanCamera = info.outputPath('rowan-camera.y4m');
  const samCamera = info.outputPath('sam-camera.y4m');
  writeFileSync(rowanCamera, qrVideo(['nothing yet']));
  writeFileSync(samCamera, qrVideo(['nothing yet']));
  const [r, s] = await Promise.all([cameraBrowser(rowanCamera), cameraBrowser(samCamera)]);
  try {
    const options = { baseURL: info.project.use.baseURL, viewport: { width: 360, height: 640 } };
    const a = await r.newContext(options);
    const b = await s.newContext(options);
    const rowan = await a.newPage();
    const sam = await b.newPage();
    await createIdentity(rowan, 'Rowan');
    await createGroup(rowan, 'Hill circle');
    await applyToJoin(sam, await makeInvite(rowan), 'Sam', 'Hello.');
    await admit(rowan, 'Sam');
    await expectAdmitted(sam, 'Hill circle');
    await waitForServiceWorker(rowan);
    await waitForServiceWorker(sam);

    // No network for either phone; Rowan's phone holds a decision Sam's does not.
    await a.setOffline(true);
    await b.setOffline(true);
    await propose(rowan, 'Walk to the lake on Sunday');

    // Sam shows what their phone has.
    await tab(sam, 'Invite');
    await sam.getByRole('button', { name: 'Show what this phone has' }).click();
    await expect(sam.getByTestId('heads-qr')).toBeVisible();
    const code = await sam.getByTestId('heads-code').inputValue();
    writeFileSync(rowanCamera, qrVideo(Array.from({ length: 10 }, () => code)));

    // Rowan's camera reads Sam's code and shows only what Sam lacks, as moving codes.
    await tab(rowan, 'Invite');
    const share = rowan.getByTestId('offline-share');
    await share.getByLabel(/As moving QR codes/).check();
    await share.getByTestId('save-since').click();
    await share.getByTestId('scan').click();
    const loop = share.getByTestId('qr-loop');
    await expect(loop).toBeVisible({ timeout: 60_000 });
    const total = Number(await loop.getAttribute('data-total'));

    // The same bytes as a file (the same code pasted), to make the video Sam's camera will see.
    await share.getByLabel(/As a file/).check();
    await share.getByTestId('save-since').click();
    await share.getByTestId('paste-code').fill(code);
    const [since] = await Promise.all([
      rowan.waitForEvent('download'),
      share.getByRole('button', { name: 'Continue' }).click()
    ]);
    const bytes = new Uint8Array(readFileSync(await since.path()));
    const frames = toFrames(bytes);
    expect(frames).toHaveLength(total);
    // Far smaller than the whole group would be.
    const [whole] = await Promise.all([
      rowan.waitForEvent('download'),
      share.getByTestId('save-bundle').click()
    ]);
    expect(bytes.length).toBeLessThan(readFileSync(await whole.path()).length);
    // Sam's camera sees them with the first one missed, then the loop again.
    writeFileSync(samCamera, qrVideo([...frames.slice(1), ...frames]));

    await sam.getByTestId('qr-receive').getByTestId('scan-loop').click();
    await expect(sam.getByTestId('snk-message')).toContainText(/Added \d+ new entries/, {
      timeout: 120_000
    });
    await tab(sam, 'Decisions');
    await expect(sam.getByTestId('proposal-item').first()).toContainText(
      'Walk to the lake on Sunday'
    );
    console.log(
      JSON.stringify({
        bench: 'QR minimal exchange: bytes of only the new decision',
        value: bytes.length,
        unit: 'bytes',
        frames: frames.length
      })
    );
    await a.close();
    await b.close();
  } finally {
    await r.close();
    await s.close();
  }
});
