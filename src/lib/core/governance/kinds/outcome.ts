import { openProposal } from '../proposals';
import { MAX_TEXT } from '../settings';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { id, textField } from './wire';

export interface OutcomePayload {
  kind: typeof Kind.Outcome;
  proposal: string;
  text: Text;
  review: number;
}

/** What came of a decided proposal, by its author or a leader, with a date to look again. */
export const outcome = defineKind<OutcomePayload>({
  kind: Kind.Outcome,
  name: 'Outcome',
  minTier: 'new',
  wire: {
    p: 'the proposal (32 bytes)',
    text: 'what came of it, text 1–4000',
    review: 'when to look at it again (claimed seconds)'
  },
  read: (r) => ({
    proposal: r.id('p'),
    text: r.text('text', MAX_TEXT, 1),
    review: r.uint('review')
  }),
  write: (p, seal) => ({
    p: id(p.proposal),
    text: textField(seal, 'text', p.text),
    review: p.review
  }),
  apply(state, ctx, e, p, who) {
    const proposal = openProposal(state, ctx, e, p.proposal);
    if (typeof proposal === 'string') return proposal;
    if (!proposal.closedBy || !ctx.ancestor(proposal.closedBy, e.id)) return 'not-decided';
    if (proposal.author !== who.member.id && who.tier !== 'leader') return 'not-leader';
    proposal.outcome = { text: p.text, review: p.review, entry: e.id };
    return null;
  }
});
