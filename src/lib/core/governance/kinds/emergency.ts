import { MAX_EMERGENCY_SECONDS } from '../settings';
import type { Text } from '../text';
import { Kind } from '../types';
import { defineKind } from './kind';
import { id, textField } from './wire';

export interface EmergencyPayload {
  kind: typeof Kind.Emergency;
  action: 'hide' | 'mute';
  target: string;
  duration: number;
  reason: Text;
}

/**
 * A leader's emergency action [GOV-11]: it starts at the witnessed time of its causal past (the
 * leader's own clock cannot lengthen it) and lapses after its duration unless a 'ratify' proposal
 * passes.
 */
export const emergency = defineKind<EmergencyPayload>({
  kind: Kind.Emergency,
  name: 'Emergency',
  minTier: 'leader',
  wire: {
    a: "'hide' (an entry) or 'mute' (a member)",
    t: 'the entry or member (32 bytes)',
    dur: 'seconds, ≤3 days',
    why: 'the reason, text ≤1000'
  },
  read: (r) => ({
    action: r.oneOf('a', ['hide', 'mute'] as const),
    target: r.id('t'),
    duration: r.uint('dur', MAX_EMERGENCY_SECONDS),
    reason: r.text('why', 1000)
  }),
  write: (p, seal) => ({
    a: p.action,
    t: id(p.target),
    dur: p.duration,
    why: textField(seal, 'why', p.reason)
  }),
  apply(state, ctx, e, p, who) {
    const target = p.action === 'mute' ? state.members[p.target] : undefined;
    const known =
      p.action === 'hide'
        ? ctx.byId.has(p.target) && ctx.ancestor(p.target, e.id)
        : !!target && ctx.memberAt(target, e);
    if (!known) return 'unknown-target';
    const start = ctx.witness(e) || (ctx.dag.time.get(e.id) ?? e.time);
    state.emergencies[e.id] = {
      id: e.id,
      by: who.member.id,
      action: p.action,
      target: p.target,
      reason: p.reason,
      start,
      expiresAt: start + p.duration,
      ratifiedBy: null,
      liftedBy: null,
      status: 'active'
    };
    return null;
  }
});
