// `npm run eval:safety`: precision and recall of the on-device safety classifier per class, on the
// labelled corpus in tests/fixtures/safety/<lang>.jsonl, and whether each crisis text gets the
// right tier. Exits non-zero when any figure falls below its floor [SAFE-5].
// Flags: --lang en (one language), --show (print every disagreement).
import { readFileSync, readdirSync } from 'node:fs';
import { classify } from '../src/lib/core/safety/classify';
import {
  SAFETY_CLASSES,
  crisisRank,
  type SafetyClass,
  type Tier
} from '../src/lib/core/safety/types';

/** The floors: below these the run fails. Recall matters most for crisis; precision for the rest. */
export const FLOORS: Record<SafetyClass, { precision: number; recall: number }> = {
  crisis: { precision: 0.9, recall: 0.9 },
  'self-harm': { precision: 0.85, recall: 0.8 },
  harassment: { precision: 0.85, recall: 0.8 },
  'harmful-advice': { precision: 0.85, recall: 0.8 },
  spam: { precision: 0.85, recall: 0.8 },
  'personal-details': { precision: 0.85, recall: 0.8 }
};
const TIER_FLOOR = 0.75; // share of crisis texts whose tier is exactly right

/**
 * `holdout` sets are never tuned against: they were written after the rules and measured once.
 * Their floors sit just under that first measurement (docs/SAFETY.md): they catch a change that
 * makes the classifier worse on phrasing it was not fitted to, without pretending it is better.
 */
export const HOLDOUT_FLOORS = {
  crisis: { precision: 0.85, recall: 0.6 },
  other: { precision: 0.8, recall: 0.5 },
  tier: 0.6
};

interface Labelled {
  text: string;
  tier: Tier;
  classes: SafetyClass[];
  /** `supporter`: someone writing to help others; flagging them as in crisis is a false alarm. */
  writer?: 'supporter';
}

const args = process.argv.slice(2);
const only = args.includes('--lang') ? args[args.indexOf('--lang') + 1] : undefined;
const show = args.includes('--show');
// `--app en`: read every set as the app in that language would (the words' language may differ).
const app = args.includes('--app') ? args[args.indexOf('--app') + 1] : undefined;
const isHoldout = (set: string) => /\.holdout\d*$/.test(set);
const dir = 'tests/fixtures/safety';
// Files are <lang>.<set>.jsonl: `dev` is what the rules were written against; `holdout` was
// written afterwards and never tuned against, so its figures are the honest estimate.
const sets = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => f.replace('.jsonl', ''))
  .filter((name) => !only || name.split('.')[0] === only)
  .sort();

let failed = false;
const fmt = (x: number) => (Number.isNaN(x) ? '  –  ' : x.toFixed(2));
/** Totals per language and split (development sets together, each held-out set alone). */
const totals = new Map<
  string,
  {
    counts: Map<SafetyClass, { tp: number; fp: number; fn: number }>;
    texts: number;
    supporters: number;
    flagged: number;
  }
