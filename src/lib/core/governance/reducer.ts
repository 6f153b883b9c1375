import { isSealed, type SealedText } from './text';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../crypto/ed25519';
import { hexToBytes, toHex } from '../encoding/hex';
import { decodeEntry, signedMessage, type Entry } from '../ledger/envelope';
import { CHANNEL_EPOCH } from '../space/channel';
import { authorize, type Ctx, type Who } from './context';
import { applyLockboxes } from './epochs';
import { checkInvite, invite, markInviteUsed, revokeInvite } from './invites';
import { parsePayload, type Payload } from './payloads';
import { ballot, close, comment, consent, earn, outcome, POINTS, propose } from './proposals';
import {
  DEFAULT_CHECKIN_WAIT_MINUTES,
  DEFAULT_REPORT_THRESHOLD,
  DEFAULT_UNANSWERED_HOURS
} from './safety';
import { DEFAULT_SETTINGS, TIER_WEIGHT } from './settings';
import type { GroupState, Member, ThreadRecord } from './state';
import { Kind, SpaceKind, tierRank, type Reason, type Tier } from './types';

type P<K extends number> = Extract<Payload, { kind: K }>;

const GROUP_DOMAIN = new TextEncoder().encode('hearth/group\0');
const DEVICE_DOMAIN = new TextEncoder().encode('hearth/v1/device\0');
const DEVICE_AUTH_DOMAIN = new TextEncoder().encode('hearth/v1/device-auth\0');

/** A group id commits to its founder's key: nobody else can write a valid genesis for it [LED-7]. */
export function groupIdFor(founderKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  return sha256(concat(GROUP_DOMAIN, founderKey, nonce));
}

/** What a new device signs to prove it consents to join a member's identity [LED-8]. */
export function deviceProofMessage(groupId: Uint8Array, memberIdentity: Uint8Array): Uint8Array {
  return concat(DEVICE_DOMAIN, groupId, memberIdentity);
}

/**
 * What a member's existing device signs to let a new device add itself to the member's identity
 * (a restored backup) [ID-5, LED-8].
 */
export function deviceAuthMessage(
  groupId: Uint8Array,
  memberIdentity: Uint8Array,
  newDevice: Uint8Array
): Uint8Array {
  return concat(DEVICE_AUTH_DOMAIN, groupId, memberIdentity, newDevice);
}

export function emptyState(groupId: string): GroupState {
  return {
    groupId,
    name: '',
    category: '',
    description: '',
    founder: null,
    groupTime: 0,
    members: {},
    applications: {},
    invites: {},
    rules: { text: '', version: 0, history: [] },
    moderationPolicy: '',
    settings: structuredClone(DEFAULT_SETTINGS),
    proposals: {},
    reputation: {},
    points: {},
    treasury: { balance: 0, ledger: [] },
    emergencies: {},
    profiles: {},
    push: {},
    delegations: {},
    hidden: [],
    threads: {},
    epochs: {},
    currentEpoch: 0,
    rotationDue: true,
    shareHistory: false,
    safety: {
      reportThreshold: DEFAULT_REPORT_THRESHOLD,
      moderators: [],
      responders: [],
      checkInWaitMinutes: DEFAULT_CHECKIN_WAIT_MINUTES,
      unansweredHours: DEFAULT_UNANSWERED_HOURS
    },
    mutes: {},
    retired: {},
    overturned: {},
    research: { studies: {}, choices: {} },
    audit: [],
    heads: []
  };
}

