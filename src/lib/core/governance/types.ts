/** Membership tiers, lowest to highest [TIER-1]. */
export const TIERS = ['new', 'regular', 'senior', 'leader'] as const;
export type Tier = (typeof TIERS)[number];
export const tierRank = (t: Tier): number => TIERS.indexOf(t);

/** Proposal kinds [GOV-1]. */
export const PROPOSAL_KINDS = [
  'admit',
  'remove',
  'tier',
  'rules',
  'moderation',
  'allocate',
  'partnership',
  'governance',
  'general',
  'ratify',
  'research',
  'appeal',
  'retire'
] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/** Entry kinds; the number is what is stored in the body [LED-3]. */
export const Kind = {
  Genesis: 0,
  DeviceAdd: 1,
  DeviceRemove: 2,
  Apply: 3,
  Propose: 4,
  Ballot: 5,
  Delegate: 6,
  RevokeDelegation: 7,
  Comment: 8,
  Close: 9,
  Outcome: 10,
  Mentor: 11,
  Helped: 12,
  Emergency: 13,
  Settings: 14,
  Lockboxes: 15,
  Invite: 16,
  RevokeInvite: 17,
  Profile: 18,
  /** A support thread: its own document, listed in the ledger [SPACE-1]. */
  Thread: 19,
  /** A member's consent to research export, or their opt-out [RES-2]. */
  Consent: 24,
  /** A moderator mutes a member for a period, or lifts it (duration 0) [SAFE-22]. */
  Mute: 25,
  /** A device says its lockboxes for the current key epoch open nothing [ENC-10]. */
  KeyReport: 26,
  /** A device's push handle for this group and key epoch, sealed for members [PUSH-14]. */
  Push: 27
} as const;

/** What a research study may receive [RES-1]: the tables of an export, and the document. */
export const RESEARCH_TABLES = [
  'document',
  'proposals',
  'ballots',
  'memberships',
  'moderation',
  'engagement'
] as const;
export type ResearchTable = (typeof RESEARCH_TABLES)[number];

/** Kinds that live in a thread's own document, never in the group ledger [SPACE-2]. */
export const SpaceKind = { Post: 20, React: 21, Report: 22, Moderate: 23 } as const;
/** Why a post is reported or moderated: codes, never content [SAFE-17]. */
export const REPORT_REASONS = [
  'harassment',
  'harmful-advice',
  'spam',
  'personal-details',
  'unsafe-content',
  'off-topic',
  'other'
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];
/** What a moderator can do to a post [SAFE-18]. */
export const MODERATION_ACTS = ['remove', 'hide', 'warn', 'reinstate'] as const;
export type ModerationAct = (typeof MODERATION_ACTS)[number];
export const REACTIONS = ['heart', 'hug', 'same'] as const;
export type Reaction = (typeof REACTIONS)[number];
export type KindName = keyof typeof Kind;

export type VotingMethod = 'majority' | 'consent';

/** How one kind of proposal is decided [GOV-2]. Percentages are whole numbers. */
export interface VotingRules {
  method: VotingMethod;
  /** Tiers that may vote. */
  electorate: Tier[];
  /** Participation needed, as a percentage of the electorate's total weight (abstentions count). */
  quorum: number;
  /** For majority: yes must exceed this percentage of yes + no. Unused for consent. */
  threshold: number;
  /** Voting period in seconds. */
  period: number;
}

export type GovernanceSettings = Record<ProposalKind, VotingRules>;

/**
 * Reasons about an entry's form (bytes, signature, chain), not a governance rule: such an entry
 * is nobody's act (a research export leaves it out, RES-5).
 */
export const FORM_REASONS = [
  'too-large',
  'bad-envelope',
  'bad-body',
  'bad-signature',
  'unknown-kind',
  'bad-payload',
  'missing-prev',
  'bad-seq',
  'bad-backlink',
  'equivocation',
  'frozen-device'
] as const;

/** Every reason an entry can be ignored. The audit list shows one of these for each entry. */
export const REASONS = [
  ...FORM_REASONS,
  'time-goes-backwards',
  'genesis-invalid',
  'no-genesis',
  'unknown-author',
  'not-member-yet',
  'removed',
  'removed-concurrently',
  'lost-power',
  'already-member',
  'already-applied',
  'tier-too-low',
  'probation-restricted',
  'self-promotion',
  'not-leader',
  'unknown-proposal',
  'proposal-not-in-past',
  'not-in-electorate',
  'after-close',
  'already-closed',
  'not-decided',
  'unknown-target',
  'not-own-device',
  'bad-proof',
  'self-mark',
  'duplicate-mark',
  'muted',
  'mutual-removal-seniority',
  'superseded',
  'not-counted',
  'rotation-not-due',
  'unknown-epoch',
  'stale-epoch',
  'not-mentoring',
  'wrong-key',
  'box-for-outsider',
  'bad-invite-proof',
  'invite-expired',
  'invite-revoked',
  'invite-used',
  'not-moderator',
  'not-responder',
  'retired',
  'retiring-device'
] as const;
export type Reason = (typeof REASONS)[number];
