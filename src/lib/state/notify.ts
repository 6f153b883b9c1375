import type { GroupSession } from '$core/group/session';
import { fromBase64Url, toBase64Url } from '$core/encoding/base64url';
import { sealWake, type NoticeMode, type QuietPrefs, type WakeKind } from '$core/notify/wake';
import { reminderPlan } from '$core/notify/reminders';
import { sha256 } from '@noble/hashes/sha2.js';
import { random } from '$lib/adapters/clock';
import { updatePushConfig, type StoredTexts } from '$lib/adapters/push-config';
import { effectiveRelayUrls } from '$core/sync/relay-address';
import { m } from '$lib/paraglide/messages.js';
import { app } from './app.svelte';

/**
 * Notifications on this phone [PUSH-15]: after the person agrees, the phone subscribes with the
 * browser's push service under the relay's VAPID key, registers one opaque handle per group at
 * the relay, and says in each group's ledger where to wake it (PUSH-14). Waking others: the app
 * seals a wake to each target device and asks the target's relay to push it.
 *
 * What the relay learns is in docs/THREAT-MODEL.md: a subscription and the handles under it, and
 * that some address asked to wake some handles. Never a group, a member, or a word.
 */

export interface NotifySettings {
  on: boolean;
  mode: NoticeMode;
  /** Refused by the browser: said once, calmly, then not asked again unless the person asks. */
  denied: boolean;
  /** 32 bytes only this phone holds: the handles derive from it (PUSH-11). */
  secret: string;
  /** 32 bytes that prove to the relay this phone registered its handles (PUSH-7). */
  claim: string;
  subscription?: PushSubscriptionJSON;
  /** The relay it is registered at: its sync address. */
  relay: string;
  /** Handles registered there. */
  registered: string[];
  /**
   * Wakes waiting at relays, by `<group>:<key>` → the secret that cancels them: this phone's own
   * vote (`<proposal>`) and review (`review:<proposal>:<date>`) reminders at its relay, and a
   * check-in request's second wake to the responders (`checkin:<thread>`, the secret then the
   * relays it waits at).
   */
  reminders: Record<string, string>;
  /** Quiet hours and muted groups [PUSH-18]. */
  prefs: QuietPrefs;
}

const KEY = 'notify';

export type EnableResult = 'on' | 'denied' | 'unsupported' | 'failed';

/** The relay's HTTP origin for a sync address (`wss://host/sync` → `https://host`). */
function relayOrigin(sync: string): string | undefined {
  try {
    const u = new URL(sync);
    const scheme = u.protocol === 'wss:' ? 'https:' : u.protocol === 'ws:' ? 'http:' : u.protocol;
    if (scheme !== 'https:' && scheme !== 'http:') return undefined;
    return `${scheme}//${u.host}`;
  } catch {
    return undefined;
  }
}

export function supported(): boolean {
  return (
    typeof window !== 'undefined' &&
    'Notification' in window &&
    'serviceWorker' in navigator &&
    'PushManager' in window
  );
}

export async function notifySettings(): Promise<NotifySettings> {
  const row = await app
    .store()
    .then((db) => db.settings.get(app.personKey(KEY)))
    .catch(() => undefined);
  const v = row?.value as Partial<NotifySettings> | undefined;
  return {
    on: v?.on === true,
    mode: v?.mode === 'kind' ? 'kind' : 'private',
    denied: v?.denied === true,
    secret: typeof v?.secret === 'string' ? v.secret : toBase64Url(random(32)),
    claim: typeof v?.claim === 'string' ? v.claim : toBase64Url(random(32)),
    subscription: v?.subscription,
    relay: typeof v?.relay === 'string' ? v.relay : '',
    registered: Array.isArray(v?.registered) ? v.registered : [],
    reminders: v?.reminders && typeof v.reminders === 'object' ? v.reminders : {},
    prefs: {
      quiet: v?.prefs?.quiet ?? null,
      crisisThrough: v?.prefs?.crisisThrough === true,
      muted: Array.isArray(v?.prefs?.muted) ? v.prefs.muted : []
    }
  };
}

