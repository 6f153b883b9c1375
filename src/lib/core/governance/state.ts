import type {
  GovernanceSettings,
  ProposalKind,
  Reason,
  ReportReason,
  ResearchTable,
  Tier,
  VotingRules
} from './types';
import type { ChannelPurpose, ProposalBody } from './kinds';
import type { Text } from './text';

export interface Member {
  /** Identity: hex of the member's first device key. */
  id: string;
  tier: Tier;
  /** Vote weight of the tier [GOV-3]. */
  weight: number;
  /** Entry that admitted the member (genesis for founders, the closing entry for admissions). */
  admittedBy: string;
  /** Group time (seconds) at admission. */
  admittedAt: number;
  /** Group time when probation ends, for members admitted as 'new'. */
  probationEnd: number | null;
  mentor: string | null;
  status: 'active' | 'removed';
  removedBy: string | null;
  /** Position of the admission in the causal order: lower is more senior [GOV-9]. */
  seniority: number;
  devices: string[];
  x25519: Record<string, string>;
  /** (entry, tier) in causal order: the tier each entry set. */
  tierHistory: { entry: string; tier: Tier }[];
}

export interface Application {
  id: string;
  applicant: string;
  motivation: Text;
  /** The name the applicant gave, if any. */
  name: Text | null;
  x25519: string;
  status: 'open' | 'admitted' | 'declined';
  /** The invite the applicant proved they hold, or null for an uninvited application. */
  invite: string | null;
}

/** An invitation [INV-1]: the public half of the key derived from the secret in the link. */
export interface Invite {
  id: string;
  by: string;
  key: string;
  expires: number;
  singleUse: boolean;
  usedBy: string[];
  revokedBy: string | null;
  /** The invitation secret, sealed for members, so they can read applicants' words [INV-4]. */
  secret: Text | null;
  /** The sealed card (hex): the group's name, description and rules summary [INV-5]. */
  card: string | null;
}

export interface BallotRecord {
  entry: string;
  member: string;
  choice: 0 | 1 | 2;
  reason: Text | null;
}

export interface Tally {
  /** Weighted sums. For consent, `no` holds objections and `yes` consents. */
  yes: number;
  no: number;
  abstain: number;
  electorateWeight: number;
  participation: number;
  quorumReached: boolean;
  passed: boolean;
  /** Members whose weight went to a delegate's ballot. */
  delegated: string[];
  counted: string[];
}

export interface Proposal {
  id: string;
  author: string;
  body: ProposalBody;
  kind: ProposalKind;
  /** Voting rules as they were at the proposal's causal point [GOV-4]. */
  rules: VotingRules;
  /** Member → weight, fixed at the proposal's causal point. */
  electorate: Record<string, number>;
  start: number;
  deadline: number;
  status: 'voting' | 'passed' | 'failed';
  ballots: BallotRecord[];
  comments: number;
  closedBy: string | null;
  tally: Tally | null;
  /** What the reducer did when the proposal passed [GOV-8]. */
  execution: Execution | null;
  outcome: { text: Text; review: number; entry: string } | null;
}

/**
 * What a passed proposal did [GOV-8], as a code the screens put in the reader's words
 * (`describeExecution` says it in English for the CLI and logs).
 */
export interface Execution {
  code:
    | 'admitted'
    | 'already-member'
    | 'not-admitted'
    | 'removed'
    | 'already-removed'
    | 'not-member'
    | 'tier'
    | 'rules'
    | 'moderation'
    | 'points'
    | 'not-paid'
    | 'history-open'
    | 'history-closed'
    | 'voting-rules'
    | 'ratified'
    | 'research'
    | 'appeal-upheld'
    | 'retired'
    | 'not-retired'
    | 'recorded';
  tier?: Tier;
  version?: number;
  points?: number;
  kind?: ProposalKind;
  /** The key epoch a removal's close started [ENC-6]. */
  newEpoch?: number;
  /** Why the lockboxes a close carried were not used. */
  lockboxesRefused?: Reason;
}

