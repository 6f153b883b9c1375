// Two journeys a person makes on a slow phone [#24], counted in taps and seconds: from opening an
// invitation link to being a member who has read the rules, and from the Groups list to a posted
// reply. The phone is Chromium with CDP throttling (400 ms round trip, 50 kB/s down, 20 kB/s up,
// CPU 4× slower; the WebSocket is shaped the same way by the proxy); the founder is another
// browser at full speed. Seconds are the person's own: the wait for the group to vote them in is
// measured apart. A tap is a click on a control; typing is counted apart, in fields.
import { chromium, expect, type Locator } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admit, createGroup, createIdentity, makeInvite, tab } from '../tests/e2e/helpers';
import { CountingProxy, report, slowPhone, SLOW_LINK, startRelayProcess } from './lib';

const RELAY = 3297;
const PROXY = 3298;
const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-journeys-'));
const relay = await startRelayProcess(RELAY, dir);
const proxy = new CountingProxy(PROXY, RELAY);
proxy.shapeWs = SLOW_LINK;
await proxy.listen();
const base = `http://127.0.0.1:${PROXY}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update']
});

/** A person's hand: counts what it taps and the fields it types into. */
function hand() {
  const counts = { taps: 0, fields: 0 };
  return {
    counts,
    async tap(l: Locator) {
      counts.taps++;
      await l.click({ timeout: 60_000 });
    },
    async type(l: Locator, words: string) {
      counts.fields++;
      await l.fill(words, { timeout: 60_000 });
    }
  };
}

const LONG = { timeout: 90_000 };

try {
  // The founder, at full speed: a group, a conversation in it, an invitation.
  const founderCtx = await browser.newContext({
    baseURL: base,
    viewport: { width: 360, height: 640 }
  });
  const founder = await founderCtx.newPage();
  await createIdentity(founder, 'Rowan');
  await createGroup(founder, 'Night owls');
  await tab(founder, 'Support');
  await founder.getByLabel('Title').fill('Hard evenings');
  await founder.getByLabel('First post').fill('The bus again tonight. My hands would not stop.');
  await founder.getByRole('button', { name: 'Start the conversation' }).click();
  await expect(founder.getByTestId('post')).toHaveCount(1, LONG);
  const link = (await makeInvite(founder)).replace(/^https?:\/\/[^/]+/, '');

  // The person, on a slow phone, opens the link.
  const ctx = await browser.newContext({
    baseURL: base,
    viewport: { width: 360, height: 640 },
    hasTouch: true,
    isMobile: true
  });
  const page = await ctx.newPage();
  await slowPhone(page);
  const a = hand();
  let t0 = performance.now();
  const steps: Record<string, number> = {};
  const step = (name: string) => (steps[name] = Math.round(performance.now() - t0));
  await page.goto(link);
  await a.type(page.getByLabel('What should your group call you?'), 'Sam');
  step('name field');
  await a.tap(page.getByRole('button', { name: 'Continue' }));
  // The invitation shows the group's name before anything is asked.
  await expect(page.getByTestId('invite-card')).toContainText('Night owls', LONG);
  step('invitation card');
  await a.type(page.getByLabel('Why would you like to join?'), 'Panic at night, for a year now.');
  step('request written');
  // The request can be written while the group is found [INV-8]; it is sent once it is.
  await expect(page.getByRole('button', { name: 'Ask to join' })).toBeEnabled(LONG);
  step('request can be sent');
  await a.tap(page.getByRole('button', { name: 'Ask to join' }));
  await expect(page.getByTestId('application-waiting')).toBeVisible(LONG);
  step('application sent');
  const beforeVote = performance.now() - t0;

  // The group votes them in (the founder's phone); the wait is not the person's own time.
  const w0 = performance.now();
  await admit(founder, 'Sam');
  await expect(page.getByTestId('onboarding-rules')).toBeVisible(LONG);
  const waited = performance.now() - w0;

  t0 = performance.now();
  await a.tap(page.getByTestId('accept-rules'));
  await expect(page.getByTestId('onboarding')).toHaveCount(0, LONG);
  const afterVote = performance.now() - t0;
  // One journey each, end to end: every figure below is one run's (runs: 1).
  report(
    'journey: invitation link to a member who read the rules, taps',
    a.counts.taps,
    'taps',
    4,
    {
      runs: 1
    }
  );
  report(
    'journey: invitation link to a member who read the rules, fields typed',
    a.counts.fields,
    'fields'
  );
  report(
    'journey: invitation link to a member who read the rules, the person’s own time (slow phone)',
    (beforeVote + afterVote) / 1000,
    's',
    20,
    {
      runs: 1,
      nameFieldMs: steps['name field']!,
      invitationCardMs: steps['invitation card']!,
      requestWrittenMs: steps['request written']!,
      requestCanBeSentMs: steps['request can be sent']!
    }
  );
  report('journey: waiting for the group to vote them in (founder online)', waited / 1000, 's');

  // From the Groups list to a posted reply.
  await page.goto('/');
  await expect(page.getByTestId('group-list')).toBeVisible(LONG);
  const b = hand();
  t0 = performance.now();
  await b.tap(page.getByTestId('group-list').getByRole('link', { name: /Night owls/ }));
  await b.tap(
    page.getByRole('navigation', { name: 'Group' }).getByRole('link', { name: 'Support' })
  );
  await b.tap(page.getByTestId('thread-item').getByRole('link', { name: 'Hard evenings' }));
  await b.tap(page.getByTestId('post').first().getByRole('button', { name: 'Reply' }));
  await b.type(
    page.getByLabel('Your post', { exact: true }),
    'Same here. Breathing out slowly helps me.'
  );
  await b.tap(page.getByRole('button', { name: 'Post', exact: true }));
  await expect(page.getByTestId('thread')).toContainText('Breathing out slowly', LONG);
  await expect(page.getByLabel('Your post', { exact: true })).toHaveValue('', LONG);
  report('journey: Groups list to a posted reply, taps', b.counts.taps, 'taps', 5, { runs: 1 });
  report('journey: Groups list to a posted reply, fields typed', b.counts.fields, 'fields');
  report(
    'journey: Groups list to a posted reply, time (slow phone)',
    (performance.now() - t0) / 1000,
    's',
    10,
    { runs: 1 }
  );
  await ctx.close();
  await founderCtx.close();
} finally {
  await browser.close();
  await proxy.close();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
