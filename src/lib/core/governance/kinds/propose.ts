import { hexToBytes } from '../../encoding/hex';
import { propose as openVote } from '../proposals';
import {
  MAX_CHECKIN_WAIT_MINUTES,
  MAX_KEEP,
  MAX_REPORT_THRESHOLD,
  MAX_TEXT,
  MAX_UNANSWERED_HOURS,
  MIN_CHECKIN_WAIT_MINUTES,
  MIN_UNANSWERED_HOURS
} from '../settings';
import type { CborValue } from '../../crypto/cbor';
import type { Text } from '../text';
import {
  Kind,
  PROPOSAL_KINDS,
  RESEARCH_TABLES,
  TIERS,
  type ProposalKind,
  type ResearchTable,
  type Tier,
  type VotingRules
} from '../types';
import { defineKind } from './kind';
import {
  Bad,
  id,
  readMemberList,
  readVotingRules,
  textField,
  votingRulesFields,
  type Fields,
  type Reader,
  type Seal
} from './wire';

export type ProposalBody =
  | { type: 'admit'; application: string }
  | { type: 'remove'; member: string }
  | { type: 'tier'; member: string; tier: Tier }
  | { type: 'rules'; text: Text }
  /**
   * The moderation policy; optionally the report threshold and the members named as peer
   * moderators and as responders (each replaces the list before it) [SAFE-21].
   */
  | {
      type: 'moderation';
      text: Text;
      threshold: number | undefined;
      moderators: string[] | undefined;
      responders: string[] | undefined;
      /** Minutes a check-in request waits for a responder [SAFE-30]. */
      checkInWait: number | undefined;
      /** Hours without a reply before a post joins the responders' queue [SAFE-31]. */
      unanswered: number | undefined;
    }
  /** Undo a moderator's decision (a mute in the ledger, or a decision in a thread) [SAFE-23]. */
  | { type: 'appeal'; target: string; text: Text }
  | { type: 'allocate'; member: string; amount: number; text: Text }
  | { type: 'partnership'; text: Text }
  | { type: 'governance'; target: ProposalKind; rules: VotingRules }
  | { type: 'governance'; target: 'history'; share: boolean }
  | { type: 'general'; text: Text }
  | { type: 'ratify'; action: string }
  | { type: 'research'; study: Text; tables: ResearchTable[]; until: number }
  /**
   * Retire a member's leaked key [ID-7]: every device of `member` but `keep` (never the identity
   * device) stops counting, and the group key rotates; the member stays who they were.
   */
  | { type: 'retire'; member: string; keep: string[] };

export interface ProposePayload {
  kind: typeof Kind.Propose;
  proposal: ProposalBody;
}

function readBody(r: Reader): ProposalBody {
  const type = r.oneOf('k', PROPOSAL_KINDS);
  switch (type) {
    case 'admit':
      return { type, application: r.id('a') };
    case 'remove':
      return { type, member: r.id('m') };
    case 'tier':
      return { type, member: r.id('m'), tier: r.oneOf('tier', TIERS) };
    case 'allocate':
      return { type, member: r.id('m'), amount: r.uint('amt', 1_000_000), text: r.text('text') };
    case 'governance':
      // Either one kind's voting rules, or whether newcomers may read history [ENC-8].
      if (r.oneOf('target', [...PROPOSAL_KINDS, 'history'] as const) === 'history')
        return { type, target: 'history', share: r.flag('share') };
      return {
        type,
        target: r.oneOf('target', PROPOSAL_KINDS),
        rules: readVotingRules(r.inner('rules'))
      };
    case 'ratify':
      return { type, action: r.id('e') };
    case 'appeal':
      return { type, target: r.id('e'), text: r.text('text', MAX_TEXT, 1) };
    case 'retire': {
      const member = r.id('m');
      const keep = readMemberList(r.list('keep'), 1);
      if (keep.length > MAX_KEEP || keep.includes(member)) throw new Bad();
      return { type, member, keep };
    }
    case 'moderation':
      return {
        type,
        text: r.text('text', MAX_TEXT, 1),
        threshold: r.has('rt') ? Math.max(1, r.uint('rt', MAX_REPORT_THRESHOLD)) : undefined,
        moderators: r.has('mods') ? readMemberList(r.list('mods'), 0) : undefined,
        responders: r.has('resp') ? readMemberList(r.list('resp'), 0) : undefined,
        checkInWait: r.has('ciw')
          ? Math.max(MIN_CHECKIN_WAIT_MINUTES, r.uint('ciw', MAX_CHECKIN_WAIT_MINUTES))
          : undefined,
        unanswered: r.has('ua')
          ? Math.max(MIN_UNANSWERED_HOURS, r.uint('ua', MAX_UNANSWERED_HOURS))
          : undefined
      };
    case 'research': {
      const tables = r.list('tables');
      if (
        tables.length === 0 ||
        new Set(tables).size !== tables.length ||
        !tables.every((t) => (RESEARCH_TABLES as readonly CborValue[]).includes(t))
      )
        throw new Bad();
      return {
        type,
        study: r.text('text', MAX_TEXT, 1),
        tables: tables as ResearchTable[],
        until: r.uint('until')
      };
    }
    default:
      return { type, text: r.text('text', MAX_TEXT, 1) };
  }
}

