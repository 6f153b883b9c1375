import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, publicKeyOf, sign } from '../crypto/ed25519';
import { hexToBytes, toHex } from '../encoding/hex';
import type { Entry } from '../ledger/envelope';
import type { Ctx } from './context';
import type { PayloadOf } from './kinds';
import type { GroupState } from './state';
import type { Kind, Reason } from './types';

type P<K extends number> = PayloadOf<K>;

const te = new TextEncoder();
const INVITE_KEY = te.encode('hearth/v1/invite-key');
const PROOF = te.encode('hearth/v1/invite-proof\0');

/**
 * Invitations [INV-1..INV-3]. A link carries the group document id and a random invite secret.
 * The secret derives an Ed25519 key pair; the invite entry publishes only its public key. An
 * applicant proves they hold the secret by signing, with the invite key, the group, the invite
 * and *their own* identity and X25519 keys. Anyone who sees that proof cannot use it: it names
 * someone else's keys, and the application itself must be signed by that identity.
 */
export function inviteKeyPair(secret: Uint8Array): {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
} {
  const secretKey = hkdf(sha256, secret, undefined, INVITE_KEY, 32);
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

export function inviteProofMessage(
  groupId: Uint8Array,
  inviteEntry: string,
  identity: Uint8Array,
  x25519: Uint8Array
): Uint8Array {
  return concat(PROOF, groupId, hexToBytes(inviteEntry), identity, x25519);
}

export function signInviteProof(
  secret: Uint8Array,
  groupId: Uint8Array,
  inviteEntry: string,
  identity: Uint8Array,
  x25519: Uint8Array
): Uint8Array {
  return sign(
    inviteKeyPair(secret).secretKey,
    inviteProofMessage(groupId, inviteEntry, identity, x25519)
  );
}

/**
 * Checks an application's invite [INV-2]: the invite is in the application's causal past, not
 * revoked there, not expired by witnessed time, not already used if single-use (first in order
 * wins), and the proof verifies against the invite key over this applicant's own keys.
 */
export function checkInvite(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Apply>
): Reason | null {
  if (!p.invite) return null;
  const inv = state.invites[p.invite.entry];
  if (!inv || !ctx.ancestor(inv.id, e.id)) return 'unknown-target';
  const message = inviteProofMessage(ctx.groupId, inv.id, e.author, p.x25519);
  const key = hexToBytes(inv.key);
  if (!ctx.verifyProof(`invite:${e.id}`, key, message, p.invite.proof)) return 'bad-invite-proof';
  if (inv.revokedBy && ctx.ancestor(inv.revokedBy, e.id)) return 'invite-revoked';
  if (ctx.witness(e) >= inv.expires) return 'invite-expired';
  if (inv.singleUse && inv.usedBy.length > 0) return 'invite-used';
  return null;
}

/**
 * How long after an invitation runs out the group may still admit someone who applied with it
 * [INV-7]. An application names its own past, so one written long after the expiry can look as
 * if it was written before; it cannot be told from an honest person who applied offline in time
 * and whose phone reached the group late. Seven days lets the late phone in and bounds the rest.
 */
const INVITE_LATE_SECONDS = 7 * 86_400;

/** Whether an admission at witnessed time `at` comes too late for the invitation [INV-7]. */
export function tooLateToAdmit(inv: { expires: number }, at: number): boolean {
  return at >= inv.expires + INVITE_LATE_SECONDS;
}

/**
 * Whether the invitation was withdrawn by an entry that had not seen the application, among the
 * revocations `known` (the applicant chose the past their application names) [INV-2, RED-18].
 */
export function revokedUnseen(
  ctx: Pick<Ctx, 'ancestor' | 'inviteRevocations'>,
  invite: string,
  application: string,
  known: (revocation: string) => boolean
): boolean {
  const revoked = ctx.inviteRevocations.get(invite) ?? [];
  return revoked.some((r) => known(r) && !ctx.ancestor(application, r));
}

export function markInviteUsed(state: GroupState, p: P<typeof Kind.Apply>, e: Entry): void {
  if (p.invite) state.invites[p.invite.entry]?.usedBy.push(toHex(e.author));
}
