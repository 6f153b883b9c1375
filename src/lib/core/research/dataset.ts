import { decodeEntry, type Entry } from '../ledger/envelope';
import { parsePayload, type Payload } from '../governance/kinds';
import type { GroupState } from '../governance/state';
import {
  type ModerationAct,
  type ProposalKind,
  type ReportReason,
  type Tier
} from '../governance/types';
import type { ThreadContent } from '../space/thread';

/**
 * The facts research and health metrics are made of, read from a derived group state, its
 * envelopes and (optionally) its support threads [RES-5]. Exact and with real member ids: this
 * never leaves the device; the export pseudonymizes, suppresses and adds noise to it, and the
 * app's health charts show it to the group's own members.
 */

export const ACTIVITIES = [
  'proposed',
  'voted',
  'commented',
  'helped',
  'posted',
  'reacted',
  'reported'
] as const;
export type Activity = (typeof ACTIVITIES)[number];

export interface MemberFacts {
  id: string;
  tier: Tier;
  status: 'active' | 'removed';
  /** Group time at admission (seconds). */
  joined: number;
  /** Time of the removal, or null. */
  left: number | null;
}

export interface Spell {
  member: string;
  tier: Tier;
  start: number;
  /** Null while it lasts. */
  end: number | null;
  /** How the spell ended: promoted, demoted, removed, or null while it lasts. */
  ended: 'promoted' | 'demoted' | 'removed' | null;
}

export interface ProposalFacts {
  id: string;
  kind: ProposalKind;
  author: string;
  start: number;
  deadline: number;
  /** Time of the close, or null while voting. */
  closed: number | null;
  status: 'voting' | 'passed' | 'failed';
  execution: string | null;
  /** Members who could vote (fixed at the proposal). */
  electorate: string[];
  /** Each voter's last ballot. */
  ballots: { member: string; choice: 'yes' | 'no' | 'abstain'; time: number }[];
}

export interface ModerationFacts {
  source: 'thread' | 'emergency';
  action: ModerationAct | 'emergency-hide' | 'emergency-mute';
  reason: ReportReason | 'emergency';
  time: number;
  /** For emergencies: ratified by a vote, expired, or still active. */
  status: 'decided' | 'ratified' | 'expired' | 'active';
}

export interface DisputeFacts {
  kind: 'reported-post' | 'emergency';
  opened: number;
  /** When a moderator decided or the group ratified; null while open. */
  resolved: number | null;
}

export interface Dataset {
  /** Start of the group (genesis time) and the time the facts were read at. */
  start: number;
  now: number;
  members: MemberFacts[];
  spells: Spell[];
  proposals: ProposalFacts[];
  moderation: ModerationFacts[];
  disputes: DisputeFacts[];
  /** One row per thing a member did. */
  activity: { member: string; time: number; what: Activity }[];
  /** Applications that led to a member: applied and admitted times. */
  admissions: { member: string; applied: number; admitted: number }[];
}

export interface DecodedEntry {
  entry: Entry;
  payload: Payload | undefined;
}

/** Decodes the envelopes once: id → entry and typed payload (undefined when unreadable). */
export function decodeAll(entries: Iterable<Uint8Array>): Map<string, DecodedEntry> {
  const out = new Map<string, DecodedEntry>();
  for (const bytes of entries) {
    const d = decodeEntry(bytes);
    if (!d.ok) continue;
    const e = d.entry;
    out.set(e.id, {
      entry: e,
      payload: parsePayload(e.kind, e.payload, { author: e.device, seq: e.seq, kind: e.kind })
    });
  }
  return out;
}

const CHOICE = ['no', 'yes', 'abstain'] as const;

/**
 * The facts, from a state and the claimed time of each entry by id: the app passes its ledger's
 * entries (already decoded), an export the envelopes it decoded once.
 */
