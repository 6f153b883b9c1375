import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { expectNoViolations, foundWithMember, openProposal, shot, tab } from './helpers';

const STUDY = 'MARKSTUDY Belonging in peer groups, Riverside University';

async function health(page: Page) {
  await tab(page, 'Health & research');
  await expect(page.getByTestId('health')).toBeVisible();
}

test('[RES-1] [RES-2] [RES-4] [RES-10] a study is voted in; a member leaves their data out and back in; the exporter sees what would leave before downloading a zip that names nobody', async ({
  browser
}) => {
  test.setTimeout(240_000);
  const { a, b, founder, member } = await foundWithMember(browser, 'MARKWHY I lost my sister');

  // Health of the group, before any study: figures and charts, and an empty research state.
  await health(founder);
  await expect(founder.getByTestId('chart-members').locator('canvas')).toBeVisible();
  await expect(founder.getByTestId('research-empty')).toBeVisible();

  // Rowan proposes the study; every member may vote on research, newcomers too.
  await tab(founder, 'Decisions');
  await founder
    .getByLabel('What kind of decision?')
    .selectOption({ label: 'Allow research export' });
  await founder.getByLabel("the group's record, anonymized").check();
  await founder.getByLabel('membership and roles over time').uncheck();
  await founder.getByLabel('moderation actions (reason codes only)').uncheck();
  await founder.getByLabel('activity counts, with added noise').uncheck();
  await founder.getByLabel('Which study, who runs it, and why').fill(STUDY);
  await founder.getByRole('button', { name: 'Start the vote' }).click();
  await openProposal(founder, 'MARKSTUDY');
  await expect(founder.getByTestId('proposal')).toContainText('May receive:');

  // Sam sees the vote and leaves themself out before it even ends.
  await health(member);
  const voting = member.getByTestId('research-voting');
  await expect(voting).toContainText(STUDY, { timeout: 30_000 });
  await voting.getByRole('button', { name: 'Leave my data out' }).click();
  await expect(member.getByTestId('research').getByRole('status')).toContainText(
    'your data is left out'
  );

  await tab(founder, 'Decisions');
  await openProposal(founder, 'MARKSTUDY');
  await founder.getByRole('button', { name: 'Yes', exact: true }).click();
  await founder.getByRole('button', { name: 'Close the vote and record the result' }).click();
  await expect(founder.getByTestId('execution')).toContainText('research export allowed');

  // Only Rowan consents: with k = 2 nobody could stay anonymous, so nothing is exported.
  await health(founder);
  await expect(founder.getByTestId('study')).toContainText(STUDY);
  await founder.getByLabel('Smallest group anyone can hide in (k)').fill('2');
  await expect(async () => {
    await founder.getByTestId('prepare-export').click();
    await expect(founder.getByTestId('export-refused')).toContainText('Too few members', {
      timeout: 3000
    });
  }).toPass({ timeout: 30_000 });

  // Sam changes their mind.
  const study = member.getByTestId('study');
  await expect(study.getByTestId('my-consent')).toContainText('Your data is left out', {
    timeout: 30_000
  });
  await study.getByRole('button', { name: 'Include my data' }).click();
  await expect(study.getByTestId('my-consent')).toContainText('Your data is included');
  await shot(member, 'research-member-choice');

  await expect(async () => {
    await founder.getByTestId('prepare-export').click();
    await expect(founder.getByTestId('export-preview')).toContainText('2 members', {
      timeout: 3000
    });
  }).toPass({ timeout: 30_000 });
  await founder
    .getByTestId('health')
    .screenshot({ path: 'test-results/screenshots/health-charts.png' });
  await founder.getByTestId('preview-table').first().locator('summary').click();
  await shot(founder, 'research-export-preview');
  await expectNoViolations(founder, 'research screen');

  const [download] = await Promise.all([
    founder.waitForEvent('download'),
    founder.getByTestId('download-export').click()
  ]);
  expect(download.suggestedFilename()).toMatch(/^hearth-research-\d{4}-\d{2}-\d{2}\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
  expect(Object.keys(files).sort()).toEqual(
    [
      'ballots.csv',
      'ballots.jsonl',
      'data-dictionary.md',
      'document.json',
      'manifest.json',
      'metrics.json',
      'proposals.csv',
      'proposals.jsonl',
      'schema.json',
      'suppression.json'
    ].sort()
  );
  const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as {
    members: { exported: number };
    parameters: { k: number };
  };
  expect(manifest).toMatchObject({ members: { exported: 2 }, parameters: { k: 2 } });
  for (const [name, bytes] of Object.entries(files)) {
    const text = new TextDecoder().decode(bytes);
    for (const secret of ['Rowan', 'Sam', 'MARKSTUDY', 'MARKWHY', 'Evening circle'])
      expect(text.includes(secret), `${name} holds ${secret}`).toBe(false);
  }
  await a.close();
  await b.close();
});
