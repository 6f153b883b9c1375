import type { NoticeMode, NoticeTexts, QuietPrefs, WakeKind } from '$core/notify/wake';

/**
 * What the service worker needs to turn a push into a notice [PUSH-13, PUSH-15], kept in its own
 * small IndexedDB database (the worker cannot open the app's Dexie database safely while the app
 * upgrades it): for each handle this phone registered, the X25519 secret that opens wakes sent to
 * it and the person's chosen mode; and the app's words in the person's language.
 *
 * Only a person without a passcode has their handles' secrets kept here: behind a passcode the
 * keys stay locked, and the worker shows the generic line for their wakes.
 */
export interface PushConfig {
  /** handle → the key that opens wakes to it, the mode, and whose handle it is. */
  keys: Record<string, { x: string; mode: NoticeMode; person?: string }>;
  texts: StoredTexts;
  /** Each person's quiet hours and muted groups on this phone [PUSH-18]. */
  people?: Record<string, QuietPrefs>;
}

/** Notice words as stored (`several` holds `{count}`). */
export interface StoredTexts {
  generic: string;
  byKind: Record<WakeKind, string>;
  several: string;
}

const PUSH_DB = 'hearth-push';
const STORE = 'config';

/** The words when the app has stored none (English): the worker never shows nothing. */
export const DEFAULT_TEXTS: StoredTexts = {
  generic: 'Something new for you',
  byKind: {
    checkin: 'Someone asked the group’s responders to check in',
    reply: 'Someone replied to you',
    application: 'Someone asked to join your group',
    vote: 'A vote closes soon',
    mention: 'Someone mentioned you',
    review: 'A decision is due to be looked at again'
  },
  several: '{count} new things in Hearth'
};

export function noticeTexts(t: StoredTexts): NoticeTexts {
  return {
    generic: t.generic,
    byKind: t.byKind,
    several: (count) => t.several.replace('{count}', String(count))
  };
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(PUSH_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('push config did not open'));
  });
}

export async function readPushConfig(): Promise<PushConfig | undefined> {
  const db = await open();
  try {
    return await new Promise<PushConfig | undefined>((resolve, reject) => {
      const req = db.transaction(STORE, 'readonly').objectStore(STORE).get('config');
      req.onsuccess = () => resolve(req.result as PushConfig | undefined);
      req.onerror = () => reject(req.error ?? new Error('push config did not read'));
    });
  } finally {
    db.close();
  }
}

/** Changes the stored config in one transaction (read, change, write). */
export async function updatePushConfig(change: (c: PushConfig) => PushConfig): Promise<void> {
  const db = await open();
  try {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction(STORE, 'readwrite');
      const store = tx.objectStore(STORE);
      const req = store.get('config');
      req.onsuccess = () => {
        const now = (req.result as PushConfig | undefined) ?? { keys: {}, texts: DEFAULT_TEXTS };
        store.put(change(now), 'config');
      };
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('push config did not write'));
    });
  } finally {
    db.close();
  }
}
