import { expect, test } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';
import {
  createIdentity,
  foundWithMember,
  propose,
  shot,
  tab,
  waitForServiceWorker
} from './helpers';

test('[SNK-1] [SNK-2] [SNK-3] with no network: a phone shows what it has, the other saves only what it lacks to a .hearth file, the file brings the new decision; a replayed, damaged or foreign file changes nothing; a new phone opens the whole group from a file', async ({
  browser
}, info) => {
  test.setTimeout(180_000);
  const { a, b, founder, member } = await foundWithMember(browser);
  // Sam's phone loses its connection; Rowan decides something meanwhile.
  await b.setOffline(true);
  await propose(founder, 'Meet at the library on Thursday');

  // Sam shows what their phone has (as a QR code and as text).
  await tab(member, 'Invite');
  await member.getByRole('button', { name: 'Show what this phone has' }).click();
  await expect(member.getByTestId('heads-qr')).toBeVisible();
  const code = await member.getByTestId('heads-code').inputValue();
  expect(code).toMatch(/^hearth-heads:1:/);
  await shot(member, 'sneakernet-heads');

  // Rowan reads it and saves only what Sam lacks; and a file of the whole group.
  await tab(founder, 'Invite');
  const share = founder.getByTestId('offline-share');
  await share.getByTestId('save-since').click();
  await share.getByTestId('paste-code').fill(code);
  const [since] = await Promise.all([
    founder.waitForEvent('download'),
    share.getByRole('button', { name: 'Continue' }).click()
  ]);
  expect(since.suggestedFilename()).toMatch(/\.hearth$/);
  await expect(share.getByTestId('snk-message')).toContainText('only what the other phone lacks');
  const [full] = await Promise.all([
    founder.waitForEvent('download'),
    share.getByTestId('save-bundle').click()
  ]);
  const sincePath = info.outputPath('since.hearth');
  const fullPath = info.outputPath('full.hearth');
  await since.saveAs(sincePath);
  await full.saveAs(fullPath);
  expect(readFileSync(sincePath).length).toBeLessThan(readFileSync(fullPath).length);

  // Sam, still offline, takes the file in: the decision is there.
  const take = member.getByTestId('take-bundle');
  await take.setInputFiles(sincePath);
  await expect(member.getByTestId('snk-message')).toContainText(/Added \d+ new entries/);
  await tab(member, 'Decisions');
  await expect(member.getByTestId('proposal-item').first()).toContainText(
    'Meet at the library on Thursday'
  );

  // The same file again, a damaged copy, a file that is not Hearth's: clear words, nothing changed.
  await tab(member, 'Invite');
  await take.setInputFiles(sincePath);
  await expect(member.getByTestId('snk-message')).toContainText('Nothing new');
  const bytes = readFileSync(fullPath);
  bytes[bytes.length - 40]! ^= 0xff;
  const damaged = info.outputPath('damaged.hearth');
  writeFileSync(damaged, bytes);
  await take.setInputFiles(damaged);
  await expect(member.getByTestId('snk-error')).toContainText(/damaged|incomplete/);
  const notOurs = info.outputPath('notes.hearth');
  writeFileSync(notOurs, 'shopping list: bread, milk');
  await take.setInputFiles(notOurs);
  await expect(member.getByTestId('snk-error')).toContainText('not a Hearth group file');
  await shot(member, 'sneakernet-error');

  // A third phone with no network opens the whole group from the file.
  const c = await browser.newContext();
  const kim = await c.newPage();
  await createIdentity(kim, 'Kim');
  await waitForServiceWorker(kim);
  await c.setOffline(true);
  await kim.getByTestId('open-bundle').setInputFiles(fullPath);
  await expect(kim.getByTestId('group-name')).toBeVisible({ timeout: 30_000 });
  await expect(kim.locator('main')).toContainText('not a member');
  await a.close();
  await b.close();
  await c.close();
});