function genesis(state: GroupState, ctx: Ctx, e: Entry, p: P<typeof Kind.Genesis>): Reason | null {
  if (state.founder !== null || e.seq !== 1 || e.prev.length !== 0) return 'genesis-invalid';
  if (p.groupId !== state.groupId || toHex(groupIdFor(e.author, p.nonce)) !== state.groupId)
    return 'genesis-invalid';
  state.founder = e.device;
  // The founder may start the group with other voting rules than the defaults [GOV-2].
  if (Object.keys(p.settings).length > 0) {
    ctx.initialSettings = { ...ctx.initialSettings, ...structuredClone(p.settings) };
    state.settings = structuredClone(ctx.initialSettings);
  }
  state.name = p.name;
  state.category = p.category;
  state.rules = {
    text: p.rules,
    version: 1,
    history: [{ version: 1, text: p.rules, entry: e.id }]
  };
  state.treasury = {
    balance: p.treasury,
    ledger: [{ entry: e.id, amount: p.treasury, to: null, why: 'starting treasury' }]
  };
  const founders = [
    { identity: e.device, tier: 'leader' as const, x25519: toHex(p.x25519) },
    ...p.founders.filter((f) => f.identity !== e.device)
  ];
  founders.forEach((f, i) => {
    state.members[f.identity] = {
      id: f.identity,
      tier: f.tier,
      weight: TIER_WEIGHT[f.tier],
      admittedBy: e.id,
      admittedAt: e.time,
      probationEnd: null,
      mentor: null,
      status: 'active',
      removedBy: null,
      seniority: i,
      devices: [f.identity],
      x25519: f.x25519 ? { [f.identity]: f.x25519 } : {},
      tierHistory: [{ entry: e.id, tier: f.tier }]
    };
    ctx.owner.set(f.identity, { member: f.identity, since: e.id });
  });
  return null;
}

function deviceAdd(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.DeviceAdd>,
  who: Who
): Reason | null {
  if (ctx.owner.has(p.device)) return 'already-member';
  if (ctx.retired.has(p.device)) return 'not-own-device';
  const groupId = hexToBytes(state.groupId);
  if (
    !ctx.verifyProof(
      e.id,
      hexToBytes(p.device),
      deviceProofMessage(groupId, hexToBytes(who.member.id)),
      p.proof
    )
  )
    return 'bad-proof';
  who.member.devices = [...who.member.devices, p.device].sort();
  who.member.x25519[p.device] = toHex(p.x25519);
  ctx.owner.set(p.device, { member: who.member.id, since: e.id });
  return null;
}

/**
 * A device adding itself with an authorization from one of the member's devices (a restored
 * backup) [ID-5, LED-8]. The backed-up device is authorized as if it had written the entry: it
 * must belong to an active member in the entry's causal past.
 */
function deviceRecover(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.DeviceAdd>,
  recovery: { by: string; auth: Uint8Array }
): Reason | null {
  if (p.device !== e.device) return 'not-own-device';
  const who = authorize(state, ctx, { ...e, device: recovery.by }, MIN_TIER[Kind.DeviceAdd]);
  if (typeof who === 'string') return who;
  const groupId = hexToBytes(state.groupId);
  const member = hexToBytes(who.member.id);
  if (
    !ctx.verifyProof(
      `auth:${e.id}`,
      hexToBytes(recovery.by),
      deviceAuthMessage(groupId, member, hexToBytes(p.device)),
      recovery.auth
    )
  )
    return 'bad-proof';
  return deviceAdd(state, ctx, e, p, who);
}

function deviceRemove(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.DeviceRemove>,
  who: Who
): Reason | null {
  if (p.device === who.member.id || ctx.owner.get(p.device)?.member !== who.member.id)
    return 'not-own-device';
  who.member.devices = who.member.devices.filter((d) => d !== p.device);
  ctx.withdrawn.set(p.device, {
    member: who.member.id,
    by: e.device,
    x25519: who.member.x25519[p.device] ?? null
  });
  delete who.member.x25519[p.device];
  ctx.owner.delete(p.device);
  ctx.retired.add(p.device);
  // The withdrawn device holds the current key: the next write starts a new epoch [ENC-6].
  state.rotationDue = true;
  return null;
}

/**
 * A device says the lockboxes it holds for the current epoch open nothing (a member sealed junk,
 * or the wrong key) [ENC-10]. The reducer cannot open lockboxes, so it takes the member's word:
 * a rotation becomes due, and the next member's write starts an epoch everyone can open. A device
 * with no lockbox there needs a heal, not a rotation (`unknown-target`); a report about an epoch
 * that is no longer current is `unknown-epoch`.
 */
