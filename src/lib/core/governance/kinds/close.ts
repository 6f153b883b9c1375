import { close as closeVote } from '../proposals';
import { Kind } from '../types';
import { defineKind } from './kind';
import { cborMap, id, lockboxSetFields, readLockboxSet, type LockboxSet } from './wire';

export interface ClosePayload {
  kind: typeof Kind.Close;
  proposal: string;
  /** A removal's close may carry the next epoch's lockboxes: the key rotates in the same step. */
  lockboxes: LockboxSet | undefined;
}

/** Closing a vote, and carrying out what passed [GOV-6, GOV-8]. */
export const close = defineKind<ClosePayload>({
  kind: Kind.Close,
  name: 'Close',
  minTier: 'new',
  wire: {
    p: 'the proposal (32 bytes)',
    lk: "optional: the next epoch's lockbox set (e, k, b as in Lockboxes) [ENC-6]"
  },
  read: (r) => ({
    proposal: r.id('p'),
    lockboxes: r.has('lk') ? readLockboxSet(r.inner('lk')) : undefined
  }),
  write: (p) => ({
    p: id(p.proposal),
    lk: p.lockboxes ? cborMap(lockboxSetFields(p.lockboxes)) : undefined
  }),
  apply: (state, ctx, e, p) => closeVote(state, ctx, e, p)
});