/** An Execution in plain English (CLI, logs, tests). */
export function describeExecution(x: Execution): string {
  const words: Record<Execution['code'], string> = {
    admitted: 'admitted as a new member',
    'already-member': 'already a member',
    'not-admitted': 'not admitted: the application did not follow the removal',
    removed: 'removed from the group',
    'already-removed': 'already removed',
    'not-member': 'not a member any more',
    tier: `tier is now ${x.tier}`,
    rules: `rules are now version ${x.version}`,
    moderation: 'moderation policy adopted',
    points: `${x.points} points allocated`,
    'not-paid': 'not paid: the treasury has too few points',
    'history-open': 'newcomers may now be given the keys to earlier messages',
    'history-closed': 'earlier messages stay closed to newcomers',
    'voting-rules': `voting rules for ${x.kind} changed`,
    ratified: 'emergency action ratified',
    research: 'research export allowed',
    'appeal-upheld': 'the decision appealed against is undone',
    retired: 'the leaked key no longer counts; the member keeps their other devices',
    'not-retired': 'nothing retired: none of the devices to keep is the member’s',
    recorded: 'decision recorded'
  };
  return (
    words[x.code] +
    (x.lockboxesRefused ? ` (lockboxes not used: ${x.lockboxesRefused})` : '') +
    (x.newEpoch !== undefined ? `; new key epoch ${x.newEpoch}` : '')
  );
}

export interface PointsRecord {
  total: number;
  entries: { entry: string; points: number; why: Text }[];
}

export interface EmergencyAction {
  id: string;
  by: string;
  action: 'hide' | 'mute';
  target: string;
  reason: Text;
  start: number;
  expiresAt: number;
  ratifiedBy: string | null;
  /** The appeal that lifted it, ratified or not [SAFE-23]. */
  liftedBy: string | null;
  status: 'active' | 'expired' | 'ratified' | 'lifted';
}

/** One group key epoch [ENC-4]: which key (by id) and who holds a lockbox for it. */
export interface Epoch {
  number: number;
  /** Hex of the 8-byte key id named by the entry that defined the epoch. */
  keyId: string;
  definedBy: string;
  /** device → lockboxes (hex), in causal order; a device tries each until one opens. */
  lockboxes: Record<string, { entry: string; sealed: string }[]>;
}

/** A support thread [SPACE-1]: its posts live in their own document (`doc`). */
export interface ThreadRecord {
  id: string;
  by: string;
  doc: string;
  title: Text;
  topic: Text;
  /** A content warning; readers see the thread's posts blurred until they choose to open them. */
  cw: Text | null;
  time: number;
  /**
   * A private channel: only these members' devices hold its key. A mentor and mentee [SPACE-4], a
   * member and the responders they asked to check in [SAFE-24], or a member and the supporters
   * they share their safety plan with [SAFE-25]. The member who opened it comes first.
   */
  private: {
    purpose: ChannelPurpose;
    members: string[];
    nonce: string;
    keyId: string;
    boxes: Record<string, string>;
  } | null;
}

/** A moderator's mute of a member [SAFE-22]: no posts, replies or comments until `until`. */
export interface MuteRecord {
  id: string;
  member: string;
  by: string;
  reason: ReportReason;
  /** A note to the member, sealed. */
  note: Text | null;
  /** When the mute began: the mute entry's time. */
  start: number;
  until: number;
  /** The appeal (a passed proposal) or the later mute entry that lifted it. */
  liftedBy: string | null;
}

/** The group's moderation settings, changed only by a 'moderation' proposal [SAFE-21]. */
export interface SafetySettings {
  /** Reports from this many members hide a post pending review. */
  reportThreshold: number;
  /** Members named as peer moderators (leaders and the senior tier moderate anyway). */
  moderators: string[];
  /** Members named as responders to check-in requests (leaders respond anyway). */
  responders: string[];
  /** Minutes before an unanswered check-in request shows the asker their crisis lines again. */
  checkInWaitMinutes: number;
  /** Hours without a reply before a post joins the responders' quiet queue. */
  unansweredHours: number;
}