export function buildDataset(o: {
  state: GroupState;
  timeOf: (id: string) => number | undefined;
  threads?: { thread: string; content: ThreadContent }[];
  now: number;
}): Dataset {
  const { state } = o;
  const timeOf = (id: string | null | undefined): number | null =>
    id ? (o.timeOf(id) ?? null) : null;
  const genesis = state.audit.find((a) => a.kind === 'Genesis' && a.verdict === 'applied');
  const members: MemberFacts[] = Object.values(state.members)
    .map((m) => ({
      id: m.id,
      tier: m.tier,
      status: m.status,
      joined: m.admittedAt,
      left: m.status === 'removed' ? (timeOf(m.removedBy) ?? m.admittedAt) : null
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));

  const spells: Spell[] = [];
  for (const m of Object.values(state.members)) {
    const h = m.tierHistory;
    for (let i = 0; i < h.length; i++) {
      const start = i === 0 ? m.admittedAt : (timeOf(h[i]!.entry) ?? m.admittedAt);
      const next = h[i + 1];
      const left = m.status === 'removed' ? (timeOf(m.removedBy) ?? null) : null;
      const end = next ? (timeOf(next.entry) ?? start) : left;
      const ended = next
        ? TIER_ORDER.indexOf(next.tier) > TIER_ORDER.indexOf(h[i]!.tier)
          ? 'promoted'
          : 'demoted'
        : left !== null
          ? 'removed'
          : null;
      spells.push({ member: m.id, tier: h[i]!.tier, start, end, ended });
    }
    // Probation ends by the clock, not by an entry: the state shows 'regular' with no entry.
    const last = h[h.length - 1];
    if (last && last.tier === 'new' && m.tier === 'regular' && m.probationEnd !== null) {
      const s = spells[spells.length - 1]!;
      s.end = m.probationEnd;
      s.ended = 'promoted';
      spells.push({
        member: m.id,
        tier: 'regular',
        start: m.probationEnd,
        end: m.status === 'removed' ? (timeOf(m.removedBy) ?? null) : null,
        ended: m.status === 'removed' ? 'removed' : null
      });
    }
  }

  const proposals: ProposalFacts[] = Object.values(state.proposals).map((p) => {
    const last = new Map<
      string,
      { member: string; choice: 'yes' | 'no' | 'abstain'; time: number }
    >();
    for (const b of p.ballots)
      last.set(b.member, {
        member: b.member,
        choice: CHOICE[b.choice],
        time: timeOf(b.entry) ?? p.start
      });
    return {
      id: p.id,
      kind: p.kind,
      author: p.author,
      start: p.start,
      deadline: p.deadline,
      closed: timeOf(p.closedBy),
      status: p.status,
      execution: p.execution?.code ?? null,
      electorate: Object.keys(p.electorate).sort(),
      ballots: [...last.values()]
    };
  });

  const activity: Dataset['activity'] = [];
  for (const a of state.audit) {
    if (a.verdict !== 'applied' || !a.author || !state.members[a.author]) continue;
    const what: Activity | undefined =
      a.kind === 'Propose'
        ? 'proposed'
        : a.kind === 'Ballot'
          ? 'voted'
          : a.kind === 'Comment'
            ? 'commented'
            : a.kind === 'Helped'
              ? 'helped'
              : undefined;
    const time = timeOf(a.id);
    if (what && time !== null) activity.push({ member: a.author, time, what });
  }

  const moderation: ModerationFacts[] = [];
  const disputes: DisputeFacts[] = [];
  for (const t of o.threads ?? []) {
    // Mentor–mentee channels are private by design: nothing of them is ever exported.
    if (state.threads[t.thread]?.private) continue;
    for (const p of t.content.posts) {
      activity.push({ member: p.author, time: p.time, what: 'posted' });
      for (const who of Object.values(p.reactions).flat())
        activity.push({ member: who, time: p.time, what: 'reacted' });
    }
    for (const x of t.content.log)
      moderation.push({
        source: 'thread',
        action: x.act,
        reason: x.reason,
        time: x.time,
        status: 'decided'
      });
    // A reported post is a dispute; its first decision after the report resolves it.
    const firstDecision = new Map<string, number>();
    for (const x of t.content.log)
      if (!firstDecision.has(x.post)) firstDecision.set(x.post, x.time);
    for (const p of t.content.posts)
      if (p.reportReasons.length > 0 || firstDecision.has(p.id)) {
        disputes.push({
          kind: 'reported-post',
          opened: p.time,
          resolved: firstDecision.get(p.id) ?? null
        });
        for (const who of p.reporters)
          activity.push({ member: who, time: p.time, what: 'reported' });
      }
  }
  for (const a of Object.values(state.emergencies)) {
    moderation.push({
      source: 'emergency',
      action: a.action === 'hide' ? 'emergency-hide' : 'emergency-mute',
      reason: 'emergency',
      time: a.start,
      // Lifted on appeal: the group decided it.
      status: a.status === 'lifted' ? 'decided' : a.status
    });
    disputes.push({
      kind: 'emergency',
      opened: a.start,
      resolved:
        a.status === 'active'
          ? null
          : a.ratifiedBy
            ? (timeOf(a.ratifiedBy) ?? a.expiresAt)
            : a.expiresAt
    });
  }

  const admissions: Dataset['admissions'] = [];
  for (const a of Object.values(state.applications)) {
    const m = state.members[a.applicant];
    const applied = timeOf(a.id);
    if (a.status === 'admitted' && m && applied !== null)
      admissions.push({ member: m.id, applied, admitted: m.admittedAt });
  }

  return {
    start: genesis ? (timeOf(genesis.id) ?? 0) : 0,
    now: o.now,
    members,
    spells,
    proposals,
    moderation,
    disputes,
    activity,
    admissions
  };
}

const TIER_ORDER: Tier[] = ['new', 'regular', 'senior', 'leader'];
