import { Kind } from '../types';
import { defineKind } from './kind';
import { id } from './wire';

export interface RevokeInvitePayload {
  kind: typeof Kind.RevokeInvite;
  invite: string;
}

/** The inviter or a leader withdraws an invitation [INV-2]. */
export const revokeInvite = defineKind<RevokeInvitePayload>({
  kind: Kind.RevokeInvite,
  name: 'RevokeInvite',
  minTier: 'new',
  wire: { inv: 'the invitation entry (32 bytes)' },
  read: (r) => ({ invite: r.id('inv') }),
  write: (p) => ({ inv: id(p.invite) }),
  apply(state, ctx, e, p, who) {
    const inv = state.invites[p.invite];
    if (!inv || !ctx.ancestor(inv.id, e.id)) return 'unknown-target';
    if (inv.by !== who.member.id && who.tier !== 'leader') return 'not-leader';
    inv.revokedBy ??= e.id;
    ctx.inviteRevocations.set(inv.id, [...(ctx.inviteRevocations.get(inv.id) ?? []), e.id]);
    return null;
  }
});