function keyReport(state: GroupState, e: Entry, p: P<typeof Kind.KeyReport>): Reason | null {
  const epoch = state.epochs[p.epoch];
  if (!epoch || p.epoch !== state.currentEpoch || epoch.keyId !== p.keyId) return 'unknown-epoch';
  if (!epoch.lockboxes[e.device]?.length) return 'unknown-target';
  state.rotationDue = true;
  return null;
}

function apply(state: GroupState, ctx: Ctx, e: Entry, p: P<typeof Kind.Apply>): Reason | null {
  // A retired key cannot come back as an applicant: admitting it would bring back the member it
  // was the identity of [ID-7].
  if (state.retired[e.device]) return 'retired';
  const owner = ctx.owner.get(e.device);
  const member = owner ? state.members[owner.member] : undefined;
  if (member && member.status === 'active') return 'already-member';
  if (
    Object.values(state.applications).some((a) => a.applicant === e.device && a.status === 'open')
  )
    return 'already-applied';
  const inviteProblem = checkInvite(state, ctx, e, p);
  if (inviteProblem) return inviteProblem;
  markInviteUsed(state, p, e);
  state.applications[e.id] = {
    id: e.id,
    applicant: e.device,
    motivation: p.motivation,
    name: p.name ?? null,
    x25519: toHex(p.x25519),
    status: 'open',
    invite: p.invite?.entry ?? null
  };
  return null;
}

function delegate(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  scope: string,
  to: string | null,
  who: Who
): Reason | null {
  if (to !== null) {
    const target = state.members[to];
    if (!target || to === who.member.id || !ctx.memberAt(target, e)) return 'unknown-target';
  }
  const history = ctx.delegationHistory.get(who.member.id) ?? [];
  history.push({ entry: e.id, scope, to });
  ctx.delegationHistory.set(who.member.id, history);
  const current = (state.delegations[who.member.id] ??= {});
  if (to === null) delete current[scope as keyof typeof current];
  else current[scope as keyof typeof current] = to;
  return null;
}

function mentor(state: GroupState, ctx: Ctx, e: Entry, p: P<typeof Kind.Mentor>): Reason | null {
  const mentee = state.members[p.mentee];
  const mentorMember = state.members[p.mentor];
  if (
    !mentee ||
    !mentorMember ||
    !ctx.memberAt(mentee, e) ||
    !ctx.memberAt(mentorMember, e) ||
    p.mentee === p.mentor
  )
    return 'unknown-target';
  if (tierRank(ctx.tierAt(state, mentorMember, e)) < tierRank('senior')) return 'tier-too-low';
  mentee.mentor = p.mentor;
  earn(state, mentorMember, e.id, POINTS.mentoring, 'mentoring', false);
  return null;
}

function helped(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Helped>,
  who: Who
): Reason | null {
  const target = ctx.byId.get(p.target);
  const targetOwner = target ? ctx.owner.get(target.device) : undefined;
  const author: Member | undefined = targetOwner ? state.members[targetOwner.member] : undefined;
  if (!target || !author || ctx.ignored.has(p.target) || !ctx.ancestor(p.target, e.id))
    return 'unknown-target';
  return markHelpful(state, ctx, e, p.target, author, who);
}

/** One person's "this helped" on one target: not one's own, once, then reputation [REP-1]. */
function markHelpful(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  target: string,
  author: Member,
  who: Who
): Reason | null {
  if (author.id === who.member.id) return 'self-mark';
  const key = `${who.member.id}:${target}`;
  if (ctx.marks.has(key)) return 'duplicate-mark';
  ctx.marks.add(key);
  earn(
    state,
    author,
    e.id,
    POINTS.helped,
    'marked as helpful',
    ctx.tierAt(state, author, e) === 'new'
  );
  return null;
}

