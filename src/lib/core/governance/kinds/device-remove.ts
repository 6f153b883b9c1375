import { Kind } from '../types';
import { defineKind } from './kind';
import { id } from './wire';

export interface DeviceRemovePayload {
  kind: typeof Kind.DeviceRemove;
  device: string;
}

/** A member withdraws one of their devices (never their identity device) [LED-8, ENC-6]. */
export const deviceRemove = defineKind<DeviceRemovePayload>({
  kind: Kind.DeviceRemove,
  name: 'DeviceRemove',
  minTier: 'new',
  wire: { d: 'the device withdrawn (32 bytes)' },
  read: (r) => ({ device: r.id('d') }),
  write: (p) => ({ d: id(p.device) }),
  apply(state, ctx, e, p, who) {
    if (p.device === who.member.id || ctx.owner.get(p.device)?.member !== who.member.id)
      return 'not-own-device';
    who.member.devices = who.member.devices.filter((d) => d !== p.device);
    ctx.withdrawn.set(p.device, {
      member: who.member.id,
      by: e.device,
      x25519: who.member.x25519[p.device] ?? null
    });
    delete who.member.x25519[p.device];
    ctx.owner.delete(p.device);
    ctx.retired.add(p.device);
    // The withdrawn device holds the current key: the next write starts a new epoch [ENC-6].
    state.rotationDue = true;
    return null;
  }
});
