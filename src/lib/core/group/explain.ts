import { decided } from '../governance/tally';
import type { EmergencyAction, GroupState, Proposal, Tally } from '../governance/state';

/**
 * Where a vote stands, as numbers a sentence can be made of [APP-6]. Vote weights count (a
 * longer-standing member's vote weighs more), so "needed" is weight; what the screens say is in
 * people (`voted`, `members`, `quorumPeople`, `yesPeople`), which a person can picture.
 */
export interface VoteProgress {
  participation: number;
  electorateWeight: number;
  /** Members who have voted, and members who may vote. */
  voted: number;
  members: number;
  /**
   * The fewest more members whose votes would reach the quorum (the heaviest votes first: a lower
   * bound, so "at least"); 0 when reached.
   */
  quorumPeople: number;
  /**
   * The fewest more members voting yes that would make it pass if nobody else votes no; 0 when
   * passing; null when even every member left voting yes would not (someone must change a vote).
   */
  yesPeople: number | null;
  /** Weight still needed to reach the quorum (0 when reached). */
  quorumNeeded: number;
  /** Yes weight still needed to pass if nobody else votes no (majority only; 0 when passing). */
  yesNeeded: number;
  passingNow: boolean;
  /** Whether a member may close it now: the deadline passed, or the result cannot change. */
  closable: boolean;
  secondsLeft: number;
}

const EMPTY: Tally = {
  yes: 0,
  no: 0,
  abstain: 0,
  electorateWeight: 0,
  participation: 0,
  quorumReached: false,
  passed: false,
  delegated: [],
  counted: []
};

export function voteProgress(p: Proposal, now: number): VoteProgress {
  const t = p.tally ?? { ...EMPTY, electorateWeight: sum(p.electorate) };
  const quorumNeeded = Math.max(
    0,
    Math.ceil((p.rules.quorum * t.electorateWeight) / 100) - t.participation
  );
  let yesNeeded = 0;
  if (p.rules.method === 'majority') {
    // smallest y with (yes + y) * 100 > threshold * (yes + y + no)
    const th = p.rules.threshold;
    const need = Math.floor((th * t.no) / (100 - th)) + 1;
    yesNeeded = Math.max(0, need - t.yes);
  } else if (t.yes === 0) yesNeeded = 1;
  const voters = new Set(p.ballots.map((b) => b.member));
  const left = Object.entries(p.electorate)
    .filter(([member]) => !voters.has(member))
    .map(([, weight]) => weight)
    .sort((a, b) => b - a);
  return {
    participation: t.participation,
    electorateWeight: t.electorateWeight,
    voted: Object.keys(p.electorate).filter((member) => voters.has(member)).length,
    members: Object.keys(p.electorate).length,
    quorumPeople: fewest(left, quorumNeeded) ?? left.length,
    yesPeople: t.passed ? 0 : (fewest(left, yesNeeded) ?? null),
    quorumNeeded,
    yesNeeded,
    passingNow: t.passed,
    closable: p.status === 'voting' && (now >= p.deadline || decided(p, t)),
    secondsLeft: Math.max(0, p.deadline - now)
  };
}

/** How many of `weights` (heaviest first) reach `needed`; undefined when all of them do not. */
function fewest(weights: number[], needed: number): number | undefined {
  if (needed <= 0) return 0;
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]!;
    if (total >= needed) return i + 1;
  }
  return undefined;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

/** A line-by-line diff of two rule texts (longest common subsequence), for the rules history. */
export function lineDiff(
  before: string,
  after: string
): { kind: 'same' | 'added' | 'removed'; line: string }[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: { kind: 'same' | 'added' | 'removed'; line: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ kind: 'same', line: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ kind: 'removed', line: a[i++]! });
    else out.push({ kind: 'added', line: b[j++]! });
  }
  while (i < n) out.push({ kind: 'removed', line: a[i++]! });
  while (j < m) out.push({ kind: 'added', line: b[j++]! });
  return out;
}

/**
 * Emergency actions in force at `now` [GOV-11]: ratified ones, and active ones whose time is not
 * up on this phone's clock (the reducer lapses them by witnessed time; screens count down).
 */
export function emergenciesInForce(state: GroupState, now: number): EmergencyAction[] {
  return Object.values(state.emergencies).filter(
    (a) => a.status === 'ratified' || (a.status === 'active' && a.expiresAt > now)
  );
}

/** Until when a member's posting is paused: 0 when it is not, Infinity when the group confirmed it. */
export function pausedUntil(state: GroupState, member: string, now: number): number {
  return emergenciesInForce(state, now)
    .filter((a) => a.action === 'mute' && a.target === member)
    .reduce((end, a) => Math.max(end, a.status === 'ratified' ? Infinity : a.expiresAt), 0);
}