/**
 * "This helped" on a support post [SPACE-3]. Posts live in their thread's own document, so the
 * entry carries the post's signed envelope: the reducer checks that it is that post (id), that its
 * signature is valid for this group, and that its author device belongs to a member; then the
 * author earns reputation as for any helpful entry (not for one's own, once per person and post).
 */
function helpedPost(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Helped>,
  envelope: Uint8Array,
  who: Who
): Reason | null {
  const decoded = decodeEntry(envelope);
  if (!decoded.ok || decoded.entry.id !== p.target) return 'unknown-target';
  const post = decoded.entry;
  if (post.kind !== SpaceKind.Post) return 'unknown-target';
  const owner = ctx.owner.get(post.device);
  const author = owner ? state.members[owner.member] : undefined;
  if (!author) return 'unknown-target';
  const groupId = hexToBytes(state.groupId);
  if (!ctx.verifyProof(e.id, post.author, signedMessage(groupId, post.body), post.signature))
    return 'bad-signature';
  return markHelpful(state, ctx, e, p.target, author, who);
}

/**
 * Opens a support thread [SPACE-1]; a member whose posting is paused cannot. A private channel
 * [SPACE-4, SAFE-24, SAFE-25] needs every member active and lockboxes only for their devices; a
 * muted member may still ask the responders for help or share their safety plan.
 */
function thread(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Thread>,
  who: Who
): Reason | null {
  const purpose = p.private?.purpose;
  if (purpose !== 'care' && purpose !== 'plan' && ctx.isSilenced(state, who.member.id, e))
    return 'muted';
  let priv: ThreadRecord['private'] = null;
  if (p.private) {
    const members = p.private.members.map((id) => state.members[id]);
    if (!members.every((m) => m && m.status === 'active' && ctx.memberAt(m, e)))
      return 'unknown-target';
    const all = members as Member[];
    if (purpose === 'mentor') {
      // Only a mentor and their mentee.
      const [a, b] = all as [Member, Member];
      if (who.member.id !== a.id && who.member.id !== b.id) return 'not-mentoring';
      if (a.mentor !== b.id && b.mentor !== a.id) return 'not-mentoring';
    } else {
      // The member who asks (or shares) opens it; for care, everyone else is a responder.
      if (all[0]!.id !== who.member.id) return 'unknown-target';
      if (purpose === 'care' && !all.slice(1).every((m) => ctx.respondsAt(state, m, e)))
        return 'not-responder';
    }
    const devices = new Set(all.flatMap((m) => m.devices));
    if (!p.private.lockboxes.boxes.every((x) => devices.has(x.device))) return 'box-for-outsider';
    priv = {
      purpose: p.private.purpose,
      members: p.private.members,
      nonce: toHex(p.private.nonce),
      keyId: p.private.lockboxes.keyId,
      boxes: Object.fromEntries(p.private.lockboxes.boxes.map((x) => [x.device, toHex(x.sealed)]))
    };
  }
  state.threads[e.id] = {
    id: e.id,
    by: who.member.id,
    doc: p.doc,
    title: p.title,
    topic: p.topic,
    cw: p.cw ?? null,
    time: ctx.timeOf(e),
    private: priv
  };
  return null;
}

/**
 * A leader's emergency action [GOV-11]: it starts at the witnessed time of its causal past (the
 * leader's own clock cannot lengthen it) and lapses after its duration unless a 'ratify' proposal
 * passes.
 */
function emergency(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Emergency>,
  who: Who
): Reason | null {
  const target = p.action === 'mute' ? state.members[p.target] : undefined;
  const known =
    p.action === 'hide'
      ? ctx.byId.has(p.target) && ctx.ancestor(p.target, e.id)
      : !!target && ctx.memberAt(target, e);
  if (!known) return 'unknown-target';
  const start = ctx.witness(e) || (ctx.dag.time.get(e.id) ?? e.time);
  state.emergencies[e.id] = {
    id: e.id,
    by: who.member.id,
    action: p.action,
    target: p.target,
    reason: p.reason,
    start,
    expiresAt: start + p.duration,
    ratifiedBy: null,
    liftedBy: null,
    status: 'active'
  };
  return null;
}

