import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/** A browser's push subscription, as the relay keeps it. `claim` is a hash, never the secret. */
export interface Subscription {
  endpoint: string;
  p256dh: string;
  auth: string;
  /** sha256 of the secret the registering device holds; only it can move or drop its handles. */
  claim: string;
}

/** A wake that waits for its time [PUSH-8]. */
export interface LaterWake {
  due: number;
  to: string;
  data: string;
  /** sha256 of a cancel secret, when the sender gave one. */
  cancel?: string;
}

interface Stored {
  v: 1;
  subs: Record<string, Subscription>;
  handles: Record<string, string>;
  later: LaterWake[];
}

export const sha256b64 = (s: string | Buffer): string =>
  createHash('sha256').update(s).digest('base64url');

/** How many handles one subscription may hold (a device in many groups, two epochs each). */
const MAX_HANDLES_PER_SUBSCRIPTION = 512;

/**
 * Subscriptions, the handles devices registered, and reminders waiting, in one JSON file under
 * `<dataDir>/push/` (written whole, to a temporary name, then renamed). It holds push endpoints and
 * opaque handles, never a document id, a device key or anything a member wrote.
 */
export class PushStore {
  readonly #file: string;
  #subs = new Map<string, Subscription>();
  #handles = new Map<string, string>();
  /** subscription id → its handles. */
  #bySub = new Map<string, Set<string>>();
  /** claim hash → its subscriptions (so an unregister never walks them all). */
  #byClaim = new Map<string, Set<string>>();
  #later: LaterWake[] = [];
  #dirty = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();
  /** Set when the file on disk could not be read and was moved aside. */
  setAside = false;

  constructor(
    dataDir: string,
    readonly maxHandles = 200_000
  ) {
    this.#file = join(dataDir, 'push', 'store.json');
  }

  get handles(): number {
    return this.#handles.size;
  }

