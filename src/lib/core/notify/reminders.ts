import type { GroupState } from '../governance/state';

/** How long before a vote closes its reminder comes [PUSH-16]. */
export const VOTE_REMINDER_SECONDS = 24 * 3600;

/**
 * Which vote reminders this phone should have waiting at its relay, and which to withdraw
 * [PUSH-16]: one for each open vote `me` may vote on and has not, due a day before it closes
 * (none when that is already past: the person has the app open now); the rest withdrawn (voted,
 * closed, or no longer theirs to vote on). `waiting` holds the proposals with a reminder now.
 */
export function reminderPlan(
  state: GroupState,
  me: string,
  now: number,
  waiting: Iterable<string>
): { add: { proposal: string; at: number }[]; withdraw: string[] } {
  const want = new Map<string, number>();
  for (const p of Object.values(state.proposals)) {
    if (p.status !== 'voting' || !(me in p.electorate)) continue;
    if (p.ballots.some((b) => b.member === me)) continue;
    const at = p.deadline - VOTE_REMINDER_SECONDS;
    if (at > now) want.set(p.id, at);
  }
  const have = new Set(waiting);
  return {
    add: [...want]
      .filter(([id]) => !have.has(id))
      .map(([proposal, at]) => ({ proposal, at }))
      .sort((a, b) => a.at - b.at || (a.proposal < b.proposal ? -1 : 1)),
    withdraw: [...have].filter((id) => !want.has(id)).sort()
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