/**
 * A moderator mutes a member for a period, or lifts the mute (duration 0) [SAFE-22]. Never oneself,
 * never someone of a higher tier; it starts at the mute entry's time.
 */
function mute(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Mute>,
  who: Who
): Reason | null {
  if (!ctx.moderatesAt(state, who.member, e)) return 'not-moderator';
  const target = state.members[p.member];
  if (!target || target.id === who.member.id || !ctx.memberAt(target, e)) return 'unknown-target';
  if (tierRank(ctx.tierAt(state, target, e)) > tierRank(who.tier)) return 'tier-too-low';
  const current = state.mutes[p.member];
  if (p.duration === 0) {
    if (!current || current.liftedBy) return 'unknown-target';
    current.liftedBy = e.id;
    return null;
  }
  // From the mute entry's own time, on the one clock: never before its witnessed past (which could
  // lie days back in a quiet group and reach over posts written before the mute), and never more
  // than a week after it, so a mute dated ahead cannot last longer [TIME-2].
  const start = ctx.timeOf(e);
  state.mutes[p.member] = {
    id: e.id,
    member: p.member,
    by: who.member.id,
    reason: p.reason,
    note: p.note ?? null,
    start,
    until: start + p.duration,
    liftedBy: null
  };
  return null;
}

function settings(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Settings>
): Reason | null {
  if (p.name !== undefined) state.name = p.name;
  if (p.description !== undefined) state.description = p.description;
  return null;
}

/**
 * The tier each kind of entry needs from its author, checked in one place for every kind
 * [GOV-5]: a transform is only ever called with an authorized member. Genesis and applications
 * come from people who are not members yet and are checked by their own transforms.
 */
const MIN_TIER: Record<number, Tier> = {
  [Kind.DeviceAdd]: 'new',
  [Kind.DeviceRemove]: 'new',
  [Kind.Propose]: 'new',
  [Kind.Ballot]: 'new',
  [Kind.Delegate]: 'new',
  [Kind.RevokeDelegation]: 'new',
  [Kind.Comment]: 'new',
  [Kind.Close]: 'new',
  [Kind.Outcome]: 'new',
  [Kind.Mentor]: 'senior',
  [Kind.Helped]: 'new',
  [Kind.Emergency]: 'leader',
  [Kind.Settings]: 'leader',
  [Kind.Lockboxes]: 'new',
  [Kind.Invite]: 'regular',
  [Kind.RevokeInvite]: 'new',
  [Kind.Profile]: 'new',
  [Kind.Thread]: 'new',
  [Kind.Consent]: 'new',
  // Named peer moderators may be of any tier; `mute` checks [SAFE-22].
  [Kind.Mute]: 'new',
  [Kind.KeyReport]: 'new',
  [Kind.Push]: 'new'
};

/** Every sealed text in a parsed payload (they carry their ENC-3 context in `from`). */
function sealedTexts(v: unknown, out: SealedText[] = []): SealedText[] {
  if (!v || typeof v !== 'object' || v instanceof Uint8Array) return out;
  if (Array.isArray(v)) {
    for (const x of v) sealedTexts(x, out);
    return out;
  }
  const o = v as Record<string, unknown>;
  if (typeof o.epoch === 'number' && o.data instanceof Uint8Array && o.from) {
    out.push(o as unknown as SealedText);
    return out;
  }
  for (const x of Object.values(o)) sealedTexts(x, out);
  return out;
}

/**
 * A member seals text with the newest key epoch in the entry's causal past [ENC-9]: an older one
 * (which a removed member may still hold) is `stale-epoch`; one not yet defined there is
 * `unknown-epoch` (epoch 0, the applicants' invitation key, is already refused when the payload is
 * read). Writers who had not seen a rotation yet (concurrent with it) are fine.
 */
