import { openProposal } from '../proposals';
import { Kind } from '../types';
import { defineKind } from './kind';
import { id } from './wire';

/** `study` undefined: every study, now and later [RES-2]. */
export interface ConsentPayload {
  kind: typeof Kind.Consent;
  study: string | undefined;
  consent: boolean;
}

/**
 * A member's consent to research export, or their opt-out, for one study or for all [RES-2]. It
 * may name a research proposal still being voted on (opting out in advance). Any member, any
 * time; the latest in causal order counts.
 */
export const consent = defineKind<ConsentPayload>({
  kind: Kind.Consent,
  name: 'Consent',
  minTier: 'new',
  wire: {
    s: 'optional: the research proposal (32 bytes); without it, every study',
    c: '1 consents, 0 opts out'
  },
  read: (r) => ({ study: r.optId('s'), consent: r.flag('c') }),
  write: (p) => ({ s: p.study === undefined ? undefined : id(p.study), c: p.consent ? 1 : 0 }),
  apply(state, ctx, e, p, who) {
    if (p.study !== undefined) {
      const proposal = openProposal(state, ctx, e, p.study);
      if (typeof proposal === 'string') return proposal;
      if (proposal.body.type !== 'research') return 'unknown-target';
    }
    const choice = {
      consent: p.consent,
      entry: e.id,
      time: ctx.timeOf(e),
      order: ctx.eligible.size
    };
    const rec = (state.research.choices[who.member.id] ??= { all: null, studies: {} });
    if (p.study === undefined) rec.all = choice;
    else rec.studies[p.study] = choice;
    return null;
  }
});
