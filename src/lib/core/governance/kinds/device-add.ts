import { hexToBytes, toHex } from '../../encoding/hex';
import type { Entry } from '../../ledger/envelope';
import { authorize, type Ctx, type Who } from '../context';
import { deviceAuthMessage, deviceProofMessage } from '../messages';
import type { GroupState } from '../state';
import { Kind, type Reason } from '../types';
import { defineKind } from './kind';
import { id } from './wire';

export interface DeviceAddPayload {
  kind: typeof Kind.DeviceAdd;
  device: string;
  x25519: Uint8Array;
  proof: Uint8Array;
  /**
   * A device added from a backup adds itself [ID-5]: `by` is the member's backed-up device and
   * `auth` its signature over `deviceAuthMessage`, so the backed-up key signs no entry.
   */
  recovery?: { by: string; auth: Uint8Array };
}

function add(state: GroupState, ctx: Ctx, e: Entry, p: DeviceAddPayload, who: Who): Reason | null {
  if (ctx.owner.has(p.device)) return 'already-member';
  if (ctx.retired.has(p.device)) return 'not-own-device';
  const groupId = hexToBytes(state.groupId);
  if (
    !ctx.verifyProof(
      e.id,
      hexToBytes(p.device),
      deviceProofMessage(groupId, hexToBytes(who.member.id)),
      p.proof
    )
  )
    return 'bad-proof';
  who.member.devices = [...who.member.devices, p.device].sort();
  who.member.x25519[p.device] = toHex(p.x25519);
  ctx.owner.set(p.device, { member: who.member.id, since: e.id });
  return null;
}

/** A member adds one of their devices, which signed its consent [LED-8]. */
export const deviceAdd = defineKind<DeviceAddPayload>({
  kind: Kind.DeviceAdd,
  name: 'DeviceAdd',
  minTier: 'new',
  wire: {
    d: 'the new device (32 bytes)',
    x: "the new device's X25519 key (32 bytes)",
    proof: "the new device's signature over deviceProofMessage (64 bytes)",
    by: "restored from a backup: the member's backed-up device (32 bytes) [ID-5]",
    auth: "restored from a backup: by's signature over deviceAuthMessage (64 bytes)"
  },
  read: (r) => ({
    device: r.id('d'),
    x25519: r.bytes('x', 32),
    proof: r.bytes('proof', 64),
    recovery: r.has('by') ? { by: r.id('by'), auth: r.bytes('auth', 64) } : undefined
  }),
  write: (p) => ({
    d: id(p.device),
    x: p.x25519,
    proof: p.proof,
    by: p.recovery && id(p.recovery.by),
    auth: p.recovery?.auth
  }),
  apply: add,
  selfAuthorized: (p) => p.recovery !== undefined,
  /**
   * A device adding itself with an authorization from one of the member's devices (a restored
   * backup) [ID-5, LED-8]. The backed-up device is authorized as if it had written the entry: it
   * must belong to an active member in the entry's causal past.
   */
  applyOwn(state, ctx, e, p) {
    const refused = recover(state, ctx, e, p);
    if (refused) ctx.eligible.delete(e.id);
    else ctx.eligible.add(e.id);
    return refused;
  }
});

function recover(state: GroupState, ctx: Ctx, e: Entry, p: DeviceAddPayload): Reason | null {
  const recovery = p.recovery!;
  if (p.device !== e.device) return 'not-own-device';
  const who = authorize(state, ctx, { ...e, device: recovery.by }, deviceAdd.minTier!);
  if (typeof who === 'string') return who;
  const groupId = hexToBytes(state.groupId);
  const member = hexToBytes(who.member.id);
  if (
    !ctx.verifyProof(
      `auth:${e.id}`,
      hexToBytes(recovery.by),
      deviceAuthMessage(groupId, member, hexToBytes(p.device)),
      recovery.auth
    )
  )
    return 'bad-proof';
  return add(state, ctx, e, p, who);
}
