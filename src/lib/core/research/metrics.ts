import type { Dataset } from './dataset';
import { bucketStart, grainSeconds } from './time';

/**
 * Group health [RES-10], from one dataset: the app shows them to the group from its own exact
 * facts; an export computes them from what it releases (pseudonymous, coarse, noised), so both
 * run this same code.
 */
export interface HealthMetrics {
  /** Week starts (seconds), oldest first: the x axis of the weekly series. */
  weeks: number[];
  /** Distinct members who did anything that week (null where not available). */
  activeMembers: (number | null)[];
  /** Members in the group at the end of each week. */
  members: number[];
  /** Share of the electorate that voted, per closed proposal, in order of closing. */
  participation: { closed: number; share: number }[];
  meanParticipation: number | null;
  /** Of the members who joined at least N weeks before now, how many were still members N weeks after joining. */
  retention: { weeks: number; eligible: number; stayed: number; share: number | null }[];
  /** Days from application to admission. */
  timeToAdmission: { count: number; medianDays: number | null };
  /** Reported posts and emergency actions: how many were resolved, and how fast. */
  disputes: { opened: number; resolved: number; medianDaysToResolve: number | null };
}

const DAY = 86_400;
const WEEK = grainSeconds('week');
const MAX_WEEKS = 520;
/** The Monday (UTC) starting the week of `t`. */
const weekOf = (t: number) => bucketStart(t, 'week')!;

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

export function healthMetrics(
  d: Dataset,
  o: {
    /** Weekly active members from elsewhere (an export's noised counts), by week start. */
    activeMembers?: Map<number, number | null>;
  } = {}
): HealthMetrics {
  const first = weekOf(d.start);
  const last = weekOf(d.now);
  const weeks: number[] = [];
  for (let w = Math.max(first, last - (MAX_WEEKS - 1) * WEEK); w <= last; w += WEEK) weeks.push(w);

  const activeBy = new Map<number, Set<string>>();
  for (const a of d.activity) {
    const w = weekOf(a.time);
    let s = activeBy.get(w);
    if (!s) activeBy.set(w, (s = new Set()));
    s.add(a.member);
  }
  const activeMembers = weeks.map((w) =>
    o.activeMembers ? (o.activeMembers.get(w) ?? null) : (activeBy.get(w)?.size ?? 0)
  );
  const members = weeks.map(
    (w) =>
      d.members.filter((m) => m.joined < w + WEEK && (m.left === null || m.left >= w + WEEK)).length
  );

  const participation = d.proposals
    .filter((p) => p.closed !== null && p.electorate.length > 0)
    .map((p) => ({
      closed: p.closed!,
      share: round(
        p.ballots.filter((b) => p.electorate.includes(b.member)).length / p.electorate.length
      )
    }))
    .sort((a, b) => a.closed - b.closed);
  const meanParticipation =
    participation.length > 0
      ? round(participation.reduce((s, p) => s + p.share, 0) / participation.length)
      : null;

  const retention = [4, 12, 26].map((n) => {
    const eligible = d.members.filter((m) => m.joined + n * WEEK <= d.now);
    const stayed = eligible.filter((m) => m.left === null || m.left >= m.joined + n * WEEK);
    return {
      weeks: n,
      eligible: eligible.length,
      stayed: stayed.length,
      share: eligible.length ? round(stayed.length / eligible.length) : null
    };
  });

  const waits = d.admissions.map((a) => Math.max(0, a.admitted - a.applied) / DAY);
  const resolved = d.disputes.filter((x) => x.resolved !== null);
  return {
    weeks,
    activeMembers,
    members,
    participation,
    meanParticipation,
    retention,
    timeToAdmission: {
      count: waits.length,
      medianDays: waits.length ? round(median(waits)!, 1) : null
    },
    disputes: {
      opened: d.disputes.length,
      resolved: resolved.length,
      medianDaysToResolve: resolved.length
        ? round(median(resolved.map((x) => Math.max(0, x.resolved! - x.opened) / DAY))!, 1)
        : null
    }
  };
}