async function save(n: NotifySettings): Promise<NotifySettings> {
  await (
    await app.store()
  ).settings.put({
    key: app.personKey(KEY),
    value: JSON.parse(JSON.stringify(n)) as NotifySettings
  });
  return n;
}

/** The words a notice may show, in the person's language, for the service worker. */
function texts(): StoredTexts {
  return {
    generic: m.push_generic(),
    byKind: {
      checkin: m.push_checkin(),
      reply: m.push_reply(),
      application: m.push_application(),
      vote: m.push_vote(),
      mention: m.push_mention(),
      review: m.push_review()
    },
    several: m.push_several({ count: '{count}' })
  };
}

async function ready(ms: number): Promise<ServiceWorkerRegistration | undefined> {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))
  ]);
}

/**
 * Turns notifications on for this person on this phone, after they chose to [PUSH-15]: the
 * browser's permission, a push subscription under the relay's key. Handles are registered as each
 * group opens (`registerGroup`).
 */
export async function enableNotifications(mode: NoticeMode): Promise<EnableResult> {
  if (!supported()) return 'unsupported';
  const n = await notifySettings();
  const permission = await Notification.requestPermission().catch(() => 'denied' as const);
  if (permission !== 'granted') {
    await save({ ...n, on: false, denied: true });
    return 'denied';
  }
  const relay = effectiveRelayUrls(app.relaySetting, location)[0] ?? '';
  const origin = relayOrigin(relay);
  const registration = await ready(10_000);
  if (!origin || !registration) return 'unsupported';
  try {
    const res = await fetch(`${origin}/push/key`);
    if (!res.ok) return 'unsupported';
    const { publicKey } = (await res.json()) as { publicKey?: string };
    const key = typeof publicKey === 'string' ? fromBase64Url(publicKey) : undefined;
    if (!key) return 'failed';
    const sub = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: key as BufferSource
    });
    await updatePushConfig((c) => ({ ...c, texts: texts() }));
    await save({
      ...n,
      on: true,
      denied: false,
      mode,
      relay,
      subscription: sub.toJSON(),
      registered: []
    });
    return 'on';
  } catch {
    return 'failed';
  }
}

/** Whose handles and preferences these are, on a phone several people share [KEY-3]. */
const person = () => app.personKey(KEY);

/** Keeps the person's quiet hours and muted groups, for the service worker too [PUSH-18]. */
export async function setQuietPrefs(prefs: QuietPrefs): Promise<void> {
  const n = await notifySettings();
  await save({ ...n, prefs });
  await updatePushConfig((c) => ({ ...c, people: { ...c.people, [person()]: prefs } }));
}

/** Turns them off: the relay forgets this phone's handles; the subscription ends. */
export async function disableNotifications(): Promise<void> {
  const n = await notifySettings();
  const origin = relayOrigin(n.relay);
  if (origin)
    await fetch(`${origin}/push/unregister`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ claim: n.claim })
    }).catch(() => undefined);
  if (supported()) {
    const registration = await ready(2_000);
    await (await registration?.pushManager.getSubscription())?.unsubscribe().catch(() => false);
  }
  const mine = new Set(n.registered);
  await updatePushConfig((c) => ({
    ...c,
    keys: Object.fromEntries(Object.entries(c.keys).filter(([h]) => !mine.has(h)))
  })).catch(() => undefined);
  await save({ ...n, on: false, subscription: undefined, registered: [] });
}

/**
 * For an open group: registers this phone's handle for the group's current key epoch at the
 * relay and returns the entry that says so in the ledger (PUSH-14), or nothing when notifications
 * are off or it is already said. Called again after a rotation, it registers the new handle.
 */
