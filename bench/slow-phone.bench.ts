// A low-end phone on a poor network [#8]: Chromium with CDP throttling (400 ms round trip,
// 50 kB/s down, 20 kB/s up, CPU 4× slower), against the real relay through a byte-counting proxy:
//  - first visit: bytes before the first render, time to the first screen, all bytes (precache);
//  - repeat visit: bytes and time;
//  - the installed app opening a 50-member group it holds from local data, online but slow;
//  - bytes the phone receives to sync one ballot when it is otherwise up to date;
//  - a month away: bytes and time to catch up on 600 entries written by the 50 members.
// What CDP cannot do: its network throttling does not reach WebSocket frames (the proxy shapes
// those instead: 400 ms round trip, 50/20 kB/s), and its CPU throttling slows only the page's
// main thread, not a worker ("only supported for pages"). automerge-repo runs in a worker
// (ADR 0018) at this machine's speed, so the sync times below understate a slow phone's CPU share;
// the main-thread figures (long tasks) are what the worker is for.
import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  bytesBeforeFirstPaint,
  CountingProxy,
  groupWriter,
  report,
  slowPhone,
  SLOW_LINK,
  startRelayProcess
} from './lib';

const RELAY = 3295;
const PROXY = 3296;
const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-slow-'));
const relay = await startRelayProcess(RELAY, dir);
const proxy = new CountingProxy(PROXY, RELAY);
// The same slow link for sync as CDP gives the page's own requests (which it does not apply to
// WebSocket frames).
proxy.shapeWs = SLOW_LINK;
await proxy.listen();
const base = `http://127.0.0.1:${PROXY}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update']
});

const quiet = async (read: () => number, ms = 1500) => {
  let last = -1;
  while (last !== read()) {
    last = read();
    await new Promise((r) => setTimeout(r, ms));
  }
};

try {
  const context = await browser.newContext({ viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  await slowPhone(page);

  // First visit.
  proxy.reset();
  let t0 = performance.now();
  await page.goto(`${base}/`);
  await page.getByLabel('What should your group call you?').waitFor({ timeout: 120_000 });
  // The first screen on a first visit [#24, PWA-4]: 3 s at 400 ms round trips and 50 kB/s.
  report('slow phone: first visit, time to the first screen', performance.now() - t0, 'ms', 3000);
  const beforeRender = await bytesBeforeFirstPaint(page);
  report(
    'slow phone: first visit, bytes before the first render',
    beforeRender.all / 1024,
    'KiB',
    100,
    { files: beforeRender.files }
  );
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await quiet(() => proxy.http, 3000);
  report('slow phone: first visit, all bytes (app precached)', proxy.http / 1024, 'KiB');

  // Repeat visit.
  proxy.reset();
  t0 = performance.now();
  await page.reload();
  await page.getByLabel('What should your group call you?').waitFor({ timeout: 60_000 });
  report('slow phone: repeat visit, time to the first screen', performance.now() - t0, 'ms', 1500);
  await quiet(() => proxy.http);
  report('slow phone: repeat visit, bytes', proxy.http / 1024, 'KiB', 0);

  // A group of 50 members on this phone, with 120 entries of conversation.
  await page.getByLabel('What should your group call you?').fill('Slow');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.goto(`${base}/new`);
  await page.getByLabel('Group name').fill('Slow circle');
  await page.getByRole('button', { name: 'Create the group' }).click();
  await page.getByTestId('group-name').waitFor({ timeout: 60_000 });
  const groupUrl = page.url();
  const documentId = new URL(groupUrl).hash.slice(1).split('/')[0]!;
  const w = await groupWriter(page, documentId, RELAY);
  w.admit(49);
  w.write(120);
  await w.flush();
  await page.getByTestId('open-count').waitFor({ timeout: 120_000 });
  await page.getByTestId('sync-status').and(page.locator('[data-status="synced"]')).waitFor({
    timeout: 120_000
  });

  // The installed app, started again, opening that group from local data. Long tasks on the main
  // thread are summed from the document's start: they say whether Automerge should move to a
  // worker (ADR 0014).
  await context.addInitScript(() => {
    const w = window as unknown as { __long: number; __longest: number };
    w.__long = 0;
    w.__longest = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        w.__long += e.duration;
        w.__longest = Math.max(w.__longest, e.duration);
      }
    }).observe({ type: 'longtask', buffered: true });
  });
  const again = await context.newPage();
  await page.close();
  await slowPhone(again);
  t0 = performance.now();
  await again.goto(groupUrl);
  await again.getByTestId('open-count').waitFor({ timeout: 120_000 });
  report(
    `slow phone: cold start of the installed app, a ${w.size()}-member group usable from local data`,
    performance.now() - t0,
    'ms',
    3000
  );
  await again.getByTestId('sync-status').and(again.locator('[data-status="synced"]')).waitFor({
    timeout: 120_000
  });
  // A string, not a function: tsx would wrap a function with helpers the page does not have.
  const long = await again.evaluate<{ total: number; longest: number }>(
    '({ total: window.__long, longest: window.__longest })'
  );
  report('slow phone: main-thread long tasks, cold start until synced', long.total, 'ms');
  report('slow phone: longest main-thread task, cold start until synced', long.longest, 'ms', 200);
  await quiet(() => proxy.ws);

  // One ballot to an up-to-date phone.
  let before = proxy.ws;
  w.ballot();
  await w.flush();
  await new Promise((r) => setTimeout(r, 3000));
  await quiet(() => proxy.ws);
  report('slow phone: bytes received to sync one ballot', proxy.ws - before, 'bytes', 1024);

  // A month away: the app is closed (no connection at all) while 600 entries are written; then
  // it opens the group again and catches up.
  await again.close();
  w.write(600);
  await w.flush();
  before = proxy.ws;
  const back = await context.newPage();
  await slowPhone(back);
  t0 = performance.now();
  await back.goto(groupUrl);
  await back.getByTestId('group-name').waitFor({ timeout: 120_000 });
  await back.getByTestId('sync-status').and(back.locator('[data-status="synced"]')).waitFor({
    timeout: 300_000
  });
  report(
    `slow phone: catch up after a month away in a ${w.size()}-member group (600 entries), time`,
    performance.now() - t0,
    'ms'
  );
  await quiet(() => proxy.ws);
  report(
    `slow phone: catch up after a month away in a ${w.size()}-member group (600 entries), bytes`,
    (proxy.ws - before) / 1024,
    'KiB'
  );
} finally {
  await browser.close();
  await proxy.close();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
