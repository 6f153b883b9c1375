import { MAX_INVITE_CARD_BYTES } from './invite-card';
import type { CborMap, CborValue } from '../crypto/cbor';
import { toHex } from '../encoding/hex';
import { MAX_ENVELOPE_BYTES } from '../ledger/envelope';
import {
  MAX_EMERGENCY_SECONDS,
  MAX_MUTE_SECONDS,
  MAX_KEEP,
  MAX_NAMED,
  MAX_CHECKIN_WAIT_MINUTES,
  MAX_REPORT_THRESHOLD,
  MAX_UNANSWERED_HOURS,
  MIN_CHECKIN_WAIT_MINUTES,
  MIN_UNANSWERED_HOURS,
  MAX_TEXT
} from './settings';
import type { Text } from './text';
import {
  Kind,
  MODERATION_ACTS,
  PROPOSAL_KINDS,
  REACTIONS,
  RESEARCH_TABLES,
  REPORT_REASONS,
  SpaceKind,
  TIERS,
  type ModerationAct,
  type ProposalKind,
  type Reaction,
  type ReportReason,
  type ResearchTable,
  type Tier,
  type VotingRules
} from './types';

/**
 * Typed payloads, one per entry kind [LED-3]. A payload with a missing, extra or mistyped field is
 * 'bad-payload': being strict keeps every device's reading of an entry identical.
 */
export type Payload =
  | {
      kind: typeof Kind.Genesis;
      groupId: string;
      nonce: Uint8Array;
      name: Text;
      category: Text;
      rules: Text;
      x25519: Uint8Array;
      founders: { identity: string; tier: Tier; x25519: string | null }[];
      treasury: number;
      /** How the group starts deciding, where the founder changed the defaults [GOV-2]. */
      settings: Partial<Record<ProposalKind, VotingRules>>;
    }
  | {
      kind: typeof Kind.DeviceAdd;
      device: string;
      x25519: Uint8Array;
      proof: Uint8Array;
      /**
       * A device added from a backup adds itself [ID-5]: `by` is the member's backed-up device and
       * `auth` its signature over `deviceAuthMessage`, so the backed-up key signs no entry.
       */
      recovery?: { by: string; auth: Uint8Array };
    }
  | { kind: typeof Kind.DeviceRemove; device: string }
  | {
      kind: typeof Kind.Apply;
      motivation: Text;
      name: Text | undefined;
      x25519: Uint8Array;
      invite: { entry: string; proof: Uint8Array } | undefined;
    }
  | {
      kind: typeof Kind.Invite;
      key: string;
      expires: number;
      singleUse: boolean;
      secret: Text | undefined;
      /** The group's name, description and rules summary sealed with the invitation [INV-5]. */
      card: Uint8Array | undefined;
    }
  | { kind: typeof Kind.Profile; name: Text }
  | {
      kind: typeof Kind.Thread;
      doc: string;
      title: Text;
      topic: Text;
      cw: Text | undefined;
      /**
       * A private channel: its members (the writer first) and the channel key's lockboxes
       * [SPACE-4, SAFE-24, SAFE-25].
       */
      private: PrivateChannel | undefined;
    }
  | { kind: typeof Kind.RevokeInvite; invite: string }
  | { kind: typeof Kind.Propose; proposal: ProposalBody }
  | { kind: typeof Kind.Ballot; proposal: string; choice: 0 | 1 | 2; reason: Text | undefined }
  | { kind: typeof Kind.Delegate; scope: ProposalKind | 'all'; to: string }
  | { kind: typeof Kind.RevokeDelegation; scope: ProposalKind | 'all' }
  | { kind: typeof Kind.Comment; proposal: string; text: Text }
  | { kind: typeof Kind.Close; proposal: string; lockboxes: LockboxSet | undefined }
  | ({ kind: typeof Kind.Lockboxes } & LockboxSet)
  | { kind: typeof Kind.Outcome; proposal: string; text: Text; review: number }
  | { kind: typeof Kind.Mentor; mentee: string; mentor: string }
  | { kind: typeof Kind.Helped; target: string; post: Uint8Array | undefined }
  | {
      kind: typeof Kind.Emergency;
      action: 'hide' | 'mute';
      target: string;
      duration: number;
      reason: Text;
    }
  | { kind: typeof Kind.Settings; name: Text | undefined; description: Text | undefined }
  /** `study` undefined: every study, now and later [RES-2]. */
  | { kind: typeof Kind.Consent; study: string | undefined; consent: boolean }
  /** A moderator mutes `member` for `duration` seconds; 0 lifts a mute [SAFE-22]. */
  | {
      kind: typeof Kind.Mute;
      member: string;
      duration: number;
      reason: ReportReason;
      note: Text | undefined;
    }
  /** The lockboxes this device holds for `epoch` (key id `keyId`) open nothing [ENC-10]. */
  | { kind: typeof Kind.KeyReport; epoch: number; keyId: string }
  | { kind: typeof Kind.Push; handle: Text };

