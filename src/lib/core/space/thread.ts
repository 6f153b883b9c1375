import { decodeEntry, entryId, type Entry } from '../ledger/envelope';
import { parseSpacePayload } from '../governance/kinds';
import type { GroupState } from '../governance/state';
import { isSealed, type SealedText, type Text } from '../governance/text';
import {
  REACTIONS,
  SpaceKind,
  type ModerationAct,
  type Reaction,
  type ReportReason
} from '../governance/types';
import { DEFAULT_REPORT_THRESHOLD, isModerator, mutedAt } from '../governance/safety';
import { MAX_AHEAD_SECONDS } from '../governance/settings';
import { CHANNEL_EPOCH } from './channel';

/**
 * A support thread's own document [SPACE-2]: signed envelopes (posts and reactions) in the same
 * format as the ledger's, bound to the group id, sealed with the group's key epochs. A phone loads
 * the group ledger (governance, small) and only the threads it opens — never years of
 * conversation to show today's posts. Each device reads a thread the same way: no order, no
 * clock, only these rules.
 */

export type SpaceReason =
  | 'bad-envelope'
  | 'bad-signature'
  | 'bad-payload'
  | 'wrong-thread'
  | 'not-member'
  | 'not-entitled'
  | 'equivocation'
  | 'unknown-post'
  | 'duplicate'
  | 'not-moderator'
  | 'muted';

export { DEFAULT_REPORT_THRESHOLD, isModerator };

/**
 * A post's standing: `visible`; `pending-review` (hidden after enough reports, until a moderator
 * acts); `hidden` (behind a moderator's warning, one tap to read); `removed` (its text is not
 * shown to anyone but its author).
 */
export type PostStanding = 'visible' | 'pending-review' | 'hidden' | 'removed';

export interface ModerationEntry {
  id: string;
  post: string;
  act: ModerationAct;
  reason: ReportReason;
  /** The moderator (a member id): the log is public, moderation is accountable. */
  by: string;
  time: number;
  /** The warning (hide) or educational note (warn), sealed. */
  note: SealedText | undefined;
  /** The closing entry of the appeal that undid it, if one passed [SAFE-23]. */
  overturnedBy: string | undefined;
}

export interface PostView {
  id: string;
  device: string;
  /** Its place in the device's chain: orders one device's posts written in the same second. */
  seq: number;
  /** The member the device belongs to. */
  author: string;
  text: SealedText;
  replyTo: string | undefined;
  cw: SealedText | undefined;
  time: number;
  /** Reaction → members who reacted so. */
  reactions: Record<Reaction, string[]>;
  /** The signed envelope (a "this helped" mark carries it into the ledger, SPACE-3). */
  envelope: Uint8Array;
  standing: PostStanding;
  /** Members who reported it since the last moderator decision: for moderators' eyes [SAFE-17]. */
  reporters: string[];
  /** Why, for each report since the last decision. */
  reportReasons: ReportReason[];
  /** The last moderation decision on it, if any (its note: the warning, or the note to the author). */
  decision: ModerationEntry | undefined;
}

export interface ThreadContent {
  posts: PostView[];
  ignored: { id: string; reason: SpaceReason }[];
  /** Every moderation decision in this thread, oldest first: acts and reason codes, no content. */
  log: ModerationEntry[];
}

/**
 * The active member a device belongs to. A thread document has no causal link to the ledger, so
 * a removed member's posts cannot be told apart from ones they wrote after leaving (with a key
 * they kept): all of them are hidden [SPACE-2].
 */
function ownerOf(state: GroupState, device: string): string | undefined {
  for (const m of Object.values(state.members))
    if (m.status === 'active' && m.devices.includes(device)) return m.id;
  return undefined;
}

/** Sealed with an epoch whose key this device was given: it really held it [SPACE-2]. */
function entitled(state: GroupState, device: string, t: Text | undefined): boolean {
  if (t === undefined) return true;
  if (!isSealed(t) || t.epoch === 0) return false;
  return (state.epochs[t.epoch]?.lockboxes[device]?.length ?? 0) > 0;
}

