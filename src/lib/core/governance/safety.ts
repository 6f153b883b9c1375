import type { GroupState } from './state';
import { tierRank, type Tier } from './types';

/** Reports from this many different members hide a post until a moderator looks [SAFE-17]. */
export const DEFAULT_REPORT_THRESHOLD = 3;
/** Minutes a check-in request waits before the asker is shown their crisis lines again [SAFE-30]. */
export const DEFAULT_CHECKIN_WAIT_MINUTES = 30;
/** Hours without a reply before a post joins the responders' quiet queue [SAFE-31]. */
export const DEFAULT_UNANSWERED_HOURS = 24;

const active = (state: GroupState, member: string) => state.members[member]?.status === 'active';

/**
 * Who moderates [SAFE-18, SAFE-21]: leaders, the senior tier, and the members the group named as
 * peer moderators by a 'moderation' proposal. Anyone else's moderation entry is ignored.
 */
export function isModerator(state: GroupState, member: string): boolean {
  const m = state.members[member];
  return !!m && m.status === 'active' && moderates(state, member, m.tier);
}

/** The moderator rule for a member of `tier` (the reducer passes the tier of the entry's past). */
export function moderates(state: GroupState, member: string, tier: Tier): boolean {
  return tierRank(tier) >= tierRank('senior') || state.safety.moderators.includes(member);
}

/**
 * Who answers a request to check in [SAFE-24]: leaders, and the members the group named as
 * responders by a 'moderation' proposal.
 */
export function isResponder(state: GroupState, member: string): boolean {
  const m = state.members[member];
  if (!m || m.status !== 'active') return false;
  return m.tier === 'leader' || state.safety.responders.includes(member);
}

/** The group's responders, in a stable order [SAFE-24]. */
export function responders(state: GroupState): string[] {
  return Object.keys(state.members)
    .filter((id) => isResponder(state, id))
    .sort();
}

/**
 * Whether a moderator's mute of `member` covers a thread post written at `time` [SAFE-22]: from
 * the start of the mute until it ends, unless it was lifted (by a moderator or on appeal).
 */
export function mutedAt(state: GroupState, member: string, time: number): boolean {
  const mute = state.mutes[member];
  // Times are whole seconds: a post in the same second as the mute is given the benefit of the doubt.
  return !!mute && !mute.liftedBy && time > mute.start && time < mute.until;
}

/**
 * The mute in force on `member` at `now`, if any (for the screens): from the moment it is in the
 * ledger until it ends, as the reducer counts it for the member's comments [SAFE-22, TIME-2].
 */
export function activeMute(state: GroupState, member: string, now: number) {
  const mute = state.mutes[member];
  return mute && !mute.liftedBy && now < mute.until && active(state, member) ? mute : undefined;
}