>();
for (const set of sets) {
  const lang = set.split('.')[0]!;
  const rows = readFileSync(`${dir}/${set}.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Labelled);
  const counts = new Map<SafetyClass, { tp: number; fp: number; fn: number }>(
    SAFETY_CLASSES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }])
  );
  let crisisTexts = 0;
  let tierRight = 0;
  let tierWithinOne = 0;
  let supporters = 0;
  let supportersFlagged = 0;
  for (const row of rows) {
    const v = classify(row.text, app ?? lang);
    if (row.writer === 'supporter') {
      supporters++;
      if (v.tier !== 'none') supportersFlagged++;
    }
    for (const c of SAFETY_CLASSES) {
      const want = row.classes.includes(c);
      const got = v.classes.includes(c);
      const k = counts.get(c)!;
      if (want && got) k.tp++;
      else if (got) k.fp++;
      else if (want) k.fn++;
    }
    if (row.tier !== 'none') {
      crisisTexts++;
      if (v.tier === row.tier) tierRight++;
      if (v.tier !== 'none' && Math.abs(crisisRank(v.tier) - crisisRank(row.tier)) <= 1)
        tierWithinOne++;
    }
    const wrong = v.tier !== row.tier || v.classes.join() !== [...row.classes].sort().join();
    // Held-out disagreements are never printed: reading them is how a held-out set gets tuned on.
    if (show && wrong && !isHoldout(set))
      console.log(
        `  ${lang} want ${row.tier} [${row.classes.join(',')}] got ${v.tier} [${v.classes.join(',')}]: ${row.text}` +
          (v.evidence.length
            ? `\n      evidence: ${v.evidence.map((e) => `${e.rule} "${e.text}"`).join('; ')}`
            : '') +
          (v.setAside.length
            ? `\n      set aside: ${v.setAside.map((e) => `${e.rule} "${e.text}" (${e.because})`).join('; ')}`
            : '')
      );
  }
  const split = `${lang} ${isHoldout(set) ? set.split('.')[1]! : 'dev (all)'}`;
  const total = totals.get(split) ?? {
    counts: new Map(SAFETY_CLASSES.map((c) => [c, { tp: 0, fp: 0, fn: 0 }])),
    texts: 0,
    supporters: 0,
    flagged: 0
  };
  totals.set(split, total);
  total.texts += rows.length;
  total.supporters += supporters;
  total.flagged += supportersFlagged;
  for (const [c, k] of counts) {
    const t = total.counts.get(c)!;
    t.tp += k.tp;
    t.fp += k.fp;
    t.fn += k.fn;
  }
  console.log(
    `\n${set}${app ? ` (app in ${app})` : ''}: ${rows.length} labelled texts, ${crisisTexts} in crisis`
  );
  console.log('  class              precision  recall   n   floor');
  for (const c of SAFETY_CLASSES) {
    const k = counts.get(c)!;
    const n = k.tp + k.fn;
    if (n === 0 && k.fp === 0) continue;
    const precision = k.tp / (k.tp + k.fp);
    const recall = k.tp / n;
    const holdout = isHoldout(set);
    const floor = holdout
      ? c === 'crisis'
        ? HOLDOUT_FLOORS.crisis
        : HOLDOUT_FLOORS.other
      : FLOORS[c];
    // On a held-out set a class with fewer than 3 texts says too little to hold a floor.
    const floored = !holdout || c === 'crisis' || n >= 3;
    const below =
      floored &&
      n > 0 &&
      ((k.tp + k.fp > 0 && precision < floor.precision) || recall < floor.recall);
    const falseAlarms = n === 0 && k.fp > 0;
    if (below || falseAlarms) failed = true;
    console.log(
      `  ${c.padEnd(18)} ${fmt(precision).padStart(9)} ${fmt(recall).padStart(7)} ${String(n).padStart(4)}   ${floored ? `${floor.precision}/${floor.recall}` : '(n<3)'}${below || falseAlarms ? '  BELOW FLOOR' : ''}`
    );
  }
  const tierShare = crisisTexts ? tierRight / crisisTexts : 1;
  const tierFloor = isHoldout(set) ? HOLDOUT_FLOORS.tier : TIER_FLOOR;
  if (tierShare < tierFloor) failed = true;
  console.log(
    `  crisis tier exactly right: ${fmt(tierShare)} (floor ${tierFloor}); within one tier: ${fmt(crisisTexts ? tierWithinOne / crisisTexts : 1)}`
  );
  if (supporters)
    console.log(
      `  supportive writers flagged as in crisis: ${supportersFlagged}/${supporters} (${fmt(supportersFlagged / supporters)})`
    );
}
// Per language and split, every class: precision / recall (n texts labelled with the class).
console.log(`\nsummary${app ? ` (app in ${app})` : ''}: precision / recall (n) per class`);
console.log(
  `  ${'set'.padEnd(18)} ${SAFETY_CLASSES.map((c) => c.padEnd(18)).join('')}supporters flagged`
);
for (const [split, t] of [...totals].sort()) {
  const cells = SAFETY_CLASSES.map((c) => {
    const k = t.counts.get(c)!;
    const n = k.tp + k.fn;
    return (n || k.fp ? `${fmt(k.tp / (k.tp + k.fp))}/${fmt(k.tp / n)} (${n})` : '–').padEnd(18);
  }).join('');
  console.log(
    `  ${`${split} [${t.texts}]`.padEnd(18)} ${cells}${t.supporters ? `${t.flagged}/${t.supporters}` : '–'}`
  );
}
console.log(
  failed
    ? '\nsafety evaluation: below floor'
    : '\nsafety evaluation: every figure at or above its floor'
);
process.exit(failed ? 1 : 0);
