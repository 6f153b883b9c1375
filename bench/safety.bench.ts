// Safety figures [SAFE-13]:
//  - keystroke to crisis panel on the longest draft a composer takes (4,000 characters, ~700
//    words), in Debian's Chromium against the real relay and build (median of 15 keystrokes; also
//    with the CPU 4× slower, as on a low-end phone);
//  - classifier throughput in Node (1,000-word drafts and short posts);
//  - the classifier itself in Chromium on a 50,000-character draft in three scripts (CPU 1× and
//    4× slower): one keystroke (median of 15; every bundled language reads it [SAFE-28]), and the
//    first read of the whole draft (a paste);
//  - the size of the bundled lexicons and helpline data (what every phone downloads).
import { chromium } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { classify } from '../src/lib/core/safety/classify';
import { median, report, startRelayProcess } from './lib';

const WORDS =
  'today I went for a walk and thought about the week, the people in the group and the small things that helped me keep going when the evenings were long and quiet'.split(
    ' '
  );
const draft = (n: number) => Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]).join(' ');

// --- throughput (Node) ---
// Every text is new (a number in it), so none is answered from the classifier's memory of pieces.
const long = draft(1000);
const short = ['I had a hard day but I am okay', 'thank you all so much', 'I just want to die'];
let t0 = performance.now();
let n = 0;
while (performance.now() - t0 < 2000) {
  classify(long.replaceAll(',', `, ${n}`), 'en');
  n++;
}
report('safety classify, 1,000-word draft, first read', (performance.now() - t0) / n, 'ms');
t0 = performance.now();
n = 0;
while (performance.now() - t0 < 2000) {
  classify(`${short[n % 3]!} ${n}`, 'en');
  n++;
}
report('safety classify throughput, short posts', n / ((performance.now() - t0) / 1000), 'posts/s');

// --- sizes ---
for (const lang of ['en', 'es', 'ar']) {
  const raw = readFileSync(`src/lib/core/safety/lexicons/${lang}.json`);
  report(`safety lexicon ${lang}, gzip`, gzipSync(raw).length / 1024, 'KiB');
}
const lines = readFileSync('src/lib/safety/helplines.json');
report('safety helpline data, gzip', gzipSync(lines).length / 1024, 'KiB');

// --- keystroke to panel (Chromium) ---
const RELAY = 3293;
const dataDir = mkdtempSync(join(tmpdir(), 'hearth-bench-safety-'));
const relay = await startRelayProcess(RELAY, dataDir);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update']
});
// The classifier as the app ships it, bundled for a bare page.
const bundle = await build({
  entryPoints: ['src/lib/core/safety/classify.ts'],
  bundle: true,
  write: false,
  format: 'iife',
  globalName: 'HearthSafety',
  target: 'es2022'
});
const MIXED =
  'Hoy caminé un rato y pensé en la semana. Today I walked for a while and thought about the group. اليوم مشيت قليلا وفكرت في الاسبوع. ';
let big = '';
while (big.length < 50_000) big += MIXED;
big = big.slice(0, 50_000);
try {
  for (const slowdown of [1, 4]) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.setContent('<!doctype html><title>bench</title>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    // A string, not a function: tsx would add helpers the page does not have.
    const r = await page.evaluate<{ paste: number; keys: number[]; tier: string }>(
      `(() => {
        const { classify } = globalThis.HearthSafety;
        const big = ${JSON.stringify(big)};
        let t0 = performance.now();
        classify(big, 'en');
        const paste = performance.now() - t0;
        let text = big;
        const keys = [];
        let tier = '';
        for (let i = 0; i < 15; i++) {
          text += i === 14 ? ' I want to die' : 'abcde '[i % 6];
          t0 = performance.now();
          tier = classify(text, 'en').tier;
          keys.push(performance.now() - t0);
        }
        return { paste, keys, tier };
      })()`
    );
    if (r.tier !== 'passive') throw new Error(`50,000-character draft read as ${r.tier}`);
    const x = slowdown > 1 ? `, CPU ${slowdown}× slower` : '';
    report(
      `safety classify keystroke, 50,000-character mixed-script draft${x}`,
      median(r.keys),
      'ms',
      slowdown === 4 ? 100 : undefined
    );
    report(`safety classify first read of a 50,000-character paste${x}`, r.paste, 'ms');
    await context.close();
  }
  for (const slowdown of [1, 4]) {
    const context = await browser.newContext({
      locale: 'en-GB',
      viewport: { width: 360, height: 640 }
    });
    const page = await context.newPage();
    page.on('crash', () => console.error('page crashed'));
    page.on('pageerror', (e) => console.error('page error', e.message));
    await page.goto(`http://127.0.0.1:${RELAY}/`);
    await page.getByLabel('What should your group call you?').fill('Bench');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('start-group').click();
    await page.getByLabel('Group name').fill('Bench group');
    await page.getByRole('button', { name: 'Create the group' }).click();
    await page
      .getByRole('navigation', { name: 'Group' })
      .getByRole('link', { name: 'Support' })
      .click();
    const field = page.getByLabel('First post');
    await field.waitFor();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: slowdown });
    const times: number[] = [];
    // Composers hold at most 4,000 characters (the ledger's limit, MAX_TEXT): a full one is
    // about 700 words. The 1,000-word figure is the Node one above.
    const tail = ' I want to di';
    const FULL = draft(1000).slice(0, 4000 - tail.length) + tail;
    for (let i = 0; i < 15; i++) {
      // A calm 1,000-word draft (no panel), then one keystroke that completes a crisis sentence.
      await field.fill(FULL);
      await page.getByTestId('crisis-panel').waitFor({ state: 'detached' });
      // A string, not a function: tsx would add helpers the page does not have.
      const ms = await page.evaluate<number>(`new Promise((resolve) => {
        const area = document.querySelector('#st-text');
        const start = performance.now();
        const check = () => document.querySelector('[data-testid="crisis-panel"]')
          ? requestAnimationFrame(() => resolve(performance.now() - start))
          : performance.now() - start > 5000 ? resolve(-2) : requestAnimationFrame(check);
        if (!area) return resolve(-1);
        area.value += 'e';
        area.dispatchEvent(new InputEvent('input', { bubbles: true, data: 'e' }));
        requestAnimationFrame(check);
      })`);
      times.push(ms);
    }
    // A sample counts only if the panel opened (-1: no composer, -2: no panel within 5 s).
    const opened = times.filter((t) => t >= 0);
    report(
      `safety keystroke to panel, full 4,000-character draft${slowdown > 1 ? `, CPU ${slowdown}× slower` : ''}`,
      opened.length > 0 ? median(opened) : NaN,
      'ms',
      100,
      { samples: times.length, opened: opened.length }
    );
    await context.close();
  }
} finally {
  await browser.close();
  await relay.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
