import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';

/**
 * Hearth's network-adapter contract [NEAR-2] in a real Chromium over real RTCDataChannels: three
 * peers, each pair joined by a data channel made from the codes two phones would show each other,
 * each end bridged to its adapter through a MessagePort as the page bridges to the worker.
 */

let bundle = '';
const wasm = readFileSync(resolve('node_modules/@automerge/automerge/dist/automerge.wasm'));

test.beforeAll(async ({ browserName: _ }, info) => {
  const outDir = info.outputPath('contract-bundle');
  await build({
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { $core: resolve('src/lib/core') } },
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      lib: {
        entry: resolve('tests/e2e/contract-page/entry.ts'),
        formats: ['es'],
        fileName: 'contract'
      }
    }
  });
  bundle = readFileSync(join(outDir, 'contract.js'), 'utf8');
});

test('[NEAR-2] network contract: the link adapter over real RTCDataChannels (Chromium), bridged through MessagePorts as in the app', async ({
  page
}) => {
  test.setTimeout(180_000);
  await page.route('**/contract/automerge.wasm', (route) =>
    route.fulfill({ body: wasm, contentType: 'application/wasm' })
  );
  await page.route('**/contract/', (route) =>
    route.fulfill({ body: '<!doctype html><title>contract</title>', contentType: 'text/html' })
  );
  await page.goto('/contract/');
  await page.addScriptTag({ type: 'module', content: bundle });
  await page.waitForFunction(() => 'runContract' in globalThis);
  const results = await page.evaluate(
    (url) =>
      (
        globalThis as unknown as {
          runContract: (u: string) => Promise<{ name: string; error?: string }[]>;
        }
      ).runContract(url),
    new URL('/contract/automerge.wasm', page.url()).href
  );
  for (const r of results)
    console.log(`${r.error ? '✗' : '✓'} ${r.name}${r.error ? `: ${r.error}` : ''}`);
  expect(results.filter((r) => r.error)).toEqual([]);
  expect(results.length).toBeGreaterThanOrEqual(9);
});
