/**
 * Coarse time [RES-6]: every time in an export is the start of its bucket (a day, a week or
 * longer), weeks starting on Monday (UTC). 'all' keeps no time at all.
 */
export const GRAINS = ['day', 'week', '4 weeks', 'quarter', 'year', 'all'] as const;
export type Grain = (typeof GRAINS)[number];

const DAY = 86_400;
const SECONDS: Record<Grain, number> = {
  day: DAY,
  week: 7 * DAY,
  '4 weeks': 28 * DAY,
  quarter: 91 * DAY,
  year: 364 * DAY,
  all: Infinity
};
/** The length of a bucket in seconds (Infinity for 'all'). */
export const grainSeconds = (grain: Grain): number => SECONDS[grain];

/** 1970-01-05 was a Monday. */
const MONDAY = 4 * DAY;

/** The start of the bucket holding `t` (seconds), or null for 'all'. */
export function bucketStart(t: number, grain: Grain): number | null {
  if (grain === 'all') return null;
  const size = SECONDS[grain];
  if (grain === 'day') return Math.floor(t / DAY) * DAY;
  return Math.floor((t - MONDAY) / size) * size + MONDAY;
}

/** The bucket as an ISO date (YYYY-MM-DD), or '*' for 'all'. */
export function bucketLabel(t: number, grain: Grain): string {
  const s = bucketStart(t, grain);
  return s === null ? '*' : new Date(s * 1000).toISOString().slice(0, 10);
}

export const coarser = (a: Grain, b: Grain): Grain =>
  GRAINS.indexOf(a) >= GRAINS.indexOf(b) ? a : b;

/** Whole weeks, rounded down: durations are released no finer than a week. */
export const weeks = (seconds: number): number => Math.max(0, Math.floor(seconds / (7 * DAY)));
