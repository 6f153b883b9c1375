import type { GovernanceSettings, Tier, VotingRules } from './types';

const DAY = 24 * 60 * 60;
const ALL: Tier[] = ['new', 'regular', 'senior', 'leader'];
const FULL: Tier[] = ['regular', 'senior', 'leader'];

const majority = (
  electorate: Tier[],
  quorum: number,
  threshold: number,
  days: number
): VotingRules => ({
  method: 'majority',
  electorate,
  quorum,
  threshold,
  period: days * DAY
});

/**
 * Defaults a group starts with and may change by a 'governance' proposal [GOV-2]. New members
 * (probation) vote only on basic matters: general decisions and amending the rules they live by.
 */
export const DEFAULT_SETTINGS: GovernanceSettings = {
  admit: majority(FULL, 50, 50, 7),
  remove: majority(FULL, 60, 66, 7),
  tier: majority(FULL, 50, 60, 7),
  rules: majority(ALL, 50, 66, 7),
  moderation: { method: 'consent', electorate: FULL, quorum: 50, threshold: 0, period: 5 * DAY },
  allocate: majority(FULL, 50, 50, 7),
  partnership: majority(FULL, 50, 66, 14),
  governance: majority(FULL, 60, 66, 14),
  general: majority(ALL, 40, 50, 7),
  ratify: majority(FULL, 40, 50, 3),
  // Research concerns everyone's data: every member votes, newcomers too [RES-1].
  research: majority(ALL, 60, 66, 14),
  // An appeal against a moderator's decision: quick, and the members decide [SAFE-23].
  appeal: majority(FULL, 40, 50, 3),
  // Retiring a leaked key: quick, since whoever holds it acts as the member meanwhile [ID-7].
  retire: majority(FULL, 40, 50, 3)
};

/** Devices a retirement may keep for the member [ID-7]. */
export const MAX_KEEP = 8;

/** The longest a moderator may mute a member for [SAFE-22]. */
export const MAX_MUTE_SECONDS = 30 * DAY;
/** Report thresholds a group may choose [SAFE-21]. */
export const MAX_REPORT_THRESHOLD = 50;
/**
 * How long a check-in request may wait before the person who asked is shown their crisis lines
 * again, in minutes (5 minutes to a day) [SAFE-30].
 */
export const MIN_CHECKIN_WAIT_MINUTES = 5;
export const MAX_CHECKIN_WAIT_MINUTES = 24 * 60;
/** After how many hours without a reply a post joins the responders' quiet queue [SAFE-31]. */
export const MIN_UNANSWERED_HOURS = 1;
export const MAX_UNANSWERED_HOURS = 7 * 24;
/** Members a group may name as moderators or responders, and members of one private channel. */
export const MAX_NAMED = 64;

/** Vote weight by tier [GOV-3]. */
export const TIER_WEIGHT: Record<Tier, number> = { new: 1, regular: 2, senior: 3, leader: 3 };

export const PROBATION_SECONDS = 30 * DAY;
/**
 * How far ahead of the witnessed time an author's own claimed time may count where a rule needs
 * the time of the act itself (a mute's start, a thread decision's order) [TIME-2]: further ahead
 * is clamped, so a lie buys at most this much.
 */
export const MAX_AHEAD_SECONDS = 7 * DAY;
export const MAX_EMERGENCY_SECONDS = 3 * DAY;
export const MAX_TEXT = 4000;
