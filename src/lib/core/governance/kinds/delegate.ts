import type { Entry } from '../../ledger/envelope';
import type { Ctx, Who } from '../context';
import type { GroupState } from '../state';
import { Kind, PROPOSAL_KINDS, type ProposalKind, type Reason } from '../types';
import { defineKind } from './kind';
import { id, type Reader } from './wire';

/** Which decisions a delegation covers: one kind of proposal, or all. */
export const readScope = (r: Reader) => r.oneOf('k', [...PROPOSAL_KINDS, 'all'] as const);

/** Delegating (`to` a member) or taking it back (`to` null), for one scope [GOV-7]. */
export function setDelegation(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  scope: ProposalKind | 'all',
  to: string | null,
  who: Who
): Reason | null {
  if (to !== null) {
    const target = state.members[to];
    if (!target || to === who.member.id || !ctx.memberAt(target, e)) return 'unknown-target';
  }
  const history = ctx.delegationHistory.get(who.member.id) ?? [];
  history.push({ entry: e.id, scope, to });
  ctx.delegationHistory.set(who.member.id, history);
  const current = (state.delegations[who.member.id] ??= {});
  if (to === null) delete current[scope];
  else current[scope] = to;
  return null;
}

export interface DelegatePayload {
  kind: typeof Kind.Delegate;
  scope: ProposalKind | 'all';
  to: string;
}

/** A member lets another vote for them on one kind of decision, or all [GOV-7]. */
export const delegate = defineKind<DelegatePayload>({
  kind: Kind.Delegate,
  name: 'Delegate',
  minTier: 'new',
  wire: { k: "a proposal kind, or 'all'", to: 'the member voting for them (32 bytes)' },
  read: (r) => ({ scope: readScope(r), to: r.id('to') }),
  write: (p) => ({ k: p.scope, to: id(p.to) }),
  apply: (state, ctx, e, p, who) => setDelegation(state, ctx, e, p.scope, p.to, who)
});
