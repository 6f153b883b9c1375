import type { GroupState } from '../governance/state';

/**
 * Who may be in a research export [RES-2, RES-3]. The group's vote allows a study; each member
 * keeps the last word over their own data:
 * - a member's own choice (for the study, or for every study) counts, the later of the two;
 * - without one, a member who voted against the study is out (their "no" is an opt-out);
 * - everyone else active is in, by the group's decision, and can opt out at any time;
 * - members who have left are out: they can no longer change their mind.
 */
export type ConsentWhy =
  'group-decision' | 'chose-yes' | 'opted-out' | 'opted-out-all' | 'voted-against' | 'not-active';

export function memberConsent(
  state: GroupState,
  member: string,
  study: string
): { consent: boolean; why: ConsentWhy } {
  if (state.members[member]?.status !== 'active') return { consent: false, why: 'not-active' };
  const rec = state.research.choices[member];
  const own = rec?.studies[study];
  const all = rec?.all ?? null;
  const latest = own && (!all || own.order > all.order) ? own : all;
  if (latest)
    return latest.consent
      ? { consent: true, why: 'chose-yes' }
      : { consent: false, why: latest === own ? 'opted-out' : 'opted-out-all' };
  const proposal = state.proposals[study];
  const ballots = proposal?.ballots.filter((b) => b.member === member) ?? [];
  if (ballots.length > 0 && ballots[ballots.length - 1]!.choice === 0)
    return { consent: false, why: 'voted-against' };
  return { consent: true, why: 'group-decision' };
}

/** Members whose data a study may receive, sorted by id. */
export function consentingMembers(state: GroupState, study: string): string[] {
  return Object.keys(state.members)
    .filter((m) => memberConsent(state, m, study).consent)
    .sort();
}
