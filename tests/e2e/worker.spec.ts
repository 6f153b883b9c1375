import { expect, test } from '@playwright/test';
import {
  applyToJoin,
  admit,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  propose,
  tab
} from './helpers';

test('[APP-11] automerge-repo runs in a worker, not on the page; where the worker cannot start, the page runs it itself and nothing is lost', async ({
  browser
}) => {
  test.setTimeout(120_000);
  // No service workers: the test decides which files arrive.
  const a = await browser.newContext({ serviceWorkers: 'block' });
  const b = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const rowan = await a.newPage();
    const workers: string[] = [];
    rowan.on('worker', (w) => workers.push(w.url()));
    await createIdentity(rowan, 'Rowan');
    const groupUrl = await createGroup(rowan, 'Worker circle');
    expect(workers.some((u) => /repo\.worker-[^/]+\.js$/.test(u))).toBe(true);
    // The page itself never loaded Automerge's code: only the worker did.
    const pageScripts = await rowan.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => n.endsWith('.wasm'))
    );
    expect(pageScripts).toEqual([]);

    // Another phone whose browser cannot start the worker (its file does not arrive).
    const sam = await b.newPage();
    await b.route('**/repo.worker-*.js', (route) => route.abort());
    const samWorkers: string[] = [];
    sam.on('worker', (w) => samWorkers.push(w.url()));
    await applyToJoin(sam, await makeInvite(rowan), 'Sam', 'Hello.');
    await admit(rowan, 'Sam');
    await expectAdmitted(sam, 'Worker circle');
    // It runs automerge-repo on the page instead: it loaded the wasm itself.
    const samWasm = await sam.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e.name)
        .filter((n) => n.endsWith('.wasm'))
    );
    expect(samWasm.length).toBeGreaterThan(0);
    await propose(sam, 'Written without a worker');
    await tab(rowan, 'Decisions');
    await expect(rowan.locator('main')).toContainText('Written without a worker', {
      timeout: 30_000
    });
    // And what it wrote is stored on its phone: after a reload it is still there.
    await sam.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await sam.reload();
    await tab(sam, 'Decisions');
    await expect(sam.locator('main')).toContainText('Written without a worker');
  } finally {
    await a.close();
    await b.close();
  }
});