/** A study the group allowed by vote [RES-1]: what it may receive, and until when. */
export interface Study {
  /** The proposal that allowed it. */
  id: string;
  /** Which study, in the proposer's words. */
  study: Text;
  tables: ResearchTable[];
  /** Group time (seconds) after which nothing may be exported for it. */
  until: number;
  /** Group time when the vote closed, and the closing entry. */
  approvedAt: number;
  approvedBy: string;
}

/** A member's own word on research export [RES-2]: the latest in causal order counts. */
export interface ConsentChoice {
  consent: boolean;
  entry: string;
  time: number;
  /** Position in the causal order: between a study's choice and the all-studies one, the later counts. */
  order: number;
}

export interface AuditRecord {
  id: string;
  kind: string;
  author: string | null;
  verdict: 'applied' | 'ignored' | 'waiting';
  reason: Reason | null;
  /** When its author says it was written (made monotone along their device's chain); null when unreadable. */
  time: number | null;
}

export interface GroupState {
  groupId: string;
  name: Text;
  category: Text;
  description: Text;
  founder: string | null;
  /** The group's clock: second-highest latest time claimed by any member (seconds) [TIME-1]. */
  groupTime: number;
  members: Record<string, Member>;
  applications: Record<string, Application>;
  invites: Record<string, Invite>;
  rules: {
    text: Text;
    version: number;
    history: { version: number; text: Text; entry: string }[];
  };
  moderationPolicy: Text;
  settings: GovernanceSettings;
  proposals: Record<string, Proposal>;
  reputation: Record<string, PointsRecord>;
  points: Record<string, PointsRecord>;
  treasury: {
    balance: number;
    ledger: { entry: string; amount: number; to: string | null; why: Text }[];
  };
  emergencies: Record<string, EmergencyAction>;
  /** member → the display name they chose last (causal order) [ID-4]. */
  profiles: Record<string, { name: Text; entry: string }>;
  /** device → its latest push handle for this group, sealed (with the relay to wake it) [PUSH-14]. */
  push: Record<string, { handle: Text; entry: string }>;
  /** member → scope → delegate. */
  delegations: Record<string, Partial<Record<ProposalKind | 'all', string>>>;
  hidden: string[];
  /** Support threads by the id of the entry that opened them [SPACE-1]. */
  threads: Record<string, ThreadRecord>;
  /** Key epochs; the current one is the highest defined [ENC-4]. */
  epochs: Record<number, Epoch>;
  currentEpoch: number;
  /** A removal (or the start of the group) needs a new epoch before anyone writes new text. */
  rotationDue: boolean;
  /** Whether the group voted to let newcomers receive keys of earlier epochs [ENC-8]. */
  shareHistory: boolean;
  /** Studies allowed by vote, and each member's consents and opt-outs [RES-1, RES-2]. */
  /** Report threshold, named moderators and responders [SAFE-21]. */
  safety: SafetySettings;
  /** The latest mute of each member, by member id [SAFE-22]. */
  mutes: Record<string, MuteRecord>;
  /**
   * Devices the group retired (a leaked key) [ID-7]: device → its member and the closing entry.
   * Nothing they sign counts again, and they are never added again.
   */
  retired: Record<string, { member: string; by: string }>;
  /** Moderators' decisions undone on appeal: decision entry id → the closing entry [SAFE-23]. */
  overturned: Record<string, string>;
  research: {
    studies: Record<string, Study>;
    choices: Record<string, { all: ConsentChoice | null; studies: Record<string, ConsentChoice> }>;
  };
  audit: AuditRecord[];
  heads: string[];
}
