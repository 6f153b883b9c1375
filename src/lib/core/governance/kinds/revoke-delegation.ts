import { Kind, type ProposalKind } from '../types';
import { readScope, setDelegation } from './delegate';
import { defineKind } from './kind';

export interface RevokeDelegationPayload {
  kind: typeof Kind.RevokeDelegation;
  scope: ProposalKind | 'all';
}

/** A member takes a delegation back [GOV-7]. */
export const revokeDelegation = defineKind<RevokeDelegationPayload>({
  kind: Kind.RevokeDelegation,
  name: 'RevokeDelegation',
  minTier: 'new',
  wire: { k: "a proposal kind, or 'all'" },
  read: (r) => ({ scope: readScope(r) }),
  write: (p) => ({ k: p.scope }),
  apply: (state, ctx, e, p, who) => setDelegation(state, ctx, e, p.scope, null, who)
});
