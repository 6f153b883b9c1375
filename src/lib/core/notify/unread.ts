import type { GroupState, ThreadRecord } from '../governance/state';

/** What is news to the other members of a group: what people read, not keys and handles. */
const NEWS: ReadonlySet<string> = new Set([
  'Propose',
  'Comment',
  'Outcome',
  'Apply',
  'Thread',
  'Emergency'
]);

/** Whether `me` may read a conversation: every member may read the group's, only its members a private one. */
export function mayRead(t: ThreadRecord | undefined, me: string): boolean {
  return !!t && (!t.private || t.private.members.includes(me));
}

/**
 * How many things in a group are news to `me` [PUSH-23]: proposals, comments, outcomes,
 * applications, conversations `me` may read and emergency actions, applied in the ledger and
 * written by someone else. It only grows as the ledger does, so "what I had seen" is a number:
 * the group's unread mark is the difference.
 */
export function newsCount(state: GroupState, me: string): number {
  let n = 0;
  for (const a of state.audit) {
    if (a.verdict !== 'applied' || a.author === me || !NEWS.has(a.kind)) continue;
    if (a.kind === 'Thread' && !mayRead(state.threads[a.id], me)) continue;
    n++;
  }
  return n;
}

/**
 * A conversation's unread mark [PUSH-23]: `new` when someone else opened it and `me` has never
 * read it; otherwise how many posts by others came after the ones `me` read (`seen`: how many
 * posts by others were there then).
 */
export function threadUnread(
  t: ThreadRecord,
  me: string,
  seen: number | undefined,
  postsByOthers: number | undefined
): 'new' | number {
  if (seen === undefined) return t.by === me ? 0 : 'new';
  return postsByOthers === undefined ? 0 : Math.max(0, postsByOthers - seen);
}