export function readThread(o: {
  state: GroupState;
  thread: string;
  entries: Iterable<[string, Uint8Array]>;
  /** Signature check (the app caches WebCrypto verdicts; tests use noble). */
  verify: (e: Entry) => boolean;
  /** Reports that hide a post pending review; by default the group's own setting [SAFE-21]. */
  reportThreshold?: number;
}): ThreadContent {
  const ignored: ThreadContent['ignored'] = [];
  // A mentor–mentee channel: only its two members write, with its own key [SPACE-4].
  const priv = o.state.threads[o.thread]?.private ?? null;
  const valid: { e: Entry; owner: string }[] = [];
  const bySlot = new Map<string, string[]>();
  for (const [id, bytes] of o.entries) {
    const d = decodeEntry(bytes);
    if (!d.ok || entryId(bytes) !== id) {
      ignored.push({ id, reason: 'bad-envelope' });
      continue;
    }
    if (!o.verify(d.entry)) {
      ignored.push({ id, reason: 'bad-signature' });
      continue;
    }
    const owner = ownerOf(o.state, d.entry.device);
    if (!owner) {
      ignored.push({ id, reason: 'not-member' });
      continue;
    }
    const slot = `${d.entry.device}:${d.entry.seq}`;
    bySlot.set(slot, [...(bySlot.get(slot) ?? []), id]);
    valid.push({ e: d.entry, owner });
  }
  // Two different entries in one place of a device's chain: neither is shown.
  const twice = new Set([...bySlot.values()].filter((ids) => ids.length > 1).flat());

  const posts = new Map<string, PostView>();
  const reactions: { id: string; owner: string; post: string; reaction: Reaction }[] = [];
  const reports: {
    id: string;
    owner: string;
    post: string;
    reason: ReportReason;
    time: number;
    prev: string[];
  }[] = [];
  const decisions: ModerationEntry[] = [];
  /** The decisions each decision or report names as seen (`prev`): those come before it. */
  const named = new Map<string, string[]>();
  // One clock [TIME-2]: an author's claimed time counts at most a week past the group's clock.
  const clock = (t: number) => Math.min(t, o.state.groupTime + MAX_AHEAD_SECONDS);
  for (const { e, owner } of valid) {
    if (twice.has(e.id)) {
      ignored.push({ id: e.id, reason: 'equivocation' });
      continue;
    }
    const p = parseSpacePayload(e.kind, e.payload, { author: e.device, seq: e.seq, kind: e.kind });
    if (!p) {
      ignored.push({ id: e.id, reason: 'bad-payload' });
      continue;
    }
    if (p.thread !== o.thread) {
      ignored.push({ id: e.id, reason: 'wrong-thread' });
      continue;
    }
    // In a private channel only its members react, report or moderate: nobody outside it can read
    // what they would be judging [SPACE-2, SAFE-24, SAFE-25].
    if (p.kind !== SpaceKind.Post && priv && !priv.members.includes(owner)) {
      ignored.push({ id: e.id, reason: 'not-entitled' });
      continue;
    }
    if (p.kind === SpaceKind.React) {
      reactions.push({ id: e.id, owner, post: p.post, reaction: p.reaction });
      continue;
    }
    if (p.kind === SpaceKind.Report) {
      reports.push({
        id: e.id,
        owner,
        post: p.post,
        reason: p.reason,
        time: clock(e.time),
        prev: e.prev
      });
      continue;
    }
    if (p.kind === SpaceKind.Moderate) {
      if (!isModerator(o.state, owner)) {
        ignored.push({ id: e.id, reason: 'not-moderator' });
        continue;
      }
      const note = p.note && isSealed(p.note) ? p.note : undefined;
      if (p.note && !(note && entitled(o.state, e.device, note))) {
        ignored.push({ id: e.id, reason: 'not-entitled' });
        continue;
      }
      decisions.push({
        id: e.id,
        post: p.post,
        act: p.act,
        reason: p.reason,
        by: owner,
        time: clock(e.time),
        note,
        overturnedBy: o.state.overturned[e.id]
      });
      continue;
    }
    const ok = priv
      ? priv.members.includes(owner) &&
        !!priv.boxes[e.device] &&
        [p.text, p.cw].every((t) => t === undefined || (isSealed(t) && t.epoch === CHANNEL_EPOCH))
      : isSealed(p.text) &&
        entitled(o.state, e.device, p.text) &&
        entitled(o.state, e.device, p.cw);
    if (!ok || !isSealed(p.text)) {
      ignored.push({ id: e.id, reason: 'not-entitled' });
      continue;
    }
    // A moderator's mute stops posts in the group's threads, not in private channels [SAFE-22].
    if (!priv && mutedAt(o.state, owner, e.time)) {
      ignored.push({ id: e.id, reason: 'muted' });
      continue;
    }
    posts.set(e.id, {
      id: e.id,
      device: e.device,
      seq: e.seq,
      author: owner,
      text: p.text,
      replyTo: p.replyTo,
      cw: p.cw && isSealed(p.cw) ? p.cw : undefined,
      time: e.time,
      reactions: Object.fromEntries(REACTIONS.map((r) => [r, []])) as unknown as Record<
        Reaction,
        string[]
      >,
      envelope: e.bytes,
      standing: 'visible',
      reporters: [],
      reportReasons: [],
      decision: undefined
    });
  }
  for (const r of reactions) {
    const post = posts.get(r.post);
    if (!post) {
      ignored.push({ id: r.id, reason: 'unknown-post' });
      continue;
    }
    const who = post.reactions[r.reaction];
    if (who.includes(r.owner)) ignored.push({ id: r.id, reason: 'duplicate' });
    else who.push(r.owner);
  }
  // Moderation [SAFE-17, SAFE-18]: decisions in (time, id) order; the last one on a post stands.
  // Reports count from the last decision on: a reinstated post needs new reports to hide again.
  const byTime = (a: { time: number; id: string }, b: { time: number; id: string }) =>
    a.time - b.time || (a.id < b.id ? -1 : 1);
  decisions.sort(byTime);
  for (const d of decisions) named.set(d.id, valid.find((v) => v.e.id === d.id)?.e.prev ?? []);
  const log: ModerationEntry[] = [];
  for (const d of decisions) {
    const post = posts.get(d.post);
    if (!post) {
      ignored.push({ id: d.id, reason: 'unknown-post' });
      continue;
    }
    log.push(d);
  }
  // The decision that stands on a post: of those no appeal undid, the last that no later decision
  // named as seen (a decision that saw another comes after it, whatever the clocks say), then the
  // last by (time, id) [SAFE-18, TIME-2].
  for (const post of posts.values()) {
    const mine = log.filter((d) => d.post === post.id && !d.overturnedBy);
    const seenByLater = new Set(mine.flatMap((d) => named.get(d.id) ?? []));
    post.decision = mine.filter((d) => !seenByLater.has(d.id)).at(-1);
  }
  for (const r of reports.sort(byTime)) {
    const post = posts.get(r.post);
    if (!post) {
      ignored.push({ id: r.id, reason: 'unknown-post' });
      continue;
    }
    // One's own post cannot be reported by oneself; one member counts once.
    if (r.owner === post.author) {
      ignored.push({ id: r.id, reason: 'not-entitled' });
      continue;
    }
    // Settled by a decision since, unless the report named that decision as seen.
    if (post.decision && !r.prev.includes(post.decision.id) && byTime(r, post.decision) < 0)
      continue;
    if (post.reporters.includes(r.owner)) {
      ignored.push({ id: r.id, reason: 'duplicate' });
      continue;
    }
    post.reporters.push(r.owner);
    post.reportReasons.push(r.reason);
  }
  const threshold = Math.max(1, o.reportThreshold ?? o.state.safety.reportThreshold);
  for (const post of posts.values()) {
    const act = post.decision?.act;
    if (act === 'remove') post.standing = 'removed';
    else if (act === 'hide') post.standing = 'hidden';
    else if (post.reporters.length >= threshold) post.standing = 'pending-review';
  }
  return {
    // Time, then (within one second) device and its chain order: a total order, the same on
    // every device.
    posts: [...posts.values()].sort(
      (a, b) =>
        a.time - b.time || (a.device === b.device ? a.seq - b.seq : a.device < b.device ? -1 : 1)
    ),
    ignored,
    log
  };
}

