import { expect, test } from '@playwright/test';
import {
  expectNoViolations,
  createGroup,
  createIdentity,
  makeInvite,
  openProposal,
  propose,
  shot,
  tab
} from './helpers';

for (const scheme of ['light', 'dark'] as const) {
  test(`[A11Y-1] every route passes an axe scan (${scheme})`, async ({ page }) => {
    // Seventeen axe scans of 3–7 s each on this shared 2-core machine: more than the default minute.
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto('/');
    await expect(page.getByLabel('What should your group call you?')).toBeVisible();
    await expectNoViolations(page, 'welcome');
    await shot(page, `welcome-${scheme}`);

    await createIdentity(page, 'Noor');
    await expectNoViolations(page, 'home');

    await page.goto('/new');
    await expect(page.getByLabel('Group name')).toBeVisible();
    await expectNoViolations(page, 'start a group');
    await shot(page, `new-group-${scheme}`);

    await createGroup(page, 'Anxiety peer circle');
    await expectNoViolations(page, 'group home');
    await shot(page, `group-${scheme}`);
    await propose(page, 'A short proposal for the scan.');
    await expectNoViolations(page, 'decisions');
    await shot(page, `decisions-${scheme}`);
    await openProposal(page, 'A short proposal');
    await expectNoViolations(page, 'proposal');
    await shot(page, `proposal-${scheme}`);
    await tab(page, 'People');
    await expectNoViolations(page, 'people');
    await tab(page, 'Support');
    await page.getByLabel('Title').fill('A conversation for the scan');
    await page.getByLabel('Topic (optional)').fill('scan');
    await page.getByLabel('First post').fill('Hello, everyone.');
    await expectNoViolations(page, 'support');
    // The crisis panel and the notes before posting, open.
    await page.getByLabel('First post').fill('I want to die. Call me on 07700 900123');
    await expect(page.getByTestId('crisis-panel')).toBeVisible();
    await expectNoViolations(page, 'crisis panel');
    await shot(page, `crisis-panel-${scheme}`);
    await page.getByLabel('First post').fill('Hello, everyone.');
    await page.getByRole('button', { name: 'Start the conversation' }).click();
    await expect(page.getByTestId('post')).toHaveCount(1);
    await expectNoViolations(page, 'thread');
    await shot(page, `thread-${scheme}`);
    await tab(page, 'Support');
    await expect(page.getByTestId('thread-item')).toHaveCount(1);
    await expectNoViolations(page, 'support with a thread');
    await shot(page, `support-${scheme}`);
    await tab(page, 'Activity');
    await expectNoViolations(page, 'activity');
    await shot(page, `activity-${scheme}`);
    const invite = await makeInvite(page);
    await expectNoViolations(page, 'invite');
    await page.goto(invite.replace(/^https?:\/\/[^/]+/, ''));
    await expect(page.getByRole('heading', { name: 'You’re already a member' })).toBeVisible();
    await expectNoViolations(page, 'join (already a member)');

    await page.goto('/group#not-a-real-id');
    await expect(page.getByRole('heading', { name: 'That link doesn’t look right' })).toBeVisible();
    await expectNoViolations(page, 'group with a bad link');

    await page.goto('/safety-plan');
    await expect(page.getByTestId('safety-plan')).toBeVisible();
    await expectNoViolations(page, 'safety plan');
    await shot(page, `safety-plan-${scheme}`);

    await page.goto('/settings');
    await expect(page.getByTestId('key-fingerprint')).toBeVisible();
    await expectNoViolations(page, 'settings');
    await shot(page, `settings-${scheme}`);
  });
}
