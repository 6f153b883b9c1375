import type { TransferError } from '$core/identity/transfer';
import type { ImportError } from '$lib/adapters/doc-protocol';
import type { VoteProgress } from '$core/group/explain';
import type { Execution, Proposal } from '$core/governance/state';
import type {
  KindName,
  ProposalKind,
  Reason,
  ReportReason,
  ResearchTable,
  Tier,
  VotingRules
} from '$core/governance/types';
import { m } from '$lib/paraglide/messages.js';
import { getLocale } from '$lib/paraglide/runtime.js';
import { num } from './basic-words';

export { num, passcodeProblemWords, pseudonymErrorWords, syncWords } from './basic-words';

/**
 * Plain words for what the ledger holds, in the reader's language [I18N-1]. Calm, short, no
 * jargon. The core speaks in codes; every sentence a person reads is made here or in a component.
 */

const KIND: Record<ProposalKind, () => string> = {
  admit: m.kind_admit,
  remove: m.kind_remove,
  tier: m.kind_tier,
  rules: m.kind_rules,
  moderation: m.kind_moderation,
  allocate: m.kind_allocate,
  partnership: m.kind_partnership,
  governance: m.kind_governance,
  general: m.kind_general,
  ratify: m.kind_ratify,
  research: m.kind_research,
  appeal: m.kind_appeal,
  retire: m.kind_retire
};
export const kindTitle = (k: ProposalKind): string => KIND[k]();

const TIER: Record<Tier, () => string> = {
  new: m.tier_new,
  regular: m.tier_regular,
  senior: m.tier_senior,
  leader: m.tier_leader
};
export const tierName = (t: Tier): string => TIER[t]();
const TIERS_PLURAL: Record<Tier, () => string> = {
  new: m.tier_new_plural,
  regular: m.tier_regular_plural,
  senior: m.tier_senior_plural,
  leader: m.tier_leader_plural
};
export const tierPlural = (t: Tier): string => TIERS_PLURAL[t]();

export function duration(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  if (days >= 1) return hours ? both(unit(days, 'day'), unit(hours, 'hour')) : unit(days, 'day');
  if (hours >= 1) return unit(hours, 'hour');
  return unit(Math.max(1, Math.ceil(seconds / 60)), 'minute');
}

/**
 * A number of days, hours or minutes in the reader's language, with its plural (Arabic has six
 * forms: "يومان", "6 أيام", "11 يومًا"), from the platform's own rules (`Intl`), not from our
 * sentences.
 */
const unitFormats = new Map<string, Intl.NumberFormat>();
function unit(n: number, u: 'day' | 'hour' | 'minute'): string {
  const key = `${getLocale()}:${u}`;
  let f = unitFormats.get(key);
  if (!f)
    unitFormats.set(
      key,
      (f = new Intl.NumberFormat(getLocale(), { style: 'unit', unit: u, unitDisplay: 'long' }))
    );
  return f.format(n);
}
const listFormats = new Map<string, Intl.ListFormat>();
function both(a: string, b: string): string {
  let f = listFormats.get(getLocale());
  if (!f)
    listFormats.set(getLocale(), (f = new Intl.ListFormat(getLocale(), { type: 'conjunction' })));
  return f.format([a, b]);
}

const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
/**
 * How long ago something came, in the reader's language ("5 minutes ago", "hace 2 horas",
 * "قبل ساعتين"), from seconds since the epoch [SAFE-30]. A time in the future (another phone's
 * clock running ahead) reads as now.
 */
export function agoWords(seconds: number, now: number): string {
  const locale = getLocale();
  let f = relativeFormats.get(locale);
  if (!f)
    relativeFormats.set(locale, (f = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })));
  const ago = Math.max(0, now - seconds);
  if (ago < 60) return f.format(0, 'second');
  if (ago < 3600) return f.format(-Math.floor(ago / 60), 'minute');
  if (ago < 86_400) return f.format(-Math.floor(ago / 3600), 'hour');
  return f.format(-Math.floor(ago / 86_400), 'day');
}

/** Date formatters by language and style, made once (lists format many dates). */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateFormat(style: 'date' | 'date-year' | 'date-time'): Intl.DateTimeFormat {
  const locale = getLocale();
  const key = `${locale}|${style}`;
  let f = dateFormats.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      style === 'date-time'
        ? { day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }
        : { day: 'numeric', month: 'long', ...(style === 'date-year' ? { year: 'numeric' } : {}) };
    dateFormats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  }
  return f;
}

export function dateWords(seconds: number, withYear = false): string {
  return dateFormat(withYear ? 'date-year' : 'date').format(new Date(seconds * 1000));
}

