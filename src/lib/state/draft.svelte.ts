import { onDestroy } from 'svelte';
import type { DraftFields } from '$core/drafts/draft';
import { deleteDraft, loadDraft, saveDraft } from '$lib/adapters/drafts';
import { now } from '$lib/adapters/clock';
import { app } from './app.svelte';

/**
 * Keeps one composer's draft on the device while the person types [DRAFT-1..DRAFT-6]. Call it
 * once while a component initialises, with how to read and write the composer's fields. The
 * draft is restored when the composer opens again (after a reload, or after the phone killed
 * the tab), written a moment after each change and at once when the page is hidden, and cleared
 * by `sent()` or `discard()`.
 */
export interface DraftHandle {
  /** When the kept draft was last typed into (ms), while one is kept. */
  readonly savedAt: number | undefined;
  /** The kept draft came back from an earlier visit (not typed in this one). */
  readonly restored: boolean;
  /** Storage refused the draft ('unkept': full; 'too-long': more than a draft holds). */
  readonly problem: 'unkept' | 'too-long' | undefined;
  /** Another window changed the same draft while this one had unsaved changes [DRAFT-6]. */
  readonly elsewhere: boolean;
  /** What Discard removed, until the person types again (for Undo). */
  readonly discarded: DraftFields | undefined;
  /** Changes typed that are not stored yet (a write waits or runs). */
  readonly pending: boolean;
  /** The words were sent: forget the draft (here and in other windows). */
  sent(): void;
  /** The person chose to throw the draft away: empty the composer and forget the draft. */
  discard(): void;
  /** Puts a discarded draft back. */
  undo(): void;
}

const DELAY_MS = 300;
const channelName = 'hearth-drafts';
const tab = Math.random().toString(36).slice(2);

type Note = { key: string; tab: string; kind: 'saved' | 'cleared' };

export function keepDraft(o: {
  /** The composer's storage key (`draftStorageKey`), or undefined while it cannot keep one. */
  key: () => string | undefined;
  read: () => DraftFields;
  write: (fields: DraftFields) => void;
  /** The composer's fields when nothing is typed. */
  empty: DraftFields;
}): DraftHandle {
  let savedAt = $state<number | undefined>();
  let restored = $state(false);
  let problem = $state<'unkept' | 'too-long' | undefined>();
  let elsewhere = $state(false);
  let discarded = $state<DraftFields | undefined>();
  let ready = $state(false);
  let pending = $state(false);
  /** The full storage key in use, and the fields as last written to or read from it. */
  let full: string | undefined;
  let lastSaved = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  let channel: BroadcastChannel | undefined;
  let writing: Promise<unknown> = Promise.resolve();

  const snapshot = () => JSON.stringify(o.read());

  function announce(kind: Note['kind']) {
    if (full) channel?.postMessage({ key: full, tab, kind } satisfies Note);
  }

  /** Writes the composer's fields now (one write at a time, in order). */
  function flush() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const key = full;
    if (!key || !ready) return;
    const json = snapshot();
    if (json === lastSaved) {
      pending = false;
      return;
    }
    const fields = JSON.parse(json) as DraftFields;
    const at = now();
    lastSaved = json;
    writing = writing
      .then(async () => saveDraft(await app.store(), key, { fields, savedAt: at }, app.secret))
      .then((r) => {
        if (key !== full) return;
        pending = snapshot() !== lastSaved || timer !== undefined;
        problem = r === 'too-long' ? 'too-long' : undefined;
        savedAt = r === 'kept' ? at : undefined;
        if (r === 'empty') restored = false;
        if (r !== 'too-long') announce(r === 'empty' ? 'cleared' : 'saved');
      })
      .catch(() => {
        // A full disk (or storage taken away): the composer keeps working; it says so once.
        if (key !== full) return;
        pending = false;
        problem = 'unkept';
        savedAt = undefined;
        lastSaved = '';
      });
  }

  async function onNote(n: Note) {
    if (n.tab === tab || n.key !== full || !ready) return;
    const key = full;
    const mine = snapshot() === lastSaved;
    if (n.kind === 'cleared') {
      if (mine) {
        o.write({ ...o.empty });
        lastSaved = snapshot();
        savedAt = undefined;
        restored = false;
      } else {
        // Sent or discarded over there, but this window holds words not kept yet: keep them.
        flush();
      }
      return;
    }
    const d = await app
      .store()
      .then((db) => loadDraft(db, key, app.secret))
      .catch(() => undefined);
    if (!d || key !== full) return;
    if (mine) {
      o.write({ ...o.empty, ...d.fields });
      lastSaved = snapshot();
      savedAt = d.savedAt;
    } else elsewhere = true;
  }

  const hide = () => {
    if (document.visibilityState === 'hidden') flush();
  };

  $effect(() => {
    const base = o.key();
    if (!base || app.loading || app.locked) return;
    const key = app.personKey(base);
    let alive = true;
    full = key;
    ready = false;
    void app
      .store()
      .then((db) => loadDraft(db, key, app.secret))
      .catch(() => undefined)
      .then((d) => {
        if (!alive) return;
        if (d) {
          o.write({ ...o.empty, ...d.fields });
          savedAt = d.savedAt;
          restored = true;
        }
        lastSaved = snapshot();
        ready = true;
      });
    channel =
      typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName) : undefined;
    if (channel) channel.onmessage = (e: MessageEvent<Note>) => void onNote(e.data);
    document.addEventListener('visibilitychange', hide);
    addEventListener('pagehide', flush);
    return () => {
      alive = false;
      flush();
      channel?.close();
      channel = undefined;
      document.removeEventListener('visibilitychange', hide);
      removeEventListener('pagehide', flush);
      full = undefined;
      ready = false;
    };
  });

  $effect(() => {
    const json = JSON.stringify(o.read());
    if (!ready || json === lastSaved) return;
    discarded = undefined;
    elsewhere = false;
    if (timer) clearTimeout(timer);
    pending = true;
    timer = setTimeout(flush, DELAY_MS);
  });

  onDestroy(() => {
    if (timer) flush();
  });

  function forget() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    lastSaved = snapshot();
    savedAt = undefined;
    restored = false;
    elsewhere = false;
    const key = full;
    if (!key) return;
    writing = writing
      .then(async () => deleteDraft(await app.store(), key))
      .then(() => announce('cleared'))
      .catch(() => undefined);
  }

  return {
    get savedAt() {
      return savedAt;
    },
    get restored() {
      return restored;
    },
    get problem() {
      return problem;
    },
    get elsewhere() {
      return elsewhere;
    },
    get discarded() {
      return discarded;
    },
    get pending() {
      return pending;
    },
    sent() {
      forget();
    },
    discard() {
      const before = o.read();
      o.write({ ...o.empty });
      forget();
      discarded = before;
    },
    undo() {
      if (!discarded) return;
      o.write({ ...o.empty, ...discarded });
      discarded = undefined;
      flush();
    }
  };
}