/**
 * Why a private channel exists: a mentor and their mentee [SPACE-4]; a member asking the group's
 * responders to check in on them [SAFE-24]; a member sharing their safety plan with the
 * supporters they chose [SAFE-25].
 */
export const CHANNEL_PURPOSES = ['mentor', 'care', 'plan'] as const;
export type ChannelPurpose = (typeof CHANNEL_PURPOSES)[number];

export interface PrivateChannel {
  nonce: Uint8Array;
  purpose: ChannelPurpose;
  members: string[];
  lockboxes: LockboxSet;
}

/** Lockboxes for one epoch: the key id and one sealed key per device [ENC-4]. */
export interface LockboxSet {
  epoch: number;
  keyId: string;
  boxes: { device: string; sealed: Uint8Array }[];
}

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

class Bad extends Error {}

/** Reads fields of a payload map, failing on anything unexpected. */
/** The entry a payload belongs to: sealed texts keep it as their ENC-3 context. */
export interface Origin {
  author: string;
  seq: number;
  kind: number;
}

class Reader {
  private used = new Set<string>();
  constructor(
    private readonly map: CborMap,
    private readonly origin?: Origin
  ) {}
  private raw(key: string): CborValue | undefined {
    this.used.add(key);
    return this.map.get(key);
  }
  bytes(key: string, n: number): Uint8Array {
    const v = this.raw(key);
    if (!(v instanceof Uint8Array) || v.length !== n) throw new Bad();
    return v;
  }
  id(key: string): string {
    return toHex(this.bytes(key, 32));
  }
  /**
   * A text field: plain, within `min`..`max` characters, or sealed as `[epoch, nonce ‖ ciphertext]`
   * whose size fits `max` characters of UTF-8 [ENC-7].
   */
  text(key: string, max = MAX_TEXT, min = 0, minEpoch = 1): Text {
    const v = this.raw(key);
    if (typeof v === 'string') {
      if ([...v].length > max || v.length < min) throw new Bad();
      return v;
    }
    if (!Array.isArray(v) || v.length !== 2) throw new Bad();
    const [epoch, data] = v;
    if (typeof epoch !== 'number' || epoch < minEpoch || !(data instanceof Uint8Array))
      throw new Bad();
    if (data.length < 24 + 16 + min || data.length > 24 + 16 + max * 4) throw new Bad();
    return this.origin ? { epoch, data, from: { ...this.origin, field: key } } : { epoch, data };
  }
  /** An applicant's text: sealed with the group key, or with the invitation's key (epoch 0). */
  applicantText(key: string, max: number, min = 0): Text {
    return this.text(key, max, min, 0);
  }
  optText(key: string, max = MAX_TEXT): Text | undefined {
    return this.map.has(key) ? this.text(key, max) : undefined;
  }
  uint(key: string, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.raw(key);
    if (typeof v !== 'number' || v < 0 || v > max) throw new Bad();
    return v;
  }
  oneOf<T extends string>(key: string, options: readonly T[]): T {
    const v = this.raw(key);
    if (typeof v !== 'string' || !(options as readonly string[]).includes(v)) throw new Bad();
    return v as T;
  }
  list(key: string): CborValue[] {
    const v = this.raw(key);
    if (!Array.isArray(v)) throw new Bad();
    return v;
  }
  /** Bytes of any length up to `max`. */
  bytesUpTo(key: string, max: number): Uint8Array {
    const v = this.raw(key);
    if (!(v instanceof Uint8Array) || v.length === 0 || v.length > max) throw new Bad();
    return v;
  }
  /** A plain string matching `pattern` (identifiers, never people's words). */
  str(key: string, pattern: RegExp): string {
    const v = this.raw(key);
    if (typeof v !== 'string' || !pattern.test(v)) throw new Bad();
    return v;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  map_(key: string): CborMap {
    const v = this.raw(key);
    if (!(v instanceof Map)) throw new Bad();
    return v;
  }
  done(): void {
    for (const k of this.map.keys())
      if (typeof k !== 'string' || !this.used.has(k)) throw new Bad();
  }
}

function votingRules(r: Reader): VotingRules {
  const tiers = r.list('electorate');
  if (
    tiers.length === 0 ||
    tiers.length > TIERS.length ||
    !tiers.every((t) => typeof t === 'string' && (TIERS as readonly string[]).includes(t))
  )
    throw new Bad();
  if (new Set(tiers).size !== tiers.length) throw new Bad();
  return {
    method: r.oneOf('method', ['majority', 'consent'] as const),
    electorate: tiers as Tier[],
    quorum: r.uint('quorum', 100),
    threshold: r.uint('threshold', 99),
    period: Math.max(3600, r.uint('period', 90 * 24 * 3600))
  };
}

/** The founder's changes to the default voting rules: kind → rules, each kind at most once. */
function startingSettings(map: CborMap): Partial<Record<ProposalKind, VotingRules>> {
  const out: Partial<Record<ProposalKind, VotingRules>> = {};
  for (const [k, v] of map) {
    if (typeof k !== 'string' || !(PROPOSAL_KINDS as readonly string[]).includes(k))
      throw new Bad();
    if (!(v instanceof Map)) throw new Bad();
    const inner = new Reader(v);
    out[k as ProposalKind] = votingRules(inner);
    inner.done();
  }
  return out;
}

function proposalBody(r: Reader): ProposalBody {
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
    case 'governance': {
      // Either one kind's voting rules, or whether newcomers may read history [ENC-8].
      if (r.oneOf('target', [...PROPOSAL_KINDS, 'history'] as const) === 'history')
        return { type, target: 'history', share: r.uint('share', 1) === 1 };
      const target = r.oneOf('target', PROPOSAL_KINDS);
      const inner = new Reader(r.map_('rules'));
      const rules = votingRules(inner);
      inner.done();
      return { type, target, rules };
    }
    case 'ratify':
      return { type, action: r.id('e') };
    case 'appeal':
      return { type, target: r.id('e'), text: r.text('text', MAX_TEXT, 1) };
    case 'retire': {
      const member = r.id('m');
      const keep = memberList(r.list('keep'), 1);
      if (keep.length > MAX_KEEP || keep.includes(member)) throw new Bad();
      return { type, member, keep };
    }
    case 'moderation':
      return {
        type,
        text: r.text('text', MAX_TEXT, 1),
        threshold: r.has('rt') ? Math.max(1, r.uint('rt', MAX_REPORT_THRESHOLD)) : undefined,
        moderators: r.has('mods') ? memberList(r.list('mods'), 0) : undefined,
        responders: r.has('resp') ? memberList(r.list('resp'), 0) : undefined,
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

const MAX_BOXES = 512;

function lockboxSet(r: Reader): LockboxSet {
  const boxes = r.list('b').map((b) => {
    if (!Array.isArray(b) || b.length !== 2 || !(b[0] instanceof Uint8Array) || b[0].length !== 32)
      throw new Bad();
    if (!(b[1] instanceof Uint8Array) || b[1].length !== 80) throw new Bad();
    return { device: toHex(b[0]), sealed: b[1] };
  });
  if (boxes.length === 0 || boxes.length > MAX_BOXES) throw new Bad();
  if (new Set(boxes.map((b) => b.device)).size !== boxes.length) throw new Bad();
  const set = { epoch: r.uint('e', 1_000_000), keyId: toHex(r.bytes('k', 8)), boxes };
  r.done();
  return set;
}

/** Distinct member ids (32 bytes each), at least `min`, at most MAX_NAMED. */
function memberList(v: CborValue[], min: number): string[] {
  if (v.length < min || v.length > MAX_NAMED) throw new Bad();
  if (!v.every((x) => x instanceof Uint8Array && x.length === 32)) throw new Bad();
  const ids = (v as Uint8Array[]).map((x) => toHex(x));
  if (new Set(ids).size !== ids.length) throw new Bad();
  return ids;
}

function privateChannel(r: Reader): PrivateChannel {
  const nonce = r.bytes('n', 16);
  // Channels written before purposes existed are a mentor's (no 'pu').
  const purpose = r.has('pu')
    ? CHANNEL_PURPOSES[r.uint('pu', CHANNEL_PURPOSES.length - 1)]!
    : 'mentor';
  const members = memberList(r.list('m'), 2);
  if (purpose === 'mentor' && members.length !== 2) throw new Bad();
  const lockboxes = lockboxSet(new Reader(r.map_('lk')));
  r.done();
  return { nonce, purpose, members, lockboxes };
}

const scope = (r: Reader) => r.oneOf('k', [...PROPOSAL_KINDS, 'all'] as const);

/** Parses the payload of an entry of `kind`; undefined means 'bad-payload' (or 'unknown-kind'). */
export function parsePayload(kind: number, map: CborMap, origin?: Origin): Payload | undefined {
  const r = new Reader(map, origin);
  try {
    let p: Payload;
    switch (kind) {
      case Kind.Genesis: {
        const founders = r.list('founders').map((f) => {
          // [identity, tier] or [identity, tier, x25519]: a co-founder's key for lockboxes.
          if (
            !Array.isArray(f) ||
            (f.length !== 2 && f.length !== 3) ||
            !(f[0] instanceof Uint8Array) ||
            f[0].length !== 32
          )
            throw new Bad();
          if (typeof f[1] !== 'string' || !(TIERS as readonly string[]).includes(f[1]))
            throw new Bad();
          if (f.length === 3 && !(f[2] instanceof Uint8Array && f[2].length === 32))
            throw new Bad();
          return {
            identity: toHex(f[0]),
            tier: f[1] as Tier,
            x25519: f.length === 3 ? toHex(f[2] as Uint8Array) : null
          };
        });
        p = {
          kind,
          groupId: r.id('g'),
          nonce: r.bytes('n', 16),
          name: r.text('name', 60, 1),
          category: r.text('cat', 60),
          rules: r.text('rules'),
          x25519: r.bytes('x', 32),
          founders,
          treasury: r.uint('treasury', 1_000_000),
          settings: map.has('gov') ? startingSettings(r.map_('gov')) : {}
        };
        break;
      }
      case Kind.DeviceAdd:
        p = {
          kind,
          device: r.id('d'),
          x25519: r.bytes('x', 32),
          proof: r.bytes('proof', 64),
          recovery: map.has('by') ? { by: r.id('by'), auth: r.bytes('auth', 64) } : undefined
        };
        break;
      case Kind.DeviceRemove:
        p = { kind, device: r.id('d') };
        break;
      case Kind.Apply: {
        const apply = {
          kind,
          motivation: r.applicantText('m', 2000),
          name: map.has('n') ? r.applicantText('n', 60, 1) : undefined,
          x25519: r.bytes('x', 32),
          invite: map.has('inv') ? { entry: r.id('inv'), proof: r.bytes('ip', 64) } : undefined
        };
        // Text sealed with an invitation's key needs that invitation [INV-4].
        const byInvite = (t: Text | undefined) => typeof t === 'object' && t.epoch === 0;
        if (!apply.invite && (byInvite(apply.motivation) || byInvite(apply.name))) throw new Bad();
        p = apply;
        break;
      }
      case Kind.Invite:
        p = {
          kind,
          key: r.id('ik'),
          expires: r.uint('exp'),
          singleUse: r.uint('one', 1) === 1,
          // The invitation secret sealed for the group, so members can read applicants' words.
          secret: r.optText('s', 64),
          // Invitations made before cards existed have none, and still work [INV-5].
          card: map.has('c') ? r.bytesUpTo('c', MAX_INVITE_CARD_BYTES) : undefined
        };
        break;
      case Kind.RevokeInvite:
        p = { kind, invite: r.id('inv') };
        break;
      case Kind.Propose:
        p = { kind, proposal: proposalBody(r) };
        break;
      case Kind.Ballot: {
        const c = r.uint('c', 2) as 0 | 1 | 2;
        p = { kind, proposal: r.id('p'), choice: c, reason: r.optText('r', 1000) };
        break;
      }
      case Kind.Delegate:
        p = { kind, scope: scope(r), to: r.id('to') };
        break;
      case Kind.RevokeDelegation:
        p = { kind, scope: scope(r) };
        break;
      case Kind.Comment:
        p = { kind, proposal: r.id('p'), text: r.text('text', MAX_TEXT, 1) };
        break;
      case Kind.Close:
        p = {
          kind,
          proposal: r.id('p'),
          lockboxes: map.has('lk') ? lockboxSet(new Reader(r.map_('lk'))) : undefined
        };
        break;
      case Kind.Lockboxes:
        p = { kind, ...lockboxSet(r) };
        break;
      case Kind.Outcome:
        p = {
          kind,
          proposal: r.id('p'),
          text: r.text('text', MAX_TEXT, 1),
          review: r.uint('review')
        };
        break;
      case Kind.Mentor:
        p = { kind, mentee: r.id('mentee'), mentor: r.id('mentor') };
        break;
      case Kind.Helped:
        p = {
          kind,
          target: r.id('e'),
          post: map.has('pe') ? r.bytesUpTo('pe', MAX_ENVELOPE_BYTES) : undefined
        };
        break;
      case Kind.Thread:
        p = {
          kind,
          doc: r.str('d', /^[1-9A-HJ-NP-Za-km-z]{20,40}$/),
          title: r.text('title', 120, 1),
          topic: r.text('topic', 40),
          cw: r.optText('cw', 200),
          private: map.has('pc') ? privateChannel(new Reader(r.map_('pc'))) : undefined
        };
        break;
      case Kind.Emergency: {
        const action = r.oneOf('a', ['hide', 'mute'] as const);
        p = {
          kind,
          action,
          target: r.id('t'),
          duration: r.uint('dur', MAX_EMERGENCY_SECONDS),
          reason: r.text('why', 1000)
        };
        break;
      }
      case Kind.Settings:
        p = { kind, name: r.optText('name', 60), description: r.optText('desc', 1000) };
        break;
      case Kind.Profile:
        p = { kind, name: r.text('name', 60, 1) };
        break;
      case Kind.Push:
        p = { kind, handle: r.text('h', 512, 1) };
        break;
      case Kind.Consent:
        p = { kind, study: map.has('s') ? r.id('s') : undefined, consent: r.uint('c', 1) === 1 };
        break;
      case Kind.Mute:
        p = {
          kind,
          member: r.id('m'),
          duration: r.uint('dur', MAX_MUTE_SECONDS),
          reason: r.oneOf('why', REPORT_REASONS),
          note: r.optText('note', 1000)
        };
        break;
      case Kind.KeyReport:
        p = { kind, epoch: r.uint('e', 1_000_000), keyId: toHex(r.bytes('k', 8)) };
        break;
      default:
        return undefined;
    }
    r.done();
    return p;
  } catch (e) {
    if (e instanceof Bad) return undefined;
    throw e;
  }
}

export function isKnownKind(kind: number): boolean {
  return Object.values(Kind).includes(kind as (typeof Kind)[keyof typeof Kind]);
}

/** What a thread document's entries say [SPACE-2]. */
export type SpacePayload =
  | {
      kind: typeof SpaceKind.Post;
      thread: string;
      text: Text;
      replyTo: string | undefined;
      cw: Text | undefined;
    }
  | { kind: typeof SpaceKind.React; thread: string; post: string; reaction: Reaction }
  | { kind: typeof SpaceKind.Report; thread: string; post: string; reason: ReportReason }
  | {
      kind: typeof SpaceKind.Moderate;
      thread: string;
      post: string;
      act: ModerationAct;
      reason: ReportReason;
      /** For `hide` and `warn`: the warning or the educational note, sealed like a post. */
      note: Text | undefined;
    };

export function parseSpacePayload(
  kind: number,
  map: CborMap,
  origin?: Origin
): SpacePayload | undefined {
  const r = new Reader(map, origin);
  try {
    let p: SpacePayload;
    if (kind === SpaceKind.Post)
      p = {
        kind,
        thread: r.id('t'),
        text: r.text('text', MAX_TEXT, 1),
        replyTo: map.has('re') ? r.id('re') : undefined,
        cw: r.optText('cw', 200)
      };
    else if (kind === SpaceKind.React)
      p = { kind, thread: r.id('t'), post: r.id('p'), reaction: r.oneOf('r', REACTIONS) };
    else if (kind === SpaceKind.Report)
      p = { kind, thread: r.id('t'), post: r.id('p'), reason: r.oneOf('why', REPORT_REASONS) };
    else if (kind === SpaceKind.Moderate)
      p = {
        kind,
        thread: r.id('t'),
        post: r.id('p'),
        act: r.oneOf('act', MODERATION_ACTS),
        reason: r.oneOf('why', REPORT_REASONS),
        note: r.optText('note', 1000)
      };
    else return undefined;
    r.done();
    return p;
  } catch (e) {
    if (e instanceof Bad) return undefined;
    throw e;
  }
}
