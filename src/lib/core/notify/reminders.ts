import type { GroupState } from '../governance/state';

/** How long before a vote closes its reminder comes [PUSH-16]. */
export const VOTE_REMINDER_SECONDS = 24 * 3600;

/** A reminder this phone leaves waiting at its relay, sealed to itself [PUSH-16, PUSH-21]. */
export interface Reminder {
  /** Its name among the phone's reminders for the group: a vote's is the proposal id. */
  key: string;
  kind: 'vote' | 'review';
  proposal: string;
  /** When the relay wakes the phone, seconds since 1970. */
  at: number;
}

/** A review reminder's key names the date, so a decision given a new date gets a new reminder. */
const reviewKey = (proposal: string, at: number) => `review:${proposal}:${at}`;

/** Whether a reminder key is one `reminderPlan` keeps (vote and review reminders). */
export function plannedKey(key: string): boolean {
  return !key.includes(':') || key.startsWith('review:');
}

/**
 * Which reminders this phone should have waiting at its relay, and which to withdraw:
 * - a vote [PUSH-16]: one for each open vote `me` may vote on and has not, due a day before it
 *   closes (none when that is already past: the person has the app open now);
 * - a review date [PUSH-21]: one for each decision whose outcome names a date to look at it
 *   again, due on that date, while `me` is an active member;
 * the rest withdrawn (voted, closed, a new date, or no longer theirs). `waiting` holds the keys of
 * the reminders waiting now (only those `plannedKey` accepts are considered).
 */
export function reminderPlan(
  state: GroupState,
  me: string,
  now: number,
  waiting: Iterable<string>
): { add: Reminder[]; withdraw: string[] } {
  const want = new Map<string, Reminder>();
  const member = state.members[me]?.status === 'active';
  for (const p of Object.values(state.proposals)) {
    const review = p.outcome?.review ?? 0;
    if (member && review > now) {
      const key = reviewKey(p.id, review);
      want.set(key, { key, kind: 'review', proposal: p.id, at: review });
    }
    if (p.status !== 'voting' || !(me in p.electorate)) continue;
    if (p.ballots.some((b) => b.member === me)) continue;
    const at = p.deadline - VOTE_REMINDER_SECONDS;
    if (at > now) want.set(p.id, { key: p.id, kind: 'vote', proposal: p.id, at });
  }
  const have = new Set([...waiting].filter(plannedKey));
  return {
    add: [...want.values()]
      .filter((r) => !have.has(r.key))
      .sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : 1)),
    withdraw: [...have].filter((key) => !want.has(key)).sort()
  };
}

/**
 * Whom a post wakes [PUSH-16]: the author of the post it replies to, or else whoever opened the
 * conversation; never its own writer (a member replying to themselves wakes nobody).
 */
export function replyRecipient(o: {
  me: string;
  opener: string | undefined;
  replyTo: string | undefined;
  posts: readonly { id: string; author: string }[];
}): string | undefined {
  const to = o.replyTo ? o.posts.find((p) => p.id === o.replyTo)?.author : o.opener;
  return to && to !== o.me ? to : undefined;
}

/** At most this many people are woken by the mentions in one post (a post is not a broadcast). */
export const MAX_MENTIONS = 5;

/**
 * Whom a post mentions [PUSH-22]: members named after an `@` in its text (`@Sam`, `@Sam Lee`),
 * the longest name that fits winning, case and accents aside, the @ starting a word and the
 * name ending where a word does. Never the writer; at most `MAX_MENTIONS`, in the order they are first named. A name that
 * two members share mentions both (the writer sees the same name for both).
 */
export function mentioned(
  text: string,
  members: readonly { id: string; name: string }[],
  me: string
): string[] {
  const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('und');
  const folded = fold(text);
  const names = members
    .map((x) => ({ id: x.id, name: fold(x.name.trim()) }))
    .filter((x) => x.name.length > 0)
    .sort((a, b) => b.name.length - a.name.length);
  const found: { at: number; id: string }[] = [];
  for (let at = folded.indexOf('@'); at >= 0; at = folded.indexOf('@', at + 1)) {
    // An @ inside a word (an e-mail address) mentions nobody.
    if (at > 0 && /[\p{L}\p{N}_.]/u.test(folded.charAt(at - 1))) continue;
    let length = 0;
    for (const x of names) {
      if (length > 0 && x.name.length < length) break;
      if (!folded.startsWith(x.name, at + 1)) continue;
      const next = folded.charAt(at + 1 + x.name.length);
      if (next && /[\p{L}\p{N}_]/u.test(next)) continue;
      length = x.name.length;
      found.push({ at, id: x.id });
    }
  }
  const out: string[] = [];
  for (const f of found.sort((a, b) => a.at - b.at))
    if (f.id !== me && !out.includes(f.id)) out.push(f.id);
  return out.slice(0, MAX_MENTIONS);
}
