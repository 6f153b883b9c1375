import { expect, test, type Page } from '@playwright/test';
import { PushEndpoint } from '../kit/push-endpoint';
import { splitPush } from '../../src/lib/core/notify/wake';
import {
  admit,
  applyToJoin,
  createGroup,
  createIdentity,
  expectAdmitted,
  makeInvite,
  openProposal,
  propose,
  shot,
  startRelay,
  tab,
  waitForServiceWorker
} from './helpers';

/**
 * A check-in request reaches a responder whose Hearth is closed [SAFE-24, PUSH-15]: the whole
 * path on this machine. A real relay process sends through the real `web-push` library to a
 * local push service (tests/kit/push-endpoint.ts) that checks VAPID and decrypts RFC 8291 with
 * the subscription's own keys; the responder's service worker is then handed exactly those bytes
 * through Chromium's DevTools protocol and shows the notice.
 *
 * What stands in for something outside this machine: the browser's push service. Chromium here
 * cannot reach one, so `pushManager.subscribe` answers with a subscription at the local push
 * service (everything the app does with it, and everything after, is real).
 */
const PORT = 3193;

async function subscribeLocally(page: Page, sub: { endpoint: string; keys: object }) {
  await page.addInitScript((s) => {
    const fake = {
      endpoint: s.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys }),
      unsubscribe: () => Promise.resolve(true),
      getKey: () => null
    };
    PushManager.prototype.subscribe = () => Promise.resolve(fake as unknown as PushSubscription);
    PushManager.prototype.getSubscription = () =>
      Promise.resolve(fake as unknown as PushSubscription);
  }, sub);
}