/** Where a device's chain in a thread document ends, so its next entry links on. */
export function threadTip(
  entries: Iterable<[string, Uint8Array]>,
  device: string
): { seq: number; id: string } | null {
  let tip: { seq: number; id: string } | null = null;
  for (const [id, bytes] of entries) {
    const d = decodeEntry(bytes);
    if (d.ok && d.entry.device === device && (!tip || d.entry.seq > tip.seq))
      tip = { seq: d.entry.seq, id };
  }
  return tip;
}

/**
 * A conversation as the screen lays it out [SPACE-2]: the posts that start a conversation, in
 * their order, and under each every reply in it (replies to replies too), in their order. A reply
 * whose post is not here starts its own; a chain of replies is followed at most 50 posts up, so
 * replies naming each other in a loop still appear (under the post 50 steps up).
 */
export function replyTree<P extends { id: string; replyTo: string | undefined }>(
  posts: readonly P[]
): { tops: P[]; replies: Record<string, P[]> } {
  const byId = new Map(posts.map((p) => [p.id, p]));
  const rootOf = (p: P): string => {
    let cur = p;
    for (let i = 0; i < 50 && cur.replyTo && byId.has(cur.replyTo); i++)
      cur = byId.get(cur.replyTo)!;
    return cur.id;
  };
  const tops: P[] = [];
  const replies: Record<string, P[]> = {};
  for (const p of posts) {
    const root = rootOf(p);
    if (root === p.id) tops.push(p);
    else (replies[root] ??= []).push(p);
  }
  return { tops, replies };
}

/**
 * Who sees a post's words [SAFE-17, SAFE-18]: its author always; a moderator always; anyone else
 * not at all while it is removed or waiting for review after enough reports.
 */
export function withheldFrom(
  post: Pick<PostView, 'author' | 'standing'>,
  reader: { member: string; moderator: boolean }
): boolean {
  return (
    post.author !== reader.member &&
    !reader.moderator &&
    (post.standing === 'removed' || post.standing === 'pending-review')
  );
}

/**
 * Whether a post starts covered, for the reader to open [SAFE-18, SPACE-1]: never one's own;
 * others' when the post or its conversation carries a content warning, or a moderator hid it
 * behind a warning.
 */
export function coveredFor(
  post: Pick<PostView, 'author' | 'standing' | 'cw'>,
  reader: { member: string; threadCw: boolean }
): boolean {
  return (
    post.author !== reader.member && (!!post.cw || reader.threadCw || post.standing === 'hidden')
  );
}