function checkTextEpochs(state: GroupState, ctx: Ctx, e: Entry, p: Payload): Reason | null {
  const texts = sealedTexts(p);
  if (texts.length === 0) return null;
  // A mentor–mentee channel seals its title with the channel's own key [SPACE-4].
  if (p.kind === Kind.Thread && p.private)
    return texts.every((t) => t.epoch === CHANNEL_EPOCH) ? null : 'unknown-epoch';
  let seen = 0;
  for (const epoch of Object.values(state.epochs))
    if (epoch.number > seen && ctx.ancestor(epoch.definedBy, e.id)) seen = epoch.number;
  for (const t of texts) {
    if (t.epoch === 0 || t.epoch > seen) return 'unknown-epoch';
    if (t.epoch < seen) return 'stale-epoch';
  }
  return null;
}

/** Applies one placed, signature-checked entry; returns null when applied, or why it was ignored. */
export function step(state: GroupState, ctx: Ctx, e: Entry): Reason | null {
  const p = parsePayload(e.kind, e.payload, { author: e.device, seq: e.seq, kind: e.kind });
  if (!p) return Object.values(Kind).includes(e.kind as never) ? 'bad-payload' : 'unknown-kind';
  if (p.kind === Kind.Genesis) {
    const refused = genesis(state, ctx, e, p);
    if (!refused) {
      ctx.eligible.add(e.id);
      ctx.genesis = e.id;
    }
    return refused;
  }
  if (state.founder === null) return 'no-genesis';
  if (p.kind === Kind.Apply) return apply(state, ctx, e, p);
  // Written by a device that is not the member's yet; it carries its own authorization.
  if (p.kind === Kind.DeviceAdd && p.recovery) {
    const refused = deviceRecover(state, ctx, e, p, p.recovery);
    if (refused) ctx.eligible.delete(e.id);
    else ctx.eligible.add(e.id);
    return refused;
  }
  const who = authorize(state, ctx, e, MIN_TIER[p.kind]);
  if (typeof who === 'string') return who;
  const epochProblem = checkTextEpochs(state, ctx, e, p);
  if (epochProblem) return epochProblem;
  switch (p.kind) {
    case Kind.DeviceAdd:
      return deviceAdd(state, ctx, e, p, who);
    case Kind.DeviceRemove:
      return deviceRemove(state, ctx, e, p, who);
    case Kind.Propose:
      return propose(state, ctx, e, p, who);
    case Kind.Ballot:
      return ballot(state, ctx, e, p, who);
    case Kind.Delegate:
      return delegate(state, ctx, e, p.scope, p.to, who);
    case Kind.RevokeDelegation:
      return delegate(state, ctx, e, p.scope, null, who);
    case Kind.Comment:
      return comment(state, ctx, e, p, who);
    case Kind.Close:
      return close(state, ctx, e, p);
    case Kind.Outcome:
      return outcome(state, ctx, e, p, who);
    case Kind.Mentor:
      return mentor(state, ctx, e, p);
    case Kind.Helped:
      return p.post ? helpedPost(state, ctx, e, p, p.post, who) : helped(state, ctx, e, p, who);
    case Kind.Thread:
      return thread(state, ctx, e, p, who);
    case Kind.Emergency:
      return emergency(state, ctx, e, p, who);
    case Kind.Settings:
      return settings(state, ctx, e, p);
    case Kind.Lockboxes:
      return applyLockboxes(state, ctx, e, p);
    case Kind.Invite:
      return invite(state, ctx, e, p, who);
    case Kind.RevokeInvite:
      return revokeInvite(state, ctx, e, p, who);
    case Kind.Profile:
      state.profiles[who.member.id] = { name: p.name, entry: e.id };
      return null;
    case Kind.Consent:
      return consent(state, ctx, e, p, who);
    case Kind.Mute:
      return mute(state, ctx, e, p, who);
    case Kind.KeyReport:
      return keyReport(state, e, p);
    case Kind.Push:
      // The device's latest handle, sealed with the key of its epoch [PUSH-14]. A handle sent in
      // the clear would tell the relay which device is in which group: refused.
      if (!isSealed(p.handle)) return 'bad-payload';
      state.push[e.device] = { handle: p.handle, entry: e.id };
      return null;
  }
}
