import { expect, test } from '@playwright/test';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity, shot, startRelay, waitForServiceWorker } from './helpers';

const PORT = 3196;

test('[PWA-2] when a new version is deployed, the app offers to update and keeps local data', async ({
  browser
}) => {
  const site = mkdtempSync(join(tmpdir(), 'hearth-site-'));
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-update-'));
  cpSync('build', site, { recursive: true });
  const relay = await startRelay({ port: PORT, dataDir, staticDir: site });
  try {
    const context = await browser.newContext({ baseURL: relay.url });
    const page = await context.newPage();
    await createIdentity(page, 'Lee');
    await waitForServiceWorker(page);
    // A later visit, as a person makes it: the installed service worker already controls the page.
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Hi, Lee' })).toBeVisible();
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);

    // "Deploy" a new version: the service worker script changes (its compressed copies go stale,
    // so remove them and the relay serves the new file).
    appendFileSync(join(site, 'sw.js'), '\n// next version\n');
    rmSync(join(site, 'sw.js.br'));
    rmSync(join(site, 'sw.js.gz'));
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration?.update();
    });

    const prompt = page.getByTestId('update-prompt');
    await expect(prompt).toBeVisible({ timeout: 30_000 });
    await shot(page, 'update-prompt');
    const reloaded = page.waitForEvent('load');
    await prompt.getByRole('button', { name: 'Update now' }).click();
    await reloaded;
    await expect(page.getByRole('heading', { name: 'Hi, Lee' })).toBeVisible();
    await expect(page.getByTestId('update-prompt')).toHaveCount(0);
    await context.close();
  } finally {
    await relay.stop();
    rmSync(site, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  }
});
