// Walking-skeleton figures measured in Debian's Chromium against a real relay process:
//  - bytes fetched before the first render (what a first visit must download to show anything),
//  - all bytes of a cold first visit, including the service worker precaching the whole app,
//  - bytes and requests of a repeat visit (should be zero: the service worker serves everything),
//  - change latency: a note written in one browser appearing in another, median of 15.
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CountingProxy, median, report, startRelayProcess } from './lib';

const RELAY = 3291;
const PROXY = 3292;
const base = `http://127.0.0.1:${PROXY}`;
const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-'));
const relay = await startRelayProcess(RELAY, dataDir);
const proxy = new CountingProxy(PROXY, RELAY);
await proxy.listen();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run'
  ]
});

const quiet = async (ms = 1500) => {
  // Wait until no HTTP bytes have moved for `ms` (the service worker precache runs in the background).
  let last = -1;
  while (last !== proxy.http) {
    last = proxy.http;
    await new Promise((r) => setTimeout(r, ms));
  }
};

try {
  // Cold visit.
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  proxy.reset();
  await page.goto(`${base}/`);
  await page.getByLabel('What should your group call you?').waitFor();
  // Resource Timing: what was requested up to the first contentful paint (the browser's own mark),
  // so background loads that start after it (Automerge, the service worker) are not counted.
  const firstRender = await page.evaluate(async () => {
    const fcp = await new Promise<number>((resolve) => {
      const seen = performance.getEntriesByName('first-contentful-paint')[0];
      if (seen) return resolve(seen.startTime);
      new PerformanceObserver((list) => {
        const e = list.getEntriesByName('first-contentful-paint')[0];
        if (e) resolve(e.startTime);
      }).observe({ type: 'paint', buffered: true });
    });
    return performance
      .getEntriesByType('resource')
      .concat(performance.getEntriesByType('navigation'))
      .filter((e) => e.startTime <= fcp)
      .reduce((n, e) => n + (e as PerformanceResourceTiming).transferSize, 0);
  });
  report('first-render-bytes', firstRender / 1024, 'KiB', 150);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await quiet();
  report('cold-visit-bytes', proxy.http / 1024, 'KiB', 1536);

  // Repeat visit, online: everything from the service worker.
  proxy.reset();
  await page.reload();
  await page.getByLabel('What should your group call you?').waitFor();
  await quiet(1000);
  report('repeat-visit-bytes', proxy.http / 1024, 'KiB', 1);
  report('repeat-visit-http-requests', proxy.requests, 'requests', 0);

  // Change latency between two browsers.
  await page.getByLabel('What should your group call you?').fill('Bench A');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByLabel('Group name').fill('Latency');
  await page.getByRole('button', { name: 'Create group' }).click();
  const link = await page.getByTestId('share-link').inputValue();
  const other = await (await browser.newContext()).newPage();
  await other.goto(link);
  await other.getByTestId('group-name').waitFor();
  await page.getByTestId('sync-status').and(page.locator('[data-status="synced"]')).waitFor();
  const samples: number[] = [];
  for (let i = 0; i < 15; i++) {
    const text = `ping ${i}`;
    const seen = other.waitForFunction(
      (t) => document.querySelector('[data-testid="notes"]')?.textContent?.includes(t) ?? false,
      text,
      {
        polling: 'raf',
        timeout: 15_000
      }
    );
    await page.getByLabel('Add a note').fill(text);
    // One clock for both sides: this process times from the tap to the note showing in the other browser.
    const start = performance.now();
    await page.getByRole('button', { name: 'Add note' }).click();
    await seen;
    samples.push(performance.now() - start);
  }
  report('change-latency-two-browsers', median(samples), 'ms', 500);
} finally {
  await browser.close();
  await proxy.close();
  await relay.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
