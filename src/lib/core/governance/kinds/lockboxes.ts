import { applyLockboxes } from '../epochs';
import { Kind } from '../types';
import { defineKind } from './kind';
import { lockboxSetFields, readLockboxSet, type LockboxSet } from './wire';

export type LockboxesPayload = { kind: typeof Kind.Lockboxes } & LockboxSet;

/** A key epoch's lockboxes: a rotation, or a heal for devices that lack one [ENC-4..ENC-6]. */
export const lockboxes = defineKind<LockboxesPayload>({
  kind: Kind.Lockboxes,
  name: 'Lockboxes',
  minTier: 'new',
  wire: {
    e: 'the key epoch, ≤1,000,000',
    k: "the epoch key's id (8 bytes)",
    b: '[device (32 bytes), the key sealed to it (80 bytes)], 1–512, one per device'
  },
  read: readLockboxSet,
  write: (p) => lockboxSetFields(p),
  apply: (state, ctx, e, p) => applyLockboxes(state, ctx, e, p)
});