export async function registerGroup(session: GroupSession, now: number): Promise<Uint8Array[]> {
  const n = await notifySettings();
  const origin = relayOrigin(n.relay);
  const secret = fromBase64Url(n.secret);
  if (!n.on || !n.subscription || !origin || !secret || !session.hasCurrentKey()) return [];
  const handle = toBase64Url(session.pushHandleNow(secret));
  if (!n.registered.includes(handle)) {
    const res = await fetch(`${origin}/push/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscription: n.subscription, claim: n.claim, handles: [handle] })
    }).catch(() => undefined);
    if (!res?.ok) return [];
    const { taken } = (await res.json().catch(() => ({}))) as { taken?: string[] };
    if (taken?.includes(handle)) return [];
    // The worker opens wakes to this handle with the device's X25519 key, unless a passcode
    // keeps the keys locked (then it shows the generic line).
    const x = app.hasPasscode ? undefined : toBase64Url(session.device.xSecret);
    await updatePushConfig((c) => ({
      ...c,
      texts: texts(),
      keys: x ? { ...c.keys, [handle]: { x, mode: n.mode, person: person() } } : c.keys,
      people: { ...c.people, [person()]: n.prefs }
    }));
    await save({ ...n, registered: [...n.registered, handle] });
  }
  return session.publishPush(secret, n.relay, now);
}

/**
 * Wakes the devices of `members` in this group [PUSH-12, PUSH-13]: a wake sealed to each device
 * that said where to wake it, sent to its relay. Best effort: a relay that does not answer
 * changes nothing here (the request is in the ledger all the same).
 */
export async function wake(
  session: GroupSession,
  members: Iterable<string>,
  message: { kind: WakeKind; group: string; path: string; at: number }
): Promise<number> {
  return (await wakeTargets(session.wakeTargets(members), message)).sent;
}

/**
 * Wakes the inviter when someone applies with their invitation [PUSH-19]: the card the link
 * opens says where (the applicant is not a member yet and reads no handles in the ledger).
 */
export async function wakeInviter(
  target: { handle: Uint8Array; relay: string; x25519: Uint8Array },
  group: string,
  at: number
): Promise<number> {
  return (await wakeTargets([target], { kind: 'application', group, path: `/group#${group}`, at }))
    .sent;
}

/** This phone's own wake target for a group, when notifications are on and it is registered. */
export async function ownWake(
  session: GroupSession
): Promise<{ handle: Uint8Array; relay: string } | undefined> {
  const n = await notifySettings();
  const secret = fromBase64Url(n.secret);
  if (!n.on || !secret || !session.hasCurrentKey()) return undefined;
  const handle = session.pushHandleNow(secret);
  return n.registered.includes(toBase64Url(handle)) ? { handle, relay: n.relay } : undefined;
}

/**
 * Seals one wake to each target and asks each target's relay to deliver them, 64 at a time. With
 * `later`, the relay keeps them until `later.at` and drops them if someone first shows the secret
 * whose hash is `later.cancel` [PUSH-16]. Returns how many the relays took, and which relays.
 */
async function wakeTargets(
  targets: { handle: Uint8Array; relay: string; x25519: Uint8Array }[],
  message: { kind: WakeKind; group: string; path: string; at: number },
  later?: { at: number; cancel: Uint8Array }
): Promise<{ sent: number; relays: string[] }> {
  const byRelay = new Map<string, { to: string; data: string }[]>();
  for (const t of targets) {
    const origin = relayOrigin(t.relay);
    if (!origin) continue;
    const data = sealWake({
      message,
      recipientX25519: t.x25519,
      handle: t.handle,
      ephemeralSecret: random(32)
    });
    const list = byRelay.get(origin) ?? [];
    list.push({ to: toBase64Url(t.handle), data: toBase64Url(data) });
    byRelay.set(origin, list);
  }
  const when = later ? { at: later.at, cancel: toBase64Url(sha256(later.cancel)) } : {};
  let sent = 0;
  const relays: string[] = [];
  for (const [origin, wakes] of byRelay) {
    for (let i = 0; i < wakes.length; i += 64) {
      const part = wakes.slice(i, i + 64);
      if (!(await post(origin, '/push/wake', { wakes: part, ...when }))) continue;
      sent += part.length;
      if (!relays.includes(origin)) relays.push(origin);
    }
  }
  return { sent, relays };
}

/**
 * A check-in request nobody has answered wakes the responders again once the group's wait has
 * passed [PUSH-21]: left at their relays now (the asker's phone may be closed by then), and
 * withdrawn by `checkInAnswered` as soon as the asker's phone sees an answer.
 */
export async function remindResponders(
  session: GroupSession,
  members: Iterable<string>,
  group: string,
  thread: string,
  due: number,
  now: number
): Promise<boolean> {
  const cancel = random(32);
  const { relays } = await wakeTargets(
    session.wakeTargets(members),
    { kind: 'checkin', group, path: `/group#${group}`, at: now },
    { at: due, cancel }
  );
  if (relays.length === 0) return false;
  const reminders = { ...(await notifySettings()).reminders };
  reminders[`${group}:checkin:${thread}`] = [toBase64Url(cancel), ...relays].join(' ');
  await save({ ...(await notifySettings()), reminders });
  return true;
}

/** Someone answered a check-in request: the responders' second wake is withdrawn [PUSH-21]. */
export async function checkInAnswered(group: string, thread: string): Promise<void> {
  const key = `${group}:checkin:${thread}`;
  const held = (await notifySettings()).reminders[key];
  if (!held) return;
  const [secret, ...relays] = held.split(' ');
  let all = true;
  for (const origin of relays) all = (await post(origin, '/push/cancel', { secret })) && all;
  if (!all) return;
  const reminders = { ...(await notifySettings()).reminders };
  delete reminders[key];
  await save({ ...(await notifySettings()), reminders });
}

/** Leaves a wake to this phone itself at its relay, due at `at`; returns its cancel secret. */
async function remindSelf(
  session: GroupSession,
  origin: string,
  handle: Uint8Array,
  message: { kind: WakeKind; group: string; path: string; at: number },
  at: number
): Promise<string | undefined> {
  const cancel = random(32);
  const { sent } = await wakeTargets(
    [{ handle, relay: origin, x25519: session.device.xPublic }],
    message,
    { at, cancel }
  );
  return sent > 0 ? toBase64Url(cancel) : undefined;
}

async function post(origin: string, path: string, body: unknown): Promise<boolean> {
  const res = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  }).catch(() => undefined);
  return res?.ok === true;
}

