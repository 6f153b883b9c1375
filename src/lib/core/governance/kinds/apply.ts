import { toHex } from '../../encoding/hex';
import { checkInvite, markInviteUsed } from '../invites';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { Bad, id, optTextField, textField } from './wire';

export interface ApplyPayload {
  kind: typeof Kind.Apply;
  motivation: Text;
  name: Text | undefined;
  x25519: Uint8Array;
  invite: { entry: string; proof: Uint8Array } | undefined;
}

/** Someone asks to join: an outsider's entry, checked by its own transform [APP-3, INV-2]. */
export const apply = defineKind<ApplyPayload>({
  kind: Kind.Apply,
  name: 'Apply',
  minTier: null,
  wire: {
    m: "the applicant's words, text ≤2000, sealed with the group key or the invitation's (epoch 0)",
    n: 'optional: the name they chose, text 1–60, sealed the same way',
    x: "the applicant's X25519 key (32 bytes)",
    inv: 'optional: the invitation entry (32 bytes) [INV-2]',
    ip: "with inv: the invitation key's signature over inviteProofMessage (64 bytes)"
  },
  read(r) {
    const p = {
      motivation: r.applicantText('m', 2000),
      name: r.has('n') ? r.applicantText('n', 60, 1) : undefined,
      x25519: r.bytes('x', 32),
      invite: r.has('inv') ? { entry: r.id('inv'), proof: r.bytes('ip', 64) } : undefined
    };
    // Text sealed with an invitation's key needs that invitation [INV-4].
    const byInvite = (t: Text | undefined) => typeof t === 'object' && t.epoch === 0;
    if (!p.invite && (byInvite(p.motivation) || byInvite(p.name))) throw new Bad();
    return p;
  },
  write: (p, seal) => ({
    m: textField(seal, 'm', p.motivation),
    n: optTextField(seal, 'n', p.name),
    x: p.x25519,
    inv: p.invite && id(p.invite.entry),
    ip: p.invite?.proof
  }),
  applyOwn(state, ctx, e, p) {
    // A retired key cannot come back as an applicant: admitting it would bring back the member it
    // was the identity of [ID-7].
    if (state.retired[e.device]) return 'retired';
    const owner = ctx.owner.get(e.device);
    const member = owner ? state.members[owner.member] : undefined;
    if (member && member.status === 'active') return 'already-member';
    if (
      Object.values(state.applications).some((a) => a.applicant === e.device && a.status === 'open')
    )
      return 'already-applied';
    const inviteProblem = checkInvite(state, ctx, e, p);
    if (inviteProblem) return inviteProblem;
    markInviteUsed(state, p, e);
    state.applications[e.id] = {
      id: e.id,
      applicant: e.device,
      motivation: p.motivation,
      name: p.name ?? null,
      x25519: toHex(p.x25519),
      status: 'open',
      invite: p.invite?.entry ?? null
    };
    return null;
  }
});
