import { hexToBytes } from '../../encoding/hex';
import { decodeEntry, MAX_ENVELOPE_BYTES, signedMessage, type Entry } from '../../ledger/envelope';
import type { Ctx, Who } from '../context';
import { earn, POINTS } from '../reputation';
import type { GroupState, Member } from '../state';
import { Kind, SpaceKind, type Reason } from '../types';
import { defineKind } from './kind';
import { id } from './wire';

export interface HelpedPayload {
  kind: typeof Kind.Helped;
  target: string;
  /** A support post lives in its thread's document: the entry carries its envelope [SPACE-3]. */
  post: Uint8Array | undefined;
}

/** One person's "this helped" on one target: not one's own, once, then reputation [REP-1]. */
function markHelpful(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  target: string,
  author: Member,
  who: Who
): Reason | null {
  if (author.id === who.member.id) return 'self-mark';
  const key = `${who.member.id}:${target}`;
  if (ctx.marks.has(key)) return 'duplicate-mark';
  ctx.marks.add(key);
  earn(
    state,
    author,
    e.id,
    POINTS.helped,
    'marked as helpful',
    ctx.tierAt(state, author, e) === 'new'
  );
  return null;
}

/** On a ledger entry: it must be in the entry's causal past, and not ignored. */
function onEntry(state: GroupState, ctx: Ctx, e: Entry, p: HelpedPayload, who: Who): Reason | null {
  const target = ctx.byId.get(p.target);
  const targetOwner = target ? ctx.owner.get(target.device) : undefined;
  const author: Member | undefined = targetOwner ? state.members[targetOwner.member] : undefined;
  if (!target || !author || ctx.ignored.has(p.target) || !ctx.ancestor(p.target, e.id))
    return 'unknown-target';
  return markHelpful(state, ctx, e, p.target, author, who);
}

/**
 * On a support post [SPACE-3]. Posts live in their thread's own document, so the entry carries
 * the post's signed envelope: the reducer checks that it is that post (id), that its signature is
 * valid for this group, and that its author device belongs to a member; then the author earns
 * reputation as for any helpful entry (not for one's own, once per person and post).
 */
function onPost(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: HelpedPayload,
  envelope: Uint8Array,
  who: Who
): Reason | null {
  const decoded = decodeEntry(envelope);
  if (!decoded.ok || decoded.entry.id !== p.target) return 'unknown-target';
  const post = decoded.entry;
  if (post.kind !== SpaceKind.Post) return 'unknown-target';
  const owner = ctx.owner.get(post.device);
  const author = owner ? state.members[owner.member] : undefined;
  if (!author) return 'unknown-target';
  const groupId = hexToBytes(state.groupId);
  if (!ctx.verifyProof(e.id, post.author, signedMessage(groupId, post.body), post.signature))
    return 'bad-signature';
  return markHelpful(state, ctx, e, p.target, author, who);
}

/** "This helped" on an entry or a support post [REP-1, SPACE-3]. */
export const helped = defineKind<HelpedPayload>({
  kind: Kind.Helped,
  name: 'Helped',
  minTier: 'new',
  wire: {
    e: 'the entry or post (32 bytes)',
    pe: "optional: the post's signed envelope, when it is a post"
  },
  read: (r) => ({
    target: r.id('e'),
    post: r.has('pe') ? r.bytesUpTo('pe', MAX_ENVELOPE_BYTES) : undefined
  }),
  write: (p) => ({ e: id(p.target), pe: p.post }),
  apply: (state, ctx, e, p, who) =>
    p.post ? onPost(state, ctx, e, p, p.post, who) : onEntry(state, ctx, e, p, who)
});
