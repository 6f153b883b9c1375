import { app } from './app.svelte';

/**
 * What this person has seen of a group on this phone [PUSH-23]: the group's news count when they
 * last had it open, and, by conversation, how many posts by others it held when they last read it.
 * Kept per person, like every setting (KEY-3); nothing of it leaves the phone.
 */
export interface Seen {
  news: number;
  threads: Record<string, number>;
}

const key = (group: string) => app.personKey(`seen:${group}`);

function parse(v: unknown): Seen | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Partial<Seen>;
  const threads: Record<string, number> = {};
  if (o.threads && typeof o.threads === 'object')
    for (const [t, n] of Object.entries(o.threads)) if (Number.isInteger(n)) threads[t] = n;
  return { news: Number.isInteger(o.news) ? o.news! : 0, threads };
}

export async function readSeen(group: string): Promise<Seen | undefined> {
  const row = await app
    .store()
    .then((db) => db.settings.get(key(group)))
    .catch(() => undefined);
  return parse(row?.value);
}

/**
 * Records what was seen: the group's news count, and/or one conversation's posts by others. A
 * number only grows here (a screen that read less than another did says nothing new).
 */
export async function markSeen(
  group: string,
  seen: { news?: number; thread?: { id: string; posts: number } }
): Promise<void> {
  const db = await app.store().catch(() => undefined);
  if (!db) return;
  await db
    .transaction('rw', db.settings, async () => {
      const before = parse((await db.settings.get(key(group)))?.value);
      const next: Seen = before ?? { news: 0, threads: {} };
      let changed = !before;
      if (seen.news !== undefined && seen.news > next.news) {
        next.news = seen.news;
        changed = true;
      }
      const t = seen.thread;
      if (t && !(t.id in next.threads && next.threads[t.id]! >= t.posts)) {
        next.threads = { ...next.threads, [t.id]: t.posts };
        changed = true;
      }
      if (changed) await db.settings.put({ key: key(group), value: next });
    })
    .catch(() => undefined);
}