/**
 * Keeps this phone's vote reminders for one group [PUSH-16]: a wake to itself, waiting at its
 * relay until a day before each open vote the person may vote on and has not, withdrawn (by its
 * secret) once they vote or the vote closes. Sealed to this phone like any wake: the relay holds
 * a time and a ciphertext, not a group or a vote.
 */
export async function keepReminders(
  session: GroupSession,
  group: string,
  now: number
): Promise<void> {
  const n = await notifySettings();
  const origin = relayOrigin(n.relay);
  const secret = fromBase64Url(n.secret);
  if (!n.on || !origin || !secret || !session.hasCurrentKey() || !session.isMember()) return;
  const prefix = `${group}:`;
  const waiting = Object.keys(n.reminders)
    .filter((k) => k.startsWith(prefix))
    .map((k) => k.slice(prefix.length));
  const plan = reminderPlan(session.state, session.me, now, waiting);
  if (plan.add.length === 0 && plan.withdraw.length === 0) return;
  const reminders = { ...n.reminders };
  for (const key of plan.withdraw) {
    const cancel = fromBase64Url(reminders[prefix + key] ?? '');
    if (cancel && !(await post(origin, '/push/cancel', { secret: toBase64Url(cancel) }))) continue;
    delete reminders[prefix + key];
  }
  const handle = session.pushHandleNow(secret);
  for (const r of plan.add) {
    const cancel = await remindSelf(
      session,
      origin,
      handle,
      { kind: r.kind, group, path: `/group#${group}/p/${r.proposal}`, at: now },
      r.at
    );
    if (cancel) reminders[prefix + r.key] = cancel;
  }
  await save({ ...(await notifySettings()), reminders });
}
