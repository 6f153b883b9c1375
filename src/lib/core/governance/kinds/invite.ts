import { toHex } from '../../encoding/hex';
import { MAX_INVITE_CARD_BYTES } from '../invite-card';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { id, optTextField } from './wire';

export interface InvitePayload {
  kind: typeof Kind.Invite;
  key: string;
  expires: number;
  singleUse: boolean;
  secret: Text | undefined;
  /** The group's name, description and rules summary sealed with the invitation [INV-5]. */
  card: Uint8Array | undefined;
}

/** An invitation: only its public key is published [INV-1]. */
export const invite = defineKind<InvitePayload>({
  kind: Kind.Invite,
  name: 'Invite',
  minTier: 'regular',
  wire: {
    ik: "the invitation's public key (32 bytes)",
    exp: 'when it runs out (claimed seconds)',
    one: '1 for a single-use invitation, else 0',
    s: 'optional: the invitation secret sealed for the group (text ≤64), so members can read applicants',
    c: 'optional: the invitation card sealed with the invitation [INV-5]'
  },
  read: (r) => ({
    key: r.id('ik'),
    expires: r.uint('exp'),
    singleUse: r.flag('one'),
    secret: r.optText('s', 64),
    // Invitations made before cards existed have none, and still work [INV-5].
    card: r.has('c') ? r.bytesUpTo('c', MAX_INVITE_CARD_BYTES) : undefined
  }),
  write: (p, seal) => ({
    ik: id(p.key),
    exp: p.expires,
    one: p.singleUse ? 1 : 0,
    s: optTextField(seal, 's', p.secret),
    c: p.card
  }),
  apply(state, _ctx, e, p, who) {
    state.invites[e.id] = {
      id: e.id,
      by: who.member.id,
      key: p.key,
      expires: p.expires,
      singleUse: p.singleUse,
      usedBy: [],
      revokedBy: null,
      secret: p.secret ?? null,
      card: p.card ? toHex(p.card) : null
    };
    return null;
  }
});
