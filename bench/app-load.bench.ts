// Walking-skeleton figures measured in Debian's Chromium against a real relay process:
//  - bytes fetched before the first render (what a first visit must download to show anything),
//  - all bytes of a cold first visit, including the service worker precaching the whole app,
//  - bytes and requests of a repeat visit (should be zero: the service worker serves everything),
//  - change latency: a comment written in one browser appearing in another, median of 15,
//  - opening a 1,000-entry group offline (from the service worker and IndexedDB) to the group
//    home, and the main thread's long tasks meanwhile (median of 5).
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { Repo, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { GroupSession } from '../src/lib/core/group/session';
import { deviceKeys } from '../src/lib/core/group/signer';
import { entryId } from '../src/lib/core/ledger/envelope';
import { putEntry, readLedgerDoc, type LedgerDoc } from '../src/lib/core/ledger/doc';
import {
  bytesBeforeFirstPaint,
  CountingProxy,
  deviceSeedOf,
  median,
  report,
  startRelayProcess
} from './lib';

/** Writes `n` entries (proposals and comments) as the given member, through the relay. */
async function writeEntries(url: string, documentId: string, seed: Uint8Array, n: number) {
  const repo = new Repo({
    network: [new WebSocketClientAdapter(url)],
    peerId: `bench-${process.pid}` as PeerId,
    sharePolicy: () => Promise.resolve(true)
  });
  const handle = await repo.find<LedgerDoc>(documentId as DocumentId);
  const doc = readLedgerDoc(handle.doc())!;
  const session = new GroupSession({
    groupId: doc.groupId,
    device: deviceKeys(seed),
    random: (k) => crypto.getRandomValues(new Uint8Array(k))
  });
  session.addAll(doc.entries.values());
  const out: Uint8Array[] = [];
  let t = Math.floor(Date.now() / 1000);
  let proposal = '';
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) {
      const written = session.propose({ type: 'general', text: `Idea number ${i}` }, ++t);
      out.push(...written);
      proposal = entryId(written[written.length - 1]!);
    } else out.push(...session.comment(proposal, `Thoughts on it, part ${i}`, ++t));
  }
  handle.change((d) => {
    for (const b of out) putEntry(d, b);
  });
  await new Promise((r) => setTimeout(r, 3000));
  await repo.shutdown();
  return out.length;
}

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
  const firstRender = await bytesBeforeFirstPaint(page);
  report('first-render-bytes', firstRender.all / 1024, 'KiB', 150);
  report('first-render-js-bytes', firstRender.js / 1024, 'KiB', 120);
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

  // Change latency between two browsers: a comment written by one member appearing on the other
  // member's screen (sealed, signed, synced through the relay, verified, derived, opened).
  await page.getByLabel('What should your group call you?').fill('Bench A');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.goto(`${base}/new`);
  await page.getByLabel('Group name').fill('Latency');
  await page.getByRole('button', { name: 'Create the group' }).click();
  await page.getByTestId('group-name').waitFor();
  const groupUrl = page.url();
  const documentId = new URL(groupUrl).hash.slice(1).split('/')[0]!;
  await page.getByRole('link', { name: 'Invite', exact: true }).click();
  await page.getByRole('button', { name: 'Make an invitation link' }).click();
  const invite = await page.getByTestId('invite-link').inputValue();
  const otherContext = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const other = await otherContext.newPage();
  await other.goto(invite);
  await other.getByLabel('What should your group call you?').fill('Bench B');
  await other.getByRole('button', { name: 'Continue' }).click();
  await other.getByLabel('Why would you like to join?').fill('benchmark');
  await other.getByRole('button', { name: 'Ask to join' }).click();
  await other.getByTestId('application-waiting').waitFor();
  await page.goto(groupUrl);
  await page.getByRole('button', { name: 'Start the vote on welcoming them' }).click();
  await page.getByTestId('proposal-item').first().getByRole('link').click();
  await page.getByRole('button', { name: 'Yes', exact: true }).click();
  await page.getByRole('button', { name: 'Close the vote and record the result' }).click();
  await other.getByTestId('group-name').waitFor({ timeout: 30_000 });
  await other.getByTestId('waiting-key').waitFor({ state: 'detached', timeout: 30_000 });
  await page.getByRole('link', { name: 'Decisions', exact: true }).click();
  await page.getByLabel('Describe it').fill('Latency check');
  await page.getByRole('button', { name: 'Start the vote' }).click();
  await page
    .getByTestId('proposal-item')
    .filter({ hasText: 'Latency check' })
    .getByRole('link')
    .click();
  await other.goto(page.url());
  await other.getByTestId('proposal').waitFor();
  await page.getByTestId('sync-status').and(page.locator('[data-status="synced"]')).waitFor();
  const samples: number[] = [];
  for (let i = 0; i < 15; i++) {
    const text = `ping ${i}`;
    const seen = other.waitForFunction(
      (t) => document.querySelector('[data-testid="proposal"]')?.textContent?.includes(t) ?? false,
      text,
      { polling: 'raf', timeout: 15_000 }
    );
    await page.getByLabel('Add to the discussion').fill(text);
    // One clock for both sides: this process times from the tap to the text showing in the other browser.
    const start = performance.now();
    await page.getByRole('button', { name: 'Post comment' }).click();
    await seen;
    samples.push(performance.now() - start);
  }
  report('change-latency-two-browsers', median(samples), 'ms', 500);

  // A 1,000-entry group: the founder's key (read from the browser's storage) writes 1,000 more
  // entries from this process through the relay; then the phone opens it offline.
  const founderSeed = await deviceSeedOf(page);
  const written = await writeEntries(`ws://127.0.0.1:${RELAY}/sync`, documentId, founderSeed, 1000);
  await page.goto(groupUrl);
  await page.getByRole('link', { name: 'Activity', exact: true }).click();
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid="activity"] li').length >= Math.min(n, 100),
    written,
    { timeout: 60_000 }
  );
  await page.getByTestId('sync-status').and(page.locator('[data-status="synced"]')).waitFor();
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await context.setOffline(true);
  const loads: number[] = [];
  const longTasks: number[] = [];
  // Long tasks of each document from its start: the observer is registered before any app code.
  await context.addInitScript(() => {
    const w = window as unknown as { __long: number };
    w.__long = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__long += e.duration;
    }).observe({ type: 'longtask', buffered: true });
  });
  for (let i = 0; i < 5; i++) {
    await page.goto(`${base}/`);
    await page.getByTestId('group-list').waitFor();
    const start = performance.now();
    await page.goto(groupUrl);
    // The home shows the count of open votes: all 250 proposals must have been derived.
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="open-count"]')?.textContent) >= 250,
      undefined,
      { polling: 'raf', timeout: 60_000 }
    );
    loads.push(performance.now() - start);
    longTasks.push(await page.evaluate(() => (window as unknown as { __long: number }).__long));
  }
  report('open-1000-entry-group-offline', median(loads), 'ms', 2000);
  report('long-tasks-opening-1000-entry-group', median(longTasks), 'ms', 500);
  await context.setOffline(false);
} finally {
  await browser.close();
  await proxy.close();
  await relay.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
