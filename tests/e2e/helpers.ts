import { expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';

export const SCREENSHOTS = 'test-results/screenshots';

/** Saves a named screenshot of a key screen as a test artifact. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
}

export async function createIdentity(page: Page, name: string): Promise<void> {
  await page.goto('/');
  await page.getByLabel('What should your group call you?').fill(name);
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByRole('heading', { name: `Hi, ${name}` })).toBeVisible();
}

/** Creates a group from the home page and returns its share link. */
export async function createGroup(page: Page, name: string): Promise<string> {
  await page.getByLabel('Group name').fill(name);
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByTestId('group-name')).toHaveText(name);
  return page.getByTestId('share-link').inputValue();
}

export async function addNote(page: Page, text: string): Promise<void> {
  await page.getByLabel('Add a note').fill(text);
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes')).toContainText(text);
}

export async function expectSyncStatus(
  page: Page,
  status: string,
  timeout = 15_000
): Promise<void> {
  await expect(page.getByTestId('sync-status')).toHaveAttribute('data-status', status, { timeout });
}

/** Waits until a service worker controls the page (so reloads can be served offline). */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller) return;
    await new Promise<void>((resolve) =>
      navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
    );
  });
}

export interface RelayProcess {
  url: string;
  stop(): Promise<number | null>;
}

/** Starts a real relay process (the same entry point as `npm start`) and waits until it answers. */
export async function startRelay(opts: {
  port: number;
  dataDir: string;
  staticDir?: string;
}): Promise<RelayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'sync-server/src/index.ts',
      '--port',
      String(opts.port),
      '--host',
      '127.0.0.1',
      '--data-dir',
      opts.dataDir,
      '--static-dir',
      opts.staticDir ?? 'build'
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] }
  );
  const url = `http://127.0.0.1:${opts.port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`relay exited with ${child.exitCode}`);
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error('relay did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      })
  };
}