/**
 * When something was written, as people say it [PUSH-17]: "5 minutes ago", "yesterday" within a
 * week, the date after that. `now` and `seconds` are seconds since 1970.
 */
export function whenWords(seconds: number, now: number): string {
  return now - seconds < 7 * 86_400 ? agoWords(seconds, now) : dateWords(seconds);
}

/** A day and a time of day, for things that end within days (a paused posting). */
export function dateTimeWords(seconds: number): string {
  return dateFormat('date-time').format(new Date(seconds * 1000));
}

export function progressWords(p: Proposal, v: VoteProgress): string[] {
  if (p.status !== 'voting') return [p.status === 'passed' ? m.tally_passed() : m.tally_failed()];
  // In people, not weights: a one-member group reads "1 of 1", never "0 of 3 … 2 more needed".
  const lines = [m.tally_participation({ voted: num(v.voted), members: num(v.members) })];
  lines.push(
    v.quorumNeeded > 0
      ? m.tally_quorum_needed({ people: num(v.quorumPeople), quorum: num(p.rules.quorum) })
      : m.tally_quorum_reached()
  );
  if (p.rules.method === 'consent')
    lines.push(v.passingNow ? m.tally_consent_passing() : m.tally_consent_rule());
  else
    lines.push(
      v.passingNow
        ? m.tally_would_pass()
        : v.yesPeople === null
          ? m.tally_cannot_pass()
          : v.yesNeeded > 0
            ? m.tally_yes_needed({ people: num(v.yesPeople), threshold: num(p.rules.threshold) })
            : m.tally_would_fail()
    );
  lines.push(
    v.secondsLeft > 0 ? m.tally_closes_in({ time: duration(v.secondsLeft) }) : m.tally_time_over()
  );
  return lines;
}

/** Why an entry was not applied, in plain words (the activity log). */
const REASON: Partial<Record<Reason, () => string>> = {
  'bad-signature': m.reason_bad_signature,
  'bad-payload': m.reason_bad_payload,
  'missing-prev': m.reason_missing_prev,
  equivocation: m.reason_equivocation,
  'unknown-author': m.reason_unknown_author,
  'not-member-yet': m.reason_not_member_yet,
  removed: m.reason_removed,
  'removed-concurrently': m.reason_removed_concurrently,
  'lost-power': m.reason_lost_power,
  'already-member': m.reason_already_member,
  'already-applied': m.reason_already_applied,
  'tier-too-low': m.reason_tier_too_low,
  'probation-restricted': m.reason_probation_restricted,
  'not-leader': m.reason_not_leader,
  'unknown-proposal': m.reason_unknown_proposal,
  'not-in-electorate': m.reason_not_in_electorate,
  'after-close': m.reason_after_close,
  'already-closed': m.reason_already_closed,
  'not-decided': m.reason_not_decided,
  'unknown-target': m.reason_unknown_target,
  'bad-invite-proof': m.reason_bad_invite_proof,
  'invite-expired': m.reason_invite_expired,
  'invite-revoked': m.reason_invite_revoked,
  'invite-used': m.reason_invite_used,
  superseded: m.reason_superseded,
  'not-counted': m.reason_not_counted,
  muted: m.reason_muted,
  'rotation-not-due': m.reason_rotation_not_due,
  'unknown-epoch': m.reason_unknown_epoch,
  'stale-epoch': m.reason_stale_epoch,
  'not-mentoring': m.reason_not_mentoring,
  'wrong-key': m.reason_wrong_key,
  'box-for-outsider': m.reason_box_for_outsider,
  'not-moderator': m.reason_not_moderator,
  'not-responder': m.reason_not_responder,
  retired: m.reason_retired,
  'retiring-device': m.reason_retiring_device
};

const REPORT_REASON: Record<ReportReason, () => string> = {
  harassment: m.mod_reason_harassment,
  'harmful-advice': m.mod_reason_harmful_advice,
  spam: m.mod_reason_spam,
  'personal-details': m.mod_reason_personal_details,
  'unsafe-content': m.mod_reason_unsafe_content,
  'off-topic': m.mod_reason_off_topic,
  other: m.mod_reason_other
};
/** Why a post was reported or moderated, in the reader's words [SAFE-17]. */
export const reportReasonWords = (r: ReportReason): string => REPORT_REASON[r]();

export function reasonWords(r: Reason | null): string {
  return r ? (REASON[r]?.() ?? r.replace(/-/g, ' ')) : '';
}

