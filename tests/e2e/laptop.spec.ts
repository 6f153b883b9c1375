import { chromium, expect, test } from '@playwright/test';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  propose,
  shot,
  startRelay,
  tab
} from './helpers';

/**
 * The laptop at a meeting, as it really is [NEAR-9]: phones reach it by a local-network address,
 * which browsers do not treat as secure (unlike localhost, where every other test runs). Chromium
 * maps the name `laptop.test` to this machine, so the pages below are on a plain-http,
 * non-loopback origin, as a phone opening http://192.168.1.20:3030 would be.
 */
test('[NEAR-9] a laptop relay serves phones that open it directly by its local address: no service worker there, and two phones sync a group through it', async ({
  browserName: _
}, info) => {
  test.setTimeout(240_000);
  const port = 3700 + (process.pid % 200);
  const relay = await startRelay({ port, dataDir: info.outputPath('laptop-relay') });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--host-resolver-rules=MAP laptop.test 127.0.0.1']
  });
  try {
    const options = {
      baseURL: `http://laptop.test:${port}`,
      viewport: { width: 360, height: 640 }
    };
    const rowan = await (await browser.newContext(options)).newPage();
    const sam = await (await browser.newContext(options)).newPage();
    await rowan.goto('/');
    // What the docs say about this address: not a secure context, so no service worker runs.
    expect(
      await rowan.evaluate(() => ({ secure: isSecureContext, sw: 'serviceWorker' in navigator }))
    ).toEqual({ secure: false, sw: false });

    await createIdentity(rowan, 'Rowan');
    await createGroup(rowan, 'Hill circle');
    const invite = await makeInvite(rowan);
    expect(invite).toMatch(new RegExp(`^http://laptop\\.test:${port}/join#`));
    await applyToJoin(sam, invite, 'Sam', 'Hello.');
    await admit(rowan, 'Sam');
    await expectAdmitted(sam, 'Hill circle');
    await propose(rowan, 'Walk to the lake on Sunday');
    await tab(sam, 'Decisions');
    await expect(sam.getByTestId('proposal-item').first()).toContainText('Walk to the lake', {
      timeout: 30_000
    });
    await shot(sam, 'laptop-address');
  } finally {
    await browser.close();
    await relay.stop();
  }
});
