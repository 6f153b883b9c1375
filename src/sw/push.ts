/// <reference lib="webworker" />
/**
 * The service worker's push handling [PUSH-13, PUSH-15], bundled on its own (`push-handler.js`)
 * and loaded by the generated worker with `importScripts`. A push is the 16-byte handle the relay
 * put first and the wake sealed to this phone; the handle says which stored key opens it. What is
 * shown is always the app's own words: the kind's line in `kind` mode, the generic line in
 * `private` mode or when anything does not open. Tapping opens the screen inside the app.
 */
import { DEFAULT_TEXTS, noticeTexts, readPushConfig } from '../lib/adapters/push-config';
import { fromBase64Url, toBase64Url } from '../lib/core/encoding/base64url';
import {
  isSilent,
  noticeFor,
  openWake,
  splitPush,
  type NoticeMode,
  type WakeMessage
} from '../lib/core/notify/wake';

declare const self: ServiceWorkerGlobalScope;

async function show(data: Uint8Array | undefined): Promise<void> {
  const config = await readPushConfig().catch(() => undefined);
  const texts = noticeTexts(config?.texts ?? DEFAULT_TEXTS);
  let message: WakeMessage | undefined;
  let mode: NoticeMode = 'private';
  const parts = data ? splitPush(data) : undefined;
  const key = parts && config ? config.keys[toBase64Url(parts.handle)] : undefined;
  if (parts && key) {
    mode = key.mode;
    const secret = fromBase64Url(key.x);
    if (secret)
      message = openWake({ sealed: parts.sealed, handle: parts.handle, recipientSecret: secret });
  }
  const prefs = key?.person ? config?.people?.[key.person] : undefined;
  const clock = new Date();
  const silent = isSilent(message, prefs, clock.getHours() * 60 + clock.getMinutes());
  const first = noticeFor(message, mode, texts);
  const showing = await self.registration.getNotifications({ tag: first.tag });
  const before = showing.reduce(
    (n, x) => n + (Number((x.data as { count?: number })?.count) || 1),
    0
  );
  const notice = before > 0 ? noticeFor(message, mode, texts, before) : first;
  for (const x of showing) x.close();
  await self.registration.showNotification(notice.title, {
    body: notice.body,
    tag: notice.tag,
    icon: '/icons/icon-192.png',
    silent,
    data: { url: notice.url, count: notice.count }
  });
}

const B64U = new Set(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].map((c) =>
    c.charCodeAt(0)
  )
);

/**
 * The push's bytes. The relay sends them as they are; DevTools can deliver only text (the browser
 * test hands the worker what the push service received, as base64url), so text made only of
 * base64url characters is read as such: sealed bytes never are (odds about 4^-300).
 */
function pushBytes(data: PushMessageData | null): Uint8Array | undefined {
  if (!data) return undefined;
  const raw = new Uint8Array(data.arrayBuffer());
  if (raw.length > 0 && raw.every((c) => B64U.has(c)))
    return fromBase64Url(new TextDecoder().decode(raw)) ?? raw;
  return raw;
}

self.addEventListener('push', (event) => {
  let data: Uint8Array | undefined;
  try {
    data = pushBytes(event.data);
  } catch {
    data = undefined;
  }
  event.waitUntil(
    show(data).catch(() =>
      self.registration.showNotification('Hearth', { body: DEFAULT_TEXTS.generic, tag: 'hearth' })
    )
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const raw = (event.notification.data as { url?: unknown } | null)?.url;
  let url = new URL('/', self.location.origin);
  try {
    const asked = new URL(typeof raw === 'string' ? raw : '/', self.location.origin);
    if (asked.origin === self.location.origin) url = asked;
  } catch {
    // A url that does not parse opens the home screen.
  }
  event.waitUntil(
    (async () => {
      // Hearth's open window moves to the screen, then comes forward; a window this worker does
      // not control cannot be moved, so a new one opens instead. Focus can be refused (no tap
      // behind the event): the screen has moved all the same.
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const w of windows) {
        const moved = await w.navigate(url.href).catch(() => null);
        if (!moved) continue;
        await moved.focus().catch(() => undefined);
        return;
      }
      await self.clients.openWindow(url.href);
    })()
  );
});
