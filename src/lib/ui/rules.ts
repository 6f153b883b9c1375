import { TIERS, type Tier, type VotingRules } from '$core/governance/types';

/** Voting rules as a form edits them: whole days and a list of voter tiers. */
export interface RulesDraft {
  method: 'majority' | 'consent';
  quorum: number;
  threshold: number;
  days: number;
  voters: Tier[];
}

export function draftOf(r: VotingRules): RulesDraft {
  return {
    method: r.method,
    quorum: r.quorum,
    threshold: r.threshold,
    days: Math.max(1, Math.round(r.period / 86_400)),
    voters: [...r.electorate]
  };
}

/** The rules a draft describes, clamped to what the ledger accepts; undefined with no voters. */
export function rulesOf(d: RulesDraft): VotingRules | undefined {
  const pct = (n: number, max: number) => Math.min(max, Math.max(0, Math.round(Number(n) || 0)));
  const electorate = TIERS.filter((t) => d.voters.includes(t));
  if (electorate.length === 0) return undefined;
  return {
    method: d.method,
    electorate,
    quorum: pct(d.quorum, 100),
    threshold: pct(d.threshold, 99),
    period: Math.min(60, Math.max(1, Math.round(Number(d.days) || 1))) * 86_400
  };
}