  load(): void {
    mkdirSync(join(this.#file, '..'), { recursive: true, mode: 0o700 });
    if (!existsSync(this.#file)) return;
    let stored: Stored;
    try {
      stored = JSON.parse(readFileSync(this.#file, 'utf8')) as Stored;
      if (stored.v !== 1 || typeof stored.subs !== 'object' || typeof stored.handles !== 'object')
        throw new Error('not a push store');
    } catch {
      // Unreadable: kept for the operator to look at, and the relay starts with none. Devices
      // register again the next time their app runs.
      renameSync(this.#file, `${this.#file}.unreadable`);
      this.setAside = true;
      return;
    }
    for (const [id, s] of Object.entries(stored.subs)) this.#setSub(id, s);
    for (const [h, id] of Object.entries(stored.handles)) {
      if (!this.#subs.has(id)) continue;
      this.#handles.set(h, id);
      this.#setOf(id).add(h);
    }
    this.#later = Array.isArray(stored.later) ? stored.later.filter((w) => w && w.to) : [];
    this.#later.sort((a, b) => a.due - b.due);
  }

  get subscriptions(): number {
    return this.#subs.size;
  }
  get waiting(): number {
    return this.#later.length;
  }

  #setSub(id: string, s: Subscription): void {
    const old = this.#subs.get(id);
    if (old && old.claim !== s.claim) this.#unclaim(old.claim, id);
    this.#subs.set(id, s);
    let ids = this.#byClaim.get(s.claim);
    if (!ids) this.#byClaim.set(s.claim, (ids = new Set()));
    ids.add(id);
  }

  #unclaim(claim: string, id: string): void {
    const ids = this.#byClaim.get(claim);
    ids?.delete(id);
    if (ids?.size === 0) this.#byClaim.delete(claim);
  }

  #setOf(id: string): Set<string> {
    let set = this.#bySub.get(id);
    if (!set) this.#bySub.set(id, (set = new Set()));
    return set;
  }

  subscriptionOf(handle: string): { id: string; sub: Subscription } | undefined {
    const id = this.#handles.get(handle);
    const sub = id ? this.#subs.get(id) : undefined;
    return id && sub ? { id, sub } : undefined;
  }

  /**
   * Registers handles to a subscription for the holder of `claim` [PUSH-7]. A handle another
   * claim holds is not taken (it is listed in `taken`); the holder's own handles move to the
   * subscription given (a browser that renewed its subscription).
   */
  register(
    s: Omit<Subscription, 'claim'>,
    claim: string,
    handles: string[]
  ): { registered: number; taken: string[]; full: boolean; storeFull: number } {
    const claimHash = sha256b64(claim);
    const id = sha256b64(s.endpoint).slice(0, 22);
    const existing = this.#subs.get(id);
    if (existing && existing.claim !== claimHash) {
      // The same browser subscription registered by a new holder (the app's data was cleared):
      // what the old holder registered through it goes.
      for (const h of this.#bySub.get(id) ?? []) this.#handles.delete(h);
      this.#bySub.delete(id);
    }
    this.#setSub(id, { ...s, claim: claimHash });
    const mine = this.#setOf(id);
    const taken: string[] = [];
    let registered = 0;
    let full = false;
    let storeFull = 0;
    for (const h of handles) {
      const holder = this.#handles.get(h);
      if (holder && holder !== id) {
        if (this.#subs.get(holder)?.claim !== claimHash) {
          taken.push(h);
          continue;
        }
        this.#bySub.get(holder)?.delete(h);
        this.#dropIfEmpty(holder);
      }
      if (!mine.has(h) && mine.size >= MAX_HANDLES_PER_SUBSCRIPTION) {
        full = true;
        continue;
      }
      // Handles from many addresses cannot grow the store (and its rewrites) without end.
      if (!this.#handles.has(h) && this.#handles.size >= this.maxHandles) {
        storeFull++;
        continue;
      }
      this.#handles.set(h, id);
      mine.add(h);
      registered++;
    }
    this.#dropIfEmpty(id);
    this.#changed();
    return { registered, taken, full, storeFull };
  }

  /** Drops the holder's handles (all of them when none are named). Another claim drops nothing. */
  unregister(claim: string, handles?: string[]): number {
    const claimHash = sha256b64(claim);
    let dropped = 0;
    for (const id of [...(this.#byClaim.get(claimHash) ?? [])]) {
      const set = this.#bySub.get(id) ?? new Set<string>();
      for (const h of handles ?? [...set]) {
        if (!set.has(h)) continue;
        set.delete(h);
        this.#handles.delete(h);
        dropped++;
      }
      if (!handles) this.#forgetSub(id);
      else this.#dropIfEmpty(id);
    }
    if (dropped) this.#changed();
    return dropped;
  }

  /** A push service said this subscription is gone (404/410): it and its handles go [PUSH-6]. */
  forget(id: string): void {
    this.#forgetSub(id);
    this.#changed();
  }

  #forgetSub(id: string): void {
    for (const h of this.#bySub.get(id) ?? []) this.#handles.delete(h);
    this.#bySub.delete(id);
    const sub = this.#subs.get(id);
    if (sub) this.#unclaim(sub.claim, id);
    this.#subs.delete(id);
  }

  #dropIfEmpty(id: string): void {
    if ((this.#bySub.get(id)?.size ?? 0) === 0) this.#forgetSub(id);
  }

  addLater(w: LaterWake): void {
    // Kept in order of time; most arrive later than what waits, so the walk is short.
    let i = this.#later.length;
    while (i > 0 && this.#later[i - 1]!.due > w.due) i--;
    this.#later.splice(i, 0, w);
    this.#changed();
  }

  /** Wakes whose time has come, taken out of the store. */
  takeDue(now: number): LaterWake[] {
    let n = 0;
    while (n < this.#later.length && this.#later[n]!.due <= now) n++;
    if (n === 0) return [];
    this.#changed();
    return this.#later.splice(0, n);
  }

  cancel(tag: string): number {
    const before = this.#later.length;
    this.#later = this.#later.filter((w) => w.cancel !== tag);
    const n = before - this.#later.length;
    if (n) this.#changed();
    return n;
  }

  #changed(): void {
    this.#dirty = true;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, 100);
    this.#timer.unref?.();
  }

  /** Writes the store now if it changed (whole file, temporary name, rename). */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#writing = this.#writing.then(async () => {
      if (!this.#dirty) return;
      this.#dirty = false;
      const stored: Stored = {
        v: 1,
        subs: Object.fromEntries(this.#subs),
        handles: Object.fromEntries(this.#handles),
        later: this.#later
      };
      const temporary = `${this.#file}.tmp`;
      await writeFile(temporary, JSON.stringify(stored), { mode: 0o600 });
      await rename(temporary, this.#file);
    });
    return this.#writing;
  }

  /** For a synchronous last write at exit. */
  flushSync(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const temporary = `${this.#file}.tmp`;
    writeFileSync(
      temporary,
      JSON.stringify({
        v: 1,
        subs: Object.fromEntries(this.#subs),
        handles: Object.fromEntries(this.#handles),
        later: this.#later
      }),
      { mode: 0o600 }
    );
    renameSync(temporary, this.#file);
  }
}
