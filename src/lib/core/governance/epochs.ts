import { toHex } from '../encoding/hex';
import type { Entry } from '../ledger/envelope';
import type { Ctx } from './context';
import type { LockboxSet } from './kinds';
import type { GroupState } from './state';
import type { Reason } from './types';

/**
 * Group key epochs [ENC-4..ENC-6]. The reducer never sees keys, only lockboxes and key ids:
 * - a new epoch (current + 1) may be defined only while a rotation is due: at the start of the
 *   group and after every removal. The first valid lockbox set for it in the total order defines
 *   it and names its key id; a concurrent set with another key is 'wrong-key'. So concurrent
 *   rotations converge on one current epoch, and a removal concurrent with a rotation makes
 *   another rotation due;
 * - lockboxes go only to devices of active members ('box-for-outsider'), so a removed member
 *   never receives a later key;
 * - any member may heal the current epoch by sealing its key (same key id) to devices that lack
 *   a lockbox; older epochs only when the group has voted to share history (by default a
 *   newcomer cannot read what was written before they joined).
 */
export function applyLockboxes(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  set: LockboxSet
): Reason | null {
  for (const box of set.boxes) {
    const owner = ctx.owner.get(box.device);
    const member = owner ? state.members[owner.member] : undefined;
    if (
      !owner ||
      !member ||
      member.status !== 'active' ||
      !ctx.memberAt(member, e) ||
      !ctx.ancestor(owner.since, e.id)
    )
      return 'box-for-outsider';
  }
  const existing = state.epochs[set.epoch];
  if (existing) {
    // Older epochs are re-shared only if the group voted to share history [ENC-8].
    if (set.epoch !== state.currentEpoch && !state.shareHistory) return 'unknown-epoch';
    if (existing.keyId !== set.keyId) return 'wrong-key';
  } else {
    if (set.epoch !== state.currentEpoch + 1) return 'unknown-epoch';
    if (!state.rotationDue) return 'rotation-not-due';
    state.epochs[set.epoch] = {
      number: set.epoch,
      keyId: set.keyId,
      definedBy: e.id,
      lockboxes: {}
    };
    state.currentEpoch = set.epoch;
    state.rotationDue = false;
  }
  const epoch = state.epochs[set.epoch]!;
  for (const box of set.boxes)
    (epoch.lockboxes[box.device] ??= []).push({ entry: e.id, sealed: toHex(box.sealed) });
  return null;
}
