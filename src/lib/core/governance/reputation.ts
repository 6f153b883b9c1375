import type { GroupState, Member } from './state';

/** Points for work that helps the group; people on probation earn half [REP-1]. */
export const POINTS = { helped: 2, mentoring: 6, proposalPassed: 4, moderation: 4 } as const;

export function earn(
  state: GroupState,
  member: Member,
  entry: string,
  points: number,
  why: string,
  onProbation: boolean
): void {
  const amount = onProbation ? Math.floor(points / 2) : points;
  const rec = (state.reputation[member.id] ??= { total: 0, entries: [] });
  rec.total += amount;
  rec.entries.push({ entry, points: amount, why });
}