function writeBody(b: ProposalBody, seal: Seal): Fields {
  switch (b.type) {
    case 'admit':
      return { k: b.type, a: id(b.application) };
    case 'remove':
      return { k: b.type, m: id(b.member) };
    case 'tier':
      return { k: b.type, m: id(b.member), tier: b.tier };
    case 'allocate':
      return { k: b.type, m: id(b.member), amt: b.amount, text: textField(seal, 'text', b.text) };
    case 'governance':
      return b.target === 'history'
        ? { k: b.type, target: 'history', share: b.share ? 1 : 0 }
        : { k: b.type, target: b.target, rules: votingRulesFields(b.rules) };
    case 'ratify':
      return { k: b.type, e: id(b.action) };
    case 'appeal':
      return { k: b.type, e: id(b.target), text: textField(seal, 'text', b.text) };
    case 'retire':
      return { k: b.type, m: id(b.member), keep: b.keep.map(hexToBytes) };
    case 'moderation':
      return {
        k: b.type,
        text: textField(seal, 'text', b.text),
        rt: b.threshold,
        mods: b.moderators?.map(hexToBytes),
        resp: b.responders?.map(hexToBytes),
        ciw: b.checkInWait,
        ua: b.unanswered
      };
    case 'research':
      return {
        k: b.type,
        text: textField(seal, 'text', b.study),
        tables: [...b.tables],
        until: b.until
      };
    default:
      return { k: b.type, text: textField(seal, 'text', b.text) };
  }
}

/** A proposal: its voting rules and electorate are fixed at its causal point [GOV-1, GOV-4]. */
export const propose = defineKind<ProposePayload>({
  kind: Kind.Propose,
  name: 'Propose',
  minTier: 'new',
  wire: {
    k: 'the kind of proposal [GOV-1]; the other keys depend on it:',
    a: 'admit: the application (32 bytes)',
    m: 'remove, tier, allocate, retire: the member (32 bytes)',
    tier: 'tier: the new tier',
    amt: 'allocate: the amount, ≤1,000,000',
    text: 'rules, moderation, appeal, partnership, general, research (the study), allocate: text',
    target: "governance: a proposal kind (then rules) or 'history' (then share)",
    rules: 'governance: voting rules (method, electorate, quorum, threshold, period) [GOV-2]',
    share: 'governance of history: 1 newcomers may read history, 0 not [ENC-8]',
    e: 'ratify: the emergency action; appeal: the decision appealed (32 bytes)',
    keep: "retire: the member's devices that stay (1–8, never the identity device) [ID-7]",
    rt: 'moderation, optional: reports that hide a post, 1–50',
    mods: 'moderation, optional: the peer moderators (replaces the list)',
    resp: 'moderation, optional: the responders (replaces the list)',
    ciw: 'moderation, optional: minutes a check-in request waits [SAFE-30]',
    ua: 'moderation, optional: hours before an unanswered post is queued [SAFE-31]',
    tables: 'research: the tables a study may receive [RES-1]',
    until: 'research: when the permission ends (claimed seconds)'
  },
  read: (r) => ({ proposal: readBody(r) }),
  write: (p, seal) => writeBody(p.proposal, seal),
  apply: openVote
});