/** Every ledger kind's name in words: a kind without its words does not compile. */
const ENTRY: Record<KindName, () => string> = {
  Genesis: m.entry_genesis,
  DeviceAdd: m.entry_device_add,
  DeviceRemove: m.entry_device_remove,
  Apply: m.entry_apply,
  Propose: m.entry_propose,
  Ballot: m.entry_ballot,
  Delegate: m.entry_delegate,
  RevokeDelegation: m.entry_revoke_delegation,
  Comment: m.entry_comment,
  Close: m.entry_close,
  Outcome: m.entry_outcome,
  Mentor: m.entry_mentor,
  Helped: m.entry_helped,
  Emergency: m.entry_emergency,
  Settings: m.entry_settings,
  Lockboxes: m.entry_lockboxes,
  Invite: m.entry_invite,
  RevokeInvite: m.entry_revoke_invite,
  Profile: m.entry_profile,
  Thread: m.entry_thread,
  Consent: m.entry_consent,
  Mute: m.entry_mute,
  KeyReport: m.entry_key_report,
  Push: m.entry_push
};
/** Why a `.hearth` file was not taken in [SNK-3], calmly. */
export function bundleErrorWords(e: ImportError): string {
  const words: Record<ImportError, () => string> = {
    'not-a-bundle': m.snk_err_not_bundle,
    'newer-version': m.snk_err_newer,
    truncated: m.snk_err_truncated,
    corrupt: m.snk_err_corrupt,
    'too-large': m.snk_err_too_large,
    foreign: m.snk_err_foreign,
    'not-a-group': m.snk_err_not_bundle,
    'needs-earlier': m.snk_err_needs_earlier,
    'bad-entries': m.snk_err_bad_entries,
    tampered: m.snk_err_tampered
  };
  return words[e]();
}

/** What a study may receive [RES-1], in the reader's words. */
export function researchTableWords(t: ResearchTable): string {
  const words: Record<ResearchTable, () => string> = {
    document: m.rt_document,
    proposals: m.rt_proposals,
    ballots: m.rt_ballots,
    memberships: m.rt_memberships,
    moderation: m.rt_moderation,
    engagement: m.rt_engagement
  };
  return words[t]();
}

export const entryWords = (kind: string): string =>
  (ENTRY as Partial<Record<string, () => string>>)[kind]?.() ?? kind;

/** What a passed proposal did [GOV-8], in the reader's words. */
export function executionWords(x: Execution): string {
  const words: Record<Execution['code'], () => string> = {
    admitted: m.exec_admitted,
    'already-member': m.exec_already_member,
    'not-admitted': m.exec_not_admitted,
    removed: m.exec_removed,
    'already-removed': m.exec_already_removed,
    'not-member': m.exec_not_member,
    tier: () => m.exec_tier({ tier: x.tier ? tierName(x.tier) : '' }),
    rules: () => m.exec_rules({ version: num(x.version ?? 0) }),
    moderation: m.exec_moderation,
    points: () => m.exec_points({ points: num(x.points ?? 0) }),
    'not-paid': m.exec_not_paid,
    'history-open': m.exec_history_open,
    'history-closed': m.exec_history_closed,
    'voting-rules': () => m.exec_voting_rules({ kind: x.kind ? kindTitle(x.kind) : '' }),
    ratified: m.exec_ratified,
    research: m.exec_research,
    'appeal-upheld': m.exec_appeal_upheld,
    retired: m.exec_retired,
    'not-retired': m.exec_not_retired,
    recorded: m.exec_recorded
  };
  const key = x.newEpoch !== undefined ? ` ${m.exec_new_key()}` : '';
  return words[x.code]() + key;
}

/** Why reputation was earned (the reducer's fixed phrases). */
export function earnedWords(text: string): string {
  const known: Record<string, () => string> = {
    mentoring: m.earned_mentoring,
    'marked as helpful': m.earned_helpful,
    'emergency action ratified': m.earned_ratified,
    'proposal passed': m.earned_proposal,
    'starting treasury': m.earned_starting_treasury
  };
  return known[text]?.() ?? text;
}

/** Why a backup or link text can't be used [ID-5]. */
export function transferErrorWords(e: TransferError): string {
  return {
    'not-hearth': m.transfer_not_hearth,
    damaged: m.transfer_damaged,
    'too-new': m.transfer_too_new
  }[e]();
}

/** How one kind of decision is made, in a sentence [GOV-2]. */
export function rulesWords(r: VotingRules): string {
  const who = r.electorate.map(tierPlural).join(', ');
  const days = Math.round(r.period / 86_400);
  const how =
    r.method === 'consent' ? m.rules_consent() : m.rules_majority({ threshold: num(r.threshold) });
  return m.rules_sentence({ who, quorum: num(r.quorum), how, days: duration(days * 86_400) });
}
