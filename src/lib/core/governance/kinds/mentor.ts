import { earn, POINTS } from '../reputation';
import { Kind, tierRank } from '../types';
import { defineKind } from './kind';
import { id } from './wire';

export interface MentorPayload {
  kind: typeof Kind.Mentor;
  mentee: string;
  mentor: string;
}

/** A senior member pairs a mentor (senior or above) with a newcomer [REP-1, SPACE-4]. */
export const mentor = defineKind<MentorPayload>({
  kind: Kind.Mentor,
  name: 'Mentor',
  minTier: 'senior',
  wire: { mentee: 'the newcomer (32 bytes)', mentor: 'their mentor (32 bytes)' },
  read: (r) => ({ mentee: r.id('mentee'), mentor: r.id('mentor') }),
  write: (p) => ({ mentee: id(p.mentee), mentor: id(p.mentor) }),
  apply(state, ctx, e, p) {
    const mentee = state.members[p.mentee];
    const mentorMember = state.members[p.mentor];
    if (
      !mentee ||
      !mentorMember ||
      !ctx.memberAt(mentee, e) ||
      !ctx.memberAt(mentorMember, e) ||
      p.mentee === p.mentor
    )
      return 'unknown-target';
    if (tierRank(ctx.tierAt(state, mentorMember, e)) < tierRank('senior')) return 'tier-too-low';
    mentee.mentor = p.mentor;
    earn(state, mentorMember, e.id, POINTS.mentoring, 'mentoring', false);
    return null;
  }
});
