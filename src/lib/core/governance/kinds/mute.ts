import { MAX_MUTE_SECONDS } from '../settings';
import type { Text } from '../text';
import { Kind, REPORT_REASONS, tierRank, type ReportReason } from '../types';
import { defineKind } from './kind';
import { id, optTextField } from './wire';

/** A moderator mutes `member` for `duration` seconds; 0 lifts a mute [SAFE-22]. */
export interface MutePayload {
  kind: typeof Kind.Mute;
  member: string;
  duration: number;
  reason: ReportReason;
  note: Text | undefined;
}

/**
 * A moderator mutes a member for a period, or lifts the mute (duration 0) [SAFE-22]. Never oneself,
 * never someone of a higher tier; it starts at the mute entry's time. Named peer moderators may be
 * of any tier, so the tier is checked here, not by `minTier`.
 */
export const mute = defineKind<MutePayload>({
  kind: Kind.Mute,
  name: 'Mute',
  minTier: 'new',
  wire: {
    m: 'the member (32 bytes)',
    dur: 'seconds, ≤30 days; 0 lifts the mute',
    why: 'a reason code [SAFE-17]',
    note: 'optional: a note to the member, text ≤1000'
  },
  read: (r) => ({
    member: r.id('m'),
    duration: r.uint('dur', MAX_MUTE_SECONDS),
    reason: r.oneOf('why', REPORT_REASONS),
    note: r.optText('note', 1000)
  }),
  write: (p, seal) => ({
    m: id(p.member),
    dur: p.duration,
    why: p.reason,
    note: optTextField(seal, 'note', p.note)
  }),
  apply(state, ctx, e, p, who) {
    if (!ctx.moderatesAt(state, who.member, e)) return 'not-moderator';
    const target = state.members[p.member];
    if (!target || target.id === who.member.id || !ctx.memberAt(target, e)) return 'unknown-target';
    if (tierRank(ctx.tierAt(state, target, e)) > tierRank(who.tier)) return 'tier-too-low';
    const current = state.mutes[p.member];
    if (p.duration === 0) {
      if (!current || current.liftedBy) return 'unknown-target';
      current.liftedBy = e.id;
      return null;
    }
    // From the mute entry's own time, on the one clock: never before its witnessed past (which
    // could lie days back in a quiet group and reach over posts written before the mute), and
    // never more than a week after it, so a mute dated ahead cannot last longer [TIME-2].
    const start = ctx.timeOf(e);
    state.mutes[p.member] = {
      id: e.id,
      member: p.member,
      by: who.member.id,
      reason: p.reason,
      note: p.note ?? null,
      start,
      until: start + p.duration,
      liftedBy: null
    };
    return null;
  }
});
