import { expect, test } from '@playwright/test';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  expectSyncStatus,
  makeInvite,
  propose,
  shot,
  tab
} from './helpers';

test('[SNK-5] the group shows from this phone’s own data when Automerge cannot load; what is written meanwhile waits on the phone and reaches the others once it loads', async ({
  browser
}) => {
  test.setTimeout(180_000);
  // No service workers here, so the test can hold back the Automerge wasm from the network.
  const a = await browser.newContext({ serviceWorkers: 'block' });
  const b = await browser.newContext({ serviceWorkers: 'block' });
  try {
    const rowan = await a.newPage();
    const sam = await b.newPage();
    await createIdentity(rowan, 'Rowan');
    const groupUrl = await createGroup(rowan, 'Mirror circle');
    await applyToJoin(sam, await makeInvite(rowan), 'Sam', 'Hello.');
    await admit(rowan, 'Sam');
    await expectAdmitted(sam, 'Mirror circle');
    await propose(rowan, 'Tea before the meeting');
    await expectSyncStatus(rowan, 'synced');
    // Sam reads it: the key Rowan's phone gives a new member (a moment after the admission,
    // APP-4) has arrived before Rowan's phone loses Automerge below.
    await tab(sam, 'Decisions');
    await expect(sam.getByTestId('proposal-item').first()).toContainText('Tea before the meeting', {
      timeout: 30_000
    });

    // Automerge's wasm does not arrive: the group still opens, from the phone's mirror.
    await a.route('**/*.wasm', (route) => route.abort());
    await rowan.goto(groupUrl);
    await rowan.reload();
    await expect(rowan.getByTestId('group-name')).toHaveText('Mirror circle');
    await tab(rowan, 'Decisions');
    await expect(rowan.getByTestId('proposal-item').first()).toContainText(
      'Tea before the meeting'
    );
    await propose(rowan, 'Written before Automerge loaded');
    await shot(rowan, 'local-first');

    // Sam cannot see it yet: it is only on Rowan's phone.
    await expect(sam.locator('main')).not.toContainText('Written before Automerge loaded');

    // The wasm arrives: the waiting entry goes into the document and reaches Sam.
    await a.unroute('**/*.wasm');
    await rowan.reload();
    await expect(rowan.getByTestId('group-name')).toHaveText('Mirror circle');
    await expect(sam.locator('main')).toContainText('Written before Automerge loaded', {
      timeout: 30_000
    });
  } finally {
    await a.close();
    await b.close();
  }
});
