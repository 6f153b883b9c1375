import { defineConfig } from '@playwright/test';

/**
 * The main relay for browser tests: the real sync-server serving the real build. `E2E_PORT` moves
 * it when another run on the same machine holds the default port.
 */
export const E2E_PORT = Number(process.env.E2E_PORT ?? 3199);
const dataDir = `test-results/relay-e2e-${process.pid}`;

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results/playwright-output',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 360, height: 640 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // Debian's Chromium as root needs --no-sandbox; the rest stops calls to the outside world.
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    },
    // Recording a trace for every test costs about a fifth of the browser stage (measured on
    // care and story: 151 s with, 122 s without), and CI's artifacts are not kept: when a test
    // needs one, run it again with `--trace on`.
    trace: 'off',
    screenshot: 'only-on-failure'
  },
  webServer: {
    command: `node --import tsx sync-server/src/index.ts --port ${E2E_PORT} --host 127.0.0.1 --data-dir ${dataDir} --static-dir build`,
    url: `http://127.0.0.1:${E2E_PORT}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe'
  }
});