test('[PUSH-15] [PUSH-16] [PUSH-18] [PUSH-19] [PUSH-20] [PUSH-21] [PUSH-22] [SAFE-24] a check-in request wakes the responder’s phone through the relay and a push service, the notice saying what the responder chose; the answer wakes the asker; a vote reminder waits at the relay until the vote is cast; quiet hours silence notices but for check-in requests when chosen; an application wakes the inviter; a refused permission is said calmly', async ({
  browser
}, info) => {
  test.setTimeout(240_000);
  const endpoint = await new PushEndpoint().listen();
  const relay = await startRelay({
    port: PORT,
    dataDir: info.outputPath('relay'),
    args: ['--push-services', '127.0.0.1', '--push-retry-ms', '200'],
    env: { NODE_EXTRA_CA_CERTS: endpoint.certFile }
  });
  const options = { baseURL: relay.url, viewport: { width: 360, height: 640 } };
  const a = await browser.newContext(options);
  const b = await browser.newContext(options);
  const c = await browser.newContext(options);
  try {
    await a.grantPermissions(['notifications'], { origin: relay.url });
    await b.grantPermissions(['notifications'], { origin: relay.url });
    const sub = endpoint.subscribe();
    const samSub = endpoint.subscribe();
    const rowan = await a.newPage();
    await subscribeLocally(rowan, { endpoint: sub.endpoint, keys: sub.keys });
    const sam = await b.newPage();
    await subscribeLocally(sam, { endpoint: samSub.endpoint, keys: samSub.keys });
    await createIdentity(rowan, 'Rowan');
    const groupUrl = await createGroup(rowan, 'Night circle');
    await applyToJoin(sam, await makeInvite(rowan), 'Sam', 'Hello.');
    await admit(rowan, 'Sam');
    await expectAdmitted(sam, 'Night circle');

    // Rowan (a leader, so a responder) turns notifications on, after reading what they do.
    await waitForServiceWorker(rowan);
    await rowan.getByRole('link', { name: 'Settings' }).click();
    const card = rowan.getByTestId('notify');
    await expect(card).toContainText('Nothing you write is sent for this');
    await card.getByLabel('What kind of thing it is, for example a check-in request').check();
    await shot(rowan, 'notify-settings');
    await card.getByTestId('notify-turn-on').click();
    await expect(card.getByTestId('notify-on')).toBeVisible();
    // Opening the group registers this phone's handle and says where to wake it.
    await rowan.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await expect(rowan.getByTestId('group-name')).toHaveText('Night circle');
    await tab(rowan, 'Activity');
    await expect(rowan.locator('main')).toContainText('said where to wake it', { timeout: 30_000 });

    // Sam turns them on too (private: the default).
    await waitForServiceWorker(sam);
    await sam.getByRole('link', { name: 'Settings' }).click();
    await sam.getByTestId('notify-turn-on').click();
    await expect(sam.getByTestId('notify-on')).toBeVisible();
    await sam.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await expect(sam.getByTestId('group-name')).toHaveText('Night circle');

    const waiting = async () => {
      const text = await (await fetch(`${relay.url}/metrics`)).text();
      return Number(/^hearth_relay_push_waiting (\d+)/m.exec(text)?.[1] ?? -1);
    };
    // Rowan's Hearth closes. Sam asks for a check-in.
    await rowan.goto('about:blank');
    await tab(sam, 'Support');
    await sam.getByLabel('First post').fill('I want to die tonight');
    const panel = sam.getByTestId('crisis-panel');
    await panel
      .getByRole('button', { name: 'Ask someone from the group to check in on me' })
      .click();
    await panel.getByTestId('checkin-send').click();
    await expect(panel.getByTestId('checkin-sent')).toBeVisible();
    // A second wake for the responders waits at the relay, due once the group's wait has passed
    // unanswered [PUSH-21].
    await expect.poll(waiting, { timeout: 30_000 }).toBe(1);

    // The push service received one push for Rowan's subscription, VAPID-signed by the relay.
    await endpoint.waitFor(1, 30_000);
    const got = endpoint.for(sub);
    expect(got).toHaveLength(1);
    expect(got[0]!.vapid.ok).toBe(true);
    const payload = got[0]!.payload!;
    expect(splitPush(payload)).toBeDefined();
    // Nothing readable on the way: no group name, no words, no member.
    for (const marker of ['Night circle', 'Sam', 'Rowan', 'die'])
      expect(payload.toString('latin1')).not.toContain(marker);

    // The same bytes reach Rowan's service worker (DevTools delivers text: base64url of them).
    await rowan.goto('/');
    await waitForServiceWorker(rowan);
    const cdp = await a.newCDPSession(rowan);
    const registrations = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e) => {
        const r = e.registrations.find((x) => x.scopeURL.startsWith(relay.url));
        if (r) resolve(r.registrationId);
      })
    );
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registrations;
    const deliver = (bytes: Buffer) =>
      cdp.send('ServiceWorker.deliverPushMessage', {
        origin: relay.url,
        registrationId,
        data: bytes.toString('base64url')
      });
    await deliver(payload);
    const shown = async () =>
      rowan.evaluate(async () => {
        const r = await navigator.serviceWorker.ready;
        return (await r.getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          url: (n.data as { url?: string })?.url
        }));
      });
    // (The app, open on Rowan's home, also shows its own in-app notice for the request: another tag.)
    const fromPush = async () => (await shown()).filter((n) => !n.tag.startsWith('hearth-care-'));
    await expect.poll(fromPush, { timeout: 15_000 }).toHaveLength(1);
    const [notice] = await fromPush();
    expect(notice!.body).toBe('Someone asked the group’s responders to check in');
    expect(notice!.url).toBe(new URL(groupUrl).pathname + new URL(groupUrl).hash);

    // A push that does not open (another phone's, or altered): the generic line, never an error.
    const altered = Buffer.from(payload);
    altered[altered.length - 1]! ^= 1;
    await deliver(altered);
    await expect
      .poll(async () => (await fromPush()).map((n) => n.body).sort(), { timeout: 15_000 })
      .toEqual(['Someone asked the group’s responders to check in', 'Something new for you']);

    // Quiet hours around now [PUSH-18]: the next notice comes without sound; once Rowan lets
    // check-in requests through, with sound again.
    await rowan.getByRole('link', { name: 'Settings' }).click();
    await rowan.getByText('Keep notifications quiet at certain hours').check();
    const hour = await rowan.evaluate(() => new Date().getHours());
    const hh = (h: number) => `${String((h + 24) % 24).padStart(2, '0')}:00`;
    await rowan.getByTestId('quiet-from').fill(hh(hour - 1));
    await rowan.getByTestId('quiet-to').fill(hh(hour + 2));
    await expect(rowan.getByTestId('notify-said')).toHaveText('Saved on this phone.');
    await shot(rowan, 'notify-quiet-hours');
    const latest = async () =>
      rowan.evaluate(async () => {
        const r = await navigator.serviceWorker.ready;
        const list = (await r.getNotifications()).filter(
          (n) => n.tag.startsWith('hearth-') && !n.tag.startsWith('hearth-care-')
        );
        return list.map((n) => ({ body: n.body, silent: n.silent }));
      });
    await deliver(payload);
    await expect
      .poll(latest, { timeout: 15_000 })
      .toEqual([{ body: '2 new things in Hearth', silent: true }]);
    await rowan.getByTestId('quiet-crisis').check();
    await expect(rowan.getByTestId('notify-said')).toHaveText('Saved on this phone.');
    await deliver(payload);
    await expect
      .poll(latest, { timeout: 15_000 })
      .toEqual([{ body: '3 new things in Hearth', silent: false }]);

    // A tap on the notice opens the group in Hearth's open window [PUSH-20]. Nothing here can tap
    // a notice of the system, so the service worker is handed the notice it shows in a
    // notificationclick event, as a tap hands it.
    await rowan.goto('/');
    const [worker] = a.serviceWorkers();
    await worker!.evaluate(`(async () => {
      const [n] = (await self.registration.getNotifications()).filter(
        (x) => x.tag.startsWith('hearth-') && !x.tag.startsWith('hearth-care-'));
      try { self.dispatchEvent(new NotificationEvent('notificationclick', { notification: n })); }
      catch {}
    })()`);
    await expect(rowan).toHaveURL(groupUrl, { timeout: 15_000 });
    await expect(rowan.getByTestId('group-name')).toHaveText('Night circle');
    await expect.poll(latest, { timeout: 15_000 }).toEqual([]);

    // Rowan answers: Sam, who asked, is woken by the reply [PUSH-13].
    await rowan.goto(groupUrl.replace(/^https?:\/\/[^/]+/, ''));
    await rowan.getByTestId('care-requests').getByTestId('care-checkin').click();
    await expect(rowan.getByTestId('post-text').first()).toBeVisible({ timeout: 30_000 });
    await rowan.getByTestId('care-checkin-post').click();
    // The sentence waits in the composer, the cursor in it; the responder sends it [A11Y-2].
    await expect(rowan.getByLabel('Your post', { exact: true })).toBeFocused();
    await expect(rowan.getByLabel('Your post', { exact: true })).toHaveValue(
      'I’m here. How are you doing right now?'
    );
    await rowan.getByRole('button', { name: 'Post', exact: true }).click();
    await expect(rowan.getByTestId('care-answered')).toHaveText('Checked in: Rowan');
    // Sam's phone sees the answer and withdraws the responders' second wake.
    await expect.poll(waiting, { timeout: 30_000 }).toBe(0);
    await expect.poll(() => endpoint.for(samSub).length, { timeout: 30_000 }).toBe(1);
    expect(endpoint.for(samSub)[0]!.vapid.ok).toBe(true);
    expect(splitPush(endpoint.for(samSub)[0]!.payload!)).toBeDefined();

    // Sam thanks Rowan by name in the conversation: Rowan's phone is woken for the mention
    // [PUSH-22] (Sam opened the conversation, so no reply wake goes anywhere).
    await sam.getByRole('link', { name: 'Open the conversation' }).click();
    await sam.getByLabel('Your post', { exact: true }).fill('Thank you @Rowan, that helped.');
    await sam.getByRole('button', { name: 'Post', exact: true }).click();
    await expect(sam.getByLabel('Your post', { exact: true })).toHaveValue('');
    await expect.poll(() => endpoint.for(sub).length, { timeout: 30_000 }).toBe(2);
    expect(endpoint.for(sub)[1]!.vapid.ok).toBe(true);
    expect(endpoint.for(samSub)).toHaveLength(1);

    // A vote both may vote on: each phone asks its relay for a reminder a day before it closes,
    // sealed to itself, and withdraws it once its person has voted [PUSH-16].
    expect(await waiting()).toBe(0);
    await propose(rowan, 'Meet at the library in January');
    await tab(sam, 'Decisions');
    await openProposal(sam, 'Meet at the library in January');
    await expect.poll(waiting, { timeout: 30_000 }).toBe(2);
    await sam.getByRole('button', { name: 'Yes', exact: true }).click();
    await expect.poll(waiting, { timeout: 30_000 }).toBe(1);
    await tab(rowan, 'Decisions');
    await openProposal(rowan, 'Meet at the library in January');
    await rowan.getByRole('button', { name: 'Yes', exact: true }).click();
    await expect.poll(waiting, { timeout: 30_000 }).toBe(0);

    // Someone applies with an invitation Rowan made: Rowan's phone is woken [PUSH-19].
    const link = await makeInvite(rowan);
    const kim = await c.newPage();
    await applyToJoin(kim, link, 'Kim', 'I would like to join.');
    await expect.poll(() => endpoint.for(sub).length, { timeout: 30_000 }).toBe(3);
    expect(endpoint.for(sub)[2]!.vapid.ok).toBe(true);

    // Kim's browser refuses the permission: said once, calmly, with what Kim will miss.
    await kim.getByRole('link', { name: 'Settings' }).click();
    await kim.getByTestId('notify-turn-on').click();
    await expect(kim.getByTestId('notify-said')).toContainText(
      'You’ll still see check-in requests and replies when you open Hearth'
    );
    await expect(kim.getByTestId('notify-on')).toHaveCount(0);
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
    await relay.stop();
    await endpoint.close();
  }
});
