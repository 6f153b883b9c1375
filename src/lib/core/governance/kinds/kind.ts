import type { Entry } from '../../ledger/envelope';
import type { Ctx, Who } from '../context';
import type { GroupState } from '../state';
import type { KindName, Reason, Tier } from '../types';
import type { Fields, Reader, Seal } from './wire';

/**
 * One kind of ledger entry, everything about it side by side [LED-3]: its number and name, who
 * may write it, its wire keys (documented once, in `wire`), how a payload is read and written,
 * and what it does to the group's state.
 */
export interface KindModule<P extends { kind: number }> {
  readonly kind: P['kind'];
  readonly name: KindName;
  /**
   * The tier a member needs to write it, checked in one place for every kind [GOV-5]; null for
   * an entry that is nobody's act as a member yet (a genesis, an application): its own transform
   * checks its author.
   */
  readonly minTier: Tier | null;
  /** Every payload key, and what it carries. Nothing else is read or written. */
  readonly wire: Readonly<Record<string, string>>;
  /** Reads a payload (throws `Bad`; the reader's `done` is called after). */
  readonly read: (r: Reader) => Omit<P, 'kind'>;
  /** Writes a payload; texts given as strings go through `seal`. */
  readonly write: (p: P, seal: Seal) => Fields;
  /**
   * Whether this entry brings its own authorization instead of its author's membership (a
   * restored device adding itself, with its backed-up device's word [ID-5]).
   */
  readonly selfAuthorized?: (p: P) => boolean;
  /** Applies an entry of an authorized member; null when applied, or why it was ignored. */
  readonly apply?: (state: GroupState, ctx: Ctx, e: Entry, p: P, who: Who) => Reason | null;
  /** Applies an entry with no member behind it yet (minTier null, or `selfAuthorized`). */
  readonly applyOwn?: (state: GroupState, ctx: Ctx, e: Entry, p: P) => Reason | null;
}

/** A kind of a support thread's own document [SPACE-2]: read by `readThread`, not the reducer. */
export interface SpaceKindModule<P extends { kind: number }> {
  readonly kind: P['kind'];
  readonly name: string;
  readonly wire: Readonly<Record<string, string>>;
  readonly read: (r: Reader) => Omit<P, 'kind'>;
  readonly write: (p: P, seal: Seal) => Fields;
}

export const defineKind = <P extends { kind: number }>(m: KindModule<P>): KindModule<P> => m;
export const defineSpaceKind = <P extends { kind: number }>(
  m: SpaceKindModule<P>
): SpaceKindModule<P> => m;
