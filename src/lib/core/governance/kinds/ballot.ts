import { openProposal } from '../proposals';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { id, optTextField } from './wire';

export interface BallotPayload {
  kind: typeof Kind.Ballot;
  proposal: string;
  choice: 0 | 1 | 2;
  reason: Text | undefined;
}

/** A vote; a member's latest ballot in the close's causal past counts [GOV-3, GOV-6]. */
export const ballot = defineKind<BallotPayload>({
  kind: Kind.Ballot,
  name: 'Ballot',
  minTier: 'new',
  wire: {
    p: 'the proposal (32 bytes)',
    c: '0 no, 1 yes, 2 abstain',
    r: 'optional: the reason, text ≤1000'
  },
  read: (r) => ({
    choice: r.uint('c', 2) as 0 | 1 | 2,
    proposal: r.id('p'),
    reason: r.optText('r', 1000)
  }),
  write: (p, seal) => ({ p: id(p.proposal), c: p.choice, r: optTextField(seal, 'r', p.reason) }),
  apply(state, ctx, e, p, who) {
    const proposal = openProposal(state, ctx, e, p.proposal);
    if (typeof proposal === 'string') return proposal;
    if (!(who.member.id in proposal.electorate)) return 'not-in-electorate';
    if (proposal.closedBy) return 'after-close';
    proposal.ballots.push({
      entry: e.id,
      member: who.member.id,
      choice: p.choice,
      reason: p.reason ?? null
    });
    return null;
  }
});
