import type { Tier } from '../governance/types';
import { bucketLabel, GRAINS, type Grain } from './time';

/**
 * k-anonymity over the quasi-identifiers tier, join time and group category [RES-7]. Members are
 * grouped by those three values, generalized together (join week → 4 weeks → quarter → year →
 * any time; tier → new or member → any); the least general recoding that leaves at most
 * `maxSuppression` of the members in classes smaller than k is chosen (else the one that
 * suppresses fewest), and members still in small classes are suppressed: they appear in no
 * table and no document, and the report says how many and why.
 */

const TIER_LEVELS = ['exact', 'grouped', 'any'] as const;
export type TierLevel = (typeof TIER_LEVELS)[number];

export function generalTier(t: Tier, level: TierLevel): string {
  if (level === 'exact') return t;
  if (level === 'grouped') return t === 'new' ? 'new' : 'member';
  return '*';
}

export interface QuasiIdentifiers {
  tier: Tier;
  joined: number;
}

export interface Recoding {
  time: Grain;
  tier: TierLevel;
}

export interface KAnonymity {
  recoding: Recoding;
  /** member → their generalized class key. */
  classOf: Map<string, string>;
  kept: string[];
  suppressed: string[];
  /** Every recoding tried, with how many members it would suppress. */
  tried: { recoding: Recoding; suppressed: number }[];
  classes: { tier: string; joined: string; category: string; members: number }[];
}

function classKey(q: QuasiIdentifiers, r: Recoding, category: string): string {
  return `${generalTier(q.tier, r.tier)}|${bucketLabel(q.joined, r.time)}|${category}`;
}

export function kAnonymize(o: {
  members: Map<string, QuasiIdentifiers>;
  category: string;
  k: number;
  /** The finest time the export may show ('day' or 'week'). */
  finest: Grain;
  maxSuppression: number;
}): KAnonymity {
  const candidates: Recoding[] = [];
  const times = GRAINS.slice(GRAINS.indexOf(o.finest));
  // Less general first: by total steps up both hierarchies, time before tier on ties.
  for (let steps = 0; steps < times.length + TIER_LEVELS.length; steps++)
    for (let t = Math.min(steps, times.length - 1); t >= 0; t--) {
      const tier = steps - t;
      if (tier < TIER_LEVELS.length) candidates.push({ time: times[t]!, tier: TIER_LEVELS[tier]! });
    }
  const ids = [...o.members.keys()].sort();
  const evaluate = (r: Recoding) => {
    const classOf = new Map<string, string>();
    const size = new Map<string, number>();
    for (const id of ids) {
      const key = classKey(o.members.get(id)!, r, o.category);
      classOf.set(id, key);
      size.set(key, (size.get(key) ?? 0) + 1);
    }
    const suppressed = ids.filter((id) => size.get(classOf.get(id)!)! < o.k);
    return { classOf, size, suppressed };
  };
  const tried: KAnonymity['tried'] = [];
  let best: { r: Recoding; e: ReturnType<typeof evaluate> } | undefined;
  for (const r of candidates) {
    const e = evaluate(r);
    tried.push({ recoding: r, suppressed: e.suppressed.length });
    if (!best || e.suppressed.length < best.e.suppressed.length) best = { r, e };
    if (e.suppressed.length <= o.maxSuppression * ids.length) {
      best = { r, e };
      break;
    }
  }
  // There is always a candidate: the loop above tried at least the finest recoding.
  const { r, e } = best!;
  const gone = new Set(e.suppressed);
  const classes = [...e.size.entries()]
    .filter(([, n]) => n >= o.k)
    .map(([key, members]) => {
      const [tier, joined, category] = key.split('|') as [string, string, string];
      return { tier, joined, category, members };
    })
    .sort((a, b) => (a.joined + a.tier < b.joined + b.tier ? -1 : 1));
  return {
    recoding: r,
    classOf: e.classOf,
    kept: ids.filter((id) => !gone.has(id)),
    suppressed: e.suppressed,
    tried,
    classes
  };
}
