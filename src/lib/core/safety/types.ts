/**
 * What the on-device safety check says about a text [SAFE-1]. It only ever *offers help* and
 * *brings a human in*: nothing here hides, blocks or punishes anyone.
 */

/**
 * Crisis tiers, in rising order, after the Columbia Suicide Severity Rating Scale (C-SSRS):
 * a passive wish to be dead, active thoughts of suicide, thoughts with a method, a plan or
 * intent, and behaviour (an attempt, preparation, or self-harm happening now).
 */
export const TIERS = ['none', 'passive', 'active', 'method', 'plan', 'behaviour'] as const;
export type Tier = (typeof TIERS)[number];

/**
 * - `crisis`: the writer's own suicidal thoughts or behaviour (any tier above none).
 * - `self-harm`: the writer hurting themself or wanting to (also raises the tier).
 * - `harassment`: abuse aimed at someone else ("kill yourself"), never a crisis.
 * - `harmful-advice`: method details, pro-eating-disorder tips, "stop your meds".
 * - `spam`: advertising, scams, link farms.
 * - `personal-details`: phone numbers, e-mail or street addresses, social handles — things that
 *   would break someone's anonymity.
 */
export const SAFETY_CLASSES = [
  'crisis',
  'self-harm',
  'harassment',
  'harmful-advice',
  'spam',
  'personal-details'
] as const;
export type SafetyClass = (typeof SAFETY_CLASSES)[number];

/** Why a match was set aside instead of counted. */
export type Discount =
  | 'negated'
  | 'quoted'
  | 'past'
  | 'idiom'
  | 'someone-else'
  | 'reported'
  /** Something done, said as something wanted: "I want to cut myself" is not "I cut myself". */
  | 'intention'
  /** Someone else's experience, understood: "I know what it's like to want to die". */
  | 'supporting'
  /** A single sign of spam, or words that count only alongside crisis language, alone. */
  | 'too-weak';

export interface Evidence {
  class: SafetyClass;
  /** For crisis and self-harm: the tier this match points to. */
  tier?: Tier;
  /** The rule that matched, e.g. `en.active.kill-myself`. */
  rule: string;
  /** The matched words as written, and where (UTF-16 offsets into the input). */
  text: string;
  start: number;
  end: number;
}

export interface SetAside extends Evidence {
  because: Discount;
}

export interface Verdict {
  tier: Tier;
  classes: SafetyClass[];
  evidence: Evidence[];
  /** Matches that did not count, with the reason (for explanations and tests). */
  setAside: SetAside[];
}

/** A crisis tier's rank (not a member tier's: that is governance's `tierRank`). */
export const crisisRank = (t: Tier): number => TIERS.indexOf(t);
export const higherTier = (a: Tier, b: Tier): Tier => (crisisRank(a) >= crisisRank(b) ? a : b);
