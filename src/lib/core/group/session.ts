import { sign } from '../crypto/ed25519';
import { hexToBytes, toHex } from '../encoding/hex';
import { toBase64Url } from '../encoding/base64url';
import { pushHandle, readWakeTarget } from '../notify/wake';
import { jsonObject } from '../crypto/sealed-text';
import { entryId, MAX_PREV } from '../ledger/envelope';
import { CHANNEL_EPOCH, channelIdFor } from '../space/channel';
import { Ledger, type DeriveParams } from '../governance/derive';
import { signInviteProof, inviteKeyPair, tooLateToAdmit } from '../governance/invites';
import { sealInviteCard } from '../governance/invite-card';
import {
  encodePayload,
  encodeSpacePayload,
  type ChannelPurpose,
  type Payload,
  type ProposalBody,
  type SpacePayload
} from '../governance/kinds';
import { responders } from '../governance/safety';
import { commentsOn } from '../governance/selectors';
import { deviceAuthMessage, deviceProofMessage, groupIdFor } from '../governance/messages';
import type { GroupState } from '../governance/state';
import { isSealed, type Text } from '../governance/text';
import { safeDisplayName } from '../identity/pseudonym';
import { lookalikes } from '../identity/lookalike';
import {
  Kind,
  SpaceKind,
  type ProposalKind,
  type ModerationAct,
  type Reaction,
  type ReportReason,
  type ResearchTable,
  type Tier,
  type VotingRules
} from '../governance/types';
import { inviteTextKey, KeyRing, type Channel } from './keyring';
import {
  lockboxSet,
  NoKeyError,
  parentsFor,
  signNext,
  type DeviceKeys,
  type Random
} from './signer';

/**
 * A device's view of one group, and everything it writes to it [APP-1]. It wraps the ledger
 * (entries in, state out), opens the group keys this device holds, and signs new entries with
 * their texts sealed. Pure: the caller passes the clock (`now`, seconds) and randomness, and
 * stores the returned envelope bytes wherever the group's entries live.
 */

const MAX_BOXES_PER_ENTRY = 128;

export interface FoundOptions {
  device: DeviceKeys;
  random: Random;
  now: number;
  name: string;
  category: string;
  description: string;
  rules: string;
  /** The founder's display name in this group. */
  displayName: string;
  treasury?: number;
  /** Voting rules the founder changed from the defaults, by kind of decision [GOV-2]. */
  settings?: Partial<Record<ProposalKind, VotingRules>>;
}

/**
 * Founds a group [APP-2]: genesis (name, category and rules sealed with the first epoch key), the
 * first lockbox set (that key, sealed to the founder's device), the description, and the
 * founder's display name. Everything a person typed is sealed from the first entry on.
 */
export function foundGroup(o: FoundOptions): {
  groupId: Uint8Array;
  entries: Uint8Array[];
} {
  const nonce = o.random(16);
  const groupId = groupIdFor(o.device.publicKey, nonce);
  const epochKey = o.random(32);
  const entries: { id: string; bytes: Uint8Array }[] = [];
  const write = (p: Payload) => {
    const last = entries[entries.length - 1];
    entries.push(
      signNext({
        device: o.device,
        groupId,
        random: o.random,
        tip: last ? { seq: entries.length, id: last.id } : null,
        prev: last ? [last.id] : [],
        kind: p.kind,
        sealWith: { epoch: 1, key: epochKey, context: groupId },
        payload: (seal) => encodePayload(p, seal),
        now: o.now
      })
    );
  };
  write({
    kind: Kind.Genesis,
    groupId: toHex(groupId),
    nonce,
    name: o.name,
    category: o.category,
    rules: o.rules,
    x25519: o.device.xPublic,
    founders: [],
    treasury: o.treasury ?? 100,
    settings: o.settings ?? {}
  });
  write({
    kind: Kind.Lockboxes,
    ...lockboxSet(groupId, 1, epochKey, [[o.device.publicKey, o.device.xPublic]], o.random)
  });
  if (o.description.trim())
    write({ kind: Kind.Settings, name: undefined, description: o.description });
  write({ kind: Kind.Profile, name: o.displayName });
  return { groupId, entries: entries.map((e) => e.bytes) };
}

export type ProposalInput =
  | { type: 'admit'; application: string }
  | { type: 'remove'; member: string }
  | { type: 'tier'; member: string; tier: Tier }
  | { type: 'rules' | 'partnership' | 'general'; text: string }
  | {
      type: 'moderation';
      text: string;
      threshold?: number;
      moderators?: string[];
      responders?: string[];
      /** Minutes a check-in request waits before the asker sees their crisis lines again. */
      checkInWait?: number;
      /** Hours without a reply before a post joins the responders' queue. */
      unanswered?: number;
    }
  | { type: 'appeal'; target: string; text: string }
  | { type: 'allocate'; member: string; amount: number; text: string }
  | { type: 'governance'; target: ProposalKind; rules: VotingRules }
  | { type: 'history'; share: boolean }
  | { type: 'ratify'; action: string }
  | { type: 'research'; study: string; tables: ResearchTable[]; until: number }
  /** Retire `member`'s leaked key: every device of theirs but `keep` stops counting [ID-7]. */
  | { type: 'retire'; member: string; keep: string[] };

/** What a proposal says on the ledger, from what the screens ask for. */
function proposalBody(input: ProposalInput): ProposalBody {
  switch (input.type) {
    case 'history':
      return { type: 'governance', target: 'history', share: input.share };
    case 'moderation':
      return {
        type: 'moderation',
        text: input.text,
        threshold: input.threshold,
        moderators: input.moderators,
        responders: input.responders,
        checkInWait: input.checkInWait,
        unanswered: input.unanswered
      };
    case 'research':
      return { ...input, until: Math.floor(input.until) };
    default:
      return input;
  }
}

export interface SessionOptions extends Omit<DeriveParams, 'groupId'> {
  groupId: Uint8Array;
  device: DeviceKeys;
  random: Random;
}

/** A device to wake, as the group's ledger says [PUSH-14]. */
export interface WakeTarget {
  device: string;
  handle: Uint8Array;
  /** The relay the device registered its handle at (its sync address). */
  relay: string;
  x25519: Uint8Array;
}

const jsonOf = (text: string | undefined) => (text === undefined ? undefined : jsonObject(text));

export class GroupSession {
  readonly ledger: Ledger;
  readonly groupId: Uint8Array;
  readonly device: DeviceKeys;
  private readonly random: Random;
  /** The keys this device holds for the group, and opening what they seal. */
  readonly keyring: KeyRing;
  private meFor: GroupState | undefined;
  private meCached = '';

  constructor(o: SessionOptions) {
    this.groupId = o.groupId;
    this.device = o.device;
    this.random = o.random;
    this.ledger = new Ledger({ groupId: o.groupId, verify: o.verify, verdicts: o.verdicts });
    this.keyring = new KeyRing(o.groupId, o.device, () => this.ledger.state);
  }

  get state(): GroupState {
    return this.ledger.state;
  }

  addAll(entries: Iterable<Uint8Array>): void {
    this.ledger.addAll(entries);
  }

  /** `addAll` in slices, awaiting `pause` between them; read nothing from it until it resolves. */
  addAllSliced(entries: Iterable<Uint8Array>, pause: () => Promise<void>): Promise<void> {
    return this.ledger.addAllSliced(entries, pause);
  }

  /**
   * The member this device belongs to: its own id, or the identity it was linked to as a further
   * device [LED-8].
   */
  get me(): string {
    const state = this.state;
    if (this.meFor !== state) {
      this.meFor = state;
      this.meCached =
        Object.values(state.members).find(
          (m) => m.id !== this.device.id && m.devices.includes(this.device.id)
        )?.id ?? this.device.id;
    }
    return this.meCached;
  }

  /**
   * The time an entry this device writes now would witness [TIME-1]: the second-latest time
   * claimed by the other members (the latest if only one other has written), never this
   * member's own clock. A close written before this reaches a deadline would be refused.
   */
  witnessedNow(): number {
    const times: number[] = [];
    for (const m of Object.values(this.state.members)) {
      // Only active members witness, as the reducer counts them [TIME-1, LED-14].
      if (m.id === this.me || m.status !== 'active') continue;
      let latest = -1;
      for (const d of m.devices) {
        const tip = this.ledger.tip(d);
        const e = tip ? this.ledger.entry(tip.id) : undefined;
        if (e && e.time > latest) latest = e.time;
      }
      if (latest >= 0) times.push(latest);
    }
    times.sort((a, b) => b - a);
    return times[1] ?? times[0] ?? 0;
  }

  /**
   * Why the group would not count a proposal to admit this application if this device started
   * it now, or undefined when it would [INV-2, INV-7, RED-25]: the screen says so instead of
   * offering a vote that cannot pass.
   */
  admissionRefusal(application: string): 'invite-revoked' | 'invite-expired' | undefined {
    const a = this.state.applications[application];
    const inv = a?.invite ? this.state.invites[a.invite] : undefined;
    if (!a || !inv) return undefined;
    if (this.ledger.revokedUnseen(inv.id, a.id)) return 'invite-revoked';
    if (tooLateToAdmit(inv, this.witnessedNow())) return 'invite-expired';
    return undefined;
  }

  /** Whether this device writes for an active member (a retired key does not, ID-7). */
  isMember(): boolean {
    const m = this.state.members[this.me];
    return m?.status === 'active' && m.devices.includes(this.device.id);
  }

  /** Whether the group retired this device's key (a leaked backup) [ID-7]. */
  retired(): boolean {
    return !!this.state.retired[this.device.id];
  }

  /** Remembers an invitation secret (one this device made, or the one it applies with). */
  knowInvite(inviteEntry: string, secret: Uint8Array): void {
    this.keyring.knowInvite(inviteEntry, secret);
  }

  /** The epoch keys this device can open now [ENC-1, ENC-2]. */
  keys(): Map<number, Uint8Array> {
    return this.keyring.keys();
  }

  /**
   * Whether another phone wrote as this device (a copy of its data): the group counts nothing
   * this device writes from the fork on (LED-6) [APP-12].
   */
  chainBroken(): boolean {
    return this.ledger.equivocated(this.device.id);
  }

  hasCurrentKey(): boolean {
    return this.keyring.hasCurrentKey();
  }

  /** Opens a text from the state; `invite` names the invitation an applicant's text used. */
  open(t: Text, invite?: string | null): string | undefined {
    return this.keyring.open(t, invite);
  }

  /**
   * A member's display name, or undefined when they chose none this device can read, or one that
   * could hide or reorder text (bidi controls, zero-width characters: never shown) [ID-4, RED-28].
   */
  nameOf(member: string): string | undefined {
    const profile = this.state.profiles[member];
    const fromProfile = profile ? this.open(profile.name) : undefined;
    if (fromProfile) return safeDisplayName(fromProfile);
    const application = Object.values(this.state.applications)
      .filter((a) => a.applicant === member && a.name !== null)
      .pop();
    return application?.name
      ? safeDisplayName(this.open(application.name, application.invite))
      : undefined;
  }

  #lookalikes: { key: string; members: Set<string> } | undefined;

  /**
   * Whether `member`'s shown name looks like another active member's (the same Unicode
   * confusable skeleton: `Rоbin` with a Cyrillic о beside Robin) [ID-8]. The screen then shows
   * the name with the member's key fingerprint, for both of them.
   */
  looksLikeAnother(member: string): boolean {
    const state = this.state;
    const key = `${state.audit.length}:${this.keys().size}`;
    if (this.#lookalikes?.key !== key) {
      const names = new Map<string, string>();
      for (const m of Object.values(state.members)) {
        if (m.status !== 'active') continue;
        const name = this.nameOf(m.id);
        if (name) names.set(m.id, name);
      }
      this.#lookalikes = { key, members: lookalikes(names) };
    }
    return this.#lookalikes.members.has(member);
  }

  /**
   * Signs this device's next entry on top of everything it has seen. Texts are sealed with the
   * current epoch key. When a removal has made a rotation due, a new epoch is started first, so
   * nothing is ever written with a key a removed member holds [ENC-6].
   */
  private write(make: () => Payload, now: number, refs: string[] = []): Uint8Array[] {
    const out: Uint8Array[] = [];
    const state = this.state;
    if (state.rotationDue && state.currentEpoch > 0 && this.isMember()) {
      const rotation = this.rotate(now);
      if (rotation) out.push(rotation);
    }
    out.push(this.sign(make, now, undefined, refs));
    return out;
  }

  /**
   * Signs the next entry of this device's chain. Texts are sealed with the current epoch key, or
   * with `sealWith` (an applicant's invitation key, epoch 0).
   */
  private sign(
    make: () => Payload,
    now: number,
    sealWith?: { epoch: number; key: Uint8Array; context?: Uint8Array },
    refs: string[] = []
  ): Uint8Array {
    const state = this.state;
    const tip = this.ledger.tip(this.device.id);
    const epoch = sealWith?.epoch ?? state.currentEpoch;
    const key = sealWith ? sealWith.key : this.keys().get(epoch);
    // Built as it is signed: after any rotation `write` started, with the epoch it made current.
    const p = make();
    const { bytes } = signNext({
      device: this.device,
      groupId: this.groupId,
      random: this.random,
      tip,
      prev: parentsFor(
        state.heads,
        tip?.id ?? null,
        refs.filter((r) => this.ledger.has(r))
      ),
      kind: p.kind,
      sealWith: { epoch, key, context: sealWith?.context ?? this.groupId },
      payload: (seal) => encodePayload(p, seal),
      now
    });
    this.ledger.add(bytes);
    return bytes;
  }

  /** Devices of active members, with their X25519 keys, except `without`'s. */
  private recipients(without?: string): [Uint8Array, Uint8Array][] {
    const out: [Uint8Array, Uint8Array][] = [];
    for (const m of Object.values(this.state.members)) {
      if (m.status !== 'active' || m.id === without) continue;
      for (const d of m.devices) {
        const x = m.x25519[d];
        if (x) out.push([hexToBytes(d), hexToBytes(x)]);
      }
    }
    return out.sort((a, b) => (toHex(a[0]) < toHex(b[0]) ? -1 : 1));
  }

  /** Starts the next key epoch for every active member's device [ENC-4, ENC-6]. */
  private rotate(now: number): Uint8Array | undefined {
    const key = this.random(32);
    const epoch = this.state.currentEpoch + 1;
    const to = this.recipients();
    if (to.length === 0) return undefined;
    const first = to.slice(0, MAX_BOXES_PER_ENTRY);
    const bytes = this.sign(
      () => ({ kind: Kind.Lockboxes, ...lockboxSet(this.groupId, epoch, key, first, this.random) }),
      now
    );
    return bytes;
  }

  /**
   * Gives the current key to member devices that lack it (new members, new devices) [ENC-5].
   * Empty when nothing is missing or this device does not hold the key.
   */
  heal(now: number): Uint8Array[] {
    const state = this.state;
    const key = this.keys().get(state.currentEpoch);
    const missing = this.missingKeys();
    const out: Uint8Array[] = [];
    if (!key) return out;
    for (let i = 0; i < missing.length; i += MAX_BOXES_PER_ENTRY) {
      const part = missing.slice(i, i + MAX_BOXES_PER_ENTRY);
      out.push(
        this.sign(
          () => ({
            kind: Kind.Lockboxes,
            ...lockboxSet(this.groupId, state.currentEpoch, key, part, this.random)
          }),
          now
        )
      );
    }
    return out;
  }

  /** Member devices that lack the current key, when this device holds it and may give it. */
  missingKeys(): [Uint8Array, Uint8Array][] {
    const state = this.state;
    if (!this.isMember() || state.rotationDue) return [];
    const epoch = state.epochs[state.currentEpoch];
    if (!epoch || !this.keys().has(state.currentEpoch)) return [];
    return this.recipients().filter(([d]) => !epoch.lockboxes[toHex(d)]);
  }

  /** Whether a rotation is due and this device should start it (it is a member). */
  rotationPending(): boolean {
    return this.state.rotationDue && this.state.currentEpoch > 0 && this.isMember();
  }

  rotateNow(now: number): Uint8Array[] {
    if (!this.rotationPending()) return [];
    const r = this.rotate(now);
    return r ? [r] : [];
  }

  /**
   * Says where to wake this device for this group [PUSH-14]: its push handle for the current key
   * epoch and the relay it registered there, sealed with the group key (members only; the relay
   * sees neither). Nothing when the same is already said for this epoch, or this device cannot
   * seal yet (no key, not a member).
   */
  publishPush(pushSecret: Uint8Array, relay: string, now: number): Uint8Array[] {
    if (!this.isMember() || !this.hasCurrentKey()) return [];
    const said = JSON.stringify({
      h: toBase64Url(this.pushHandleNow(pushSecret)),
      r: relay
    });
    const mine = this.state.push[this.device.id];
    if (
      mine &&
      isSealed(mine.handle) &&
      mine.handle.epoch === this.state.currentEpoch &&
      this.open(mine.handle) === said
    )
      return [];
    return this.write(() => ({ kind: Kind.Push, handle: said }), now);
  }

  /** This device's push handle for the group's current key epoch (what it registers) [PUSH-11]. */
  pushHandleNow(pushSecret: Uint8Array): Uint8Array {
    return pushHandle(pushSecret, this.groupId, this.state.currentEpoch);
  }

  /**
   * Where to wake the devices of `members` [PUSH-14]: the handles they published for the current
   * key epoch (an older epoch's handle is stale: the device registers a new one), with the relay
   * and the device's X25519 key to seal to. Never this device; retired devices never.
   */
  wakeTargets(members: Iterable<string>): WakeTarget[] {
    const out: WakeTarget[] = [];
    for (const id of new Set(members)) {
      const m = this.state.members[id];
      if (!m || m.status !== 'active') continue;
      for (const device of m.devices) {
        const said = this.state.push[device];
        const x = m.x25519[device];
        if (!said || !x || device === this.device.id || this.state.retired[device]) continue;
        if (!isSealed(said.handle) || said.handle.epoch !== this.state.currentEpoch) continue;
        const target = readWakeTarget(jsonOf(this.open(said.handle)));
        if (target) out.push({ device, x25519: hexToBytes(x), ...target });
      }
    }
    return out;
  }

  profile(name: string, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.Profile, name }), now);
  }

  /**
   * Makes an invitation [INV-1]: the secret (random, for the link) derives the invite key; the
   * entry publishes its public half and the secret sealed for members [INV-4].
   */
  invite(
    now: number,
    o: {
      days: number;
      singleUse: boolean;
      /** What the invited person reads first: the group's name, description and rules [INV-5]. */
      card?: { name: string; description: string; rules: string };
      /** Where to wake this phone when someone applies with it (notifications on) [PUSH-19]. */
      wake?: { handle: Uint8Array; relay: string };
    }
  ): {
    entries: Uint8Array[];
    secret: Uint8Array;
    inviteId: string;
  } {
    const secret = this.random(32);
    const entries = this.write(
      () => ({
        kind: Kind.Invite,
        key: toHex(inviteKeyPair(secret).publicKey),
        expires: Math.floor(now) + o.days * 86_400,
        singleUse: o.singleUse,
        secret: toHex(secret),
        card: o.card
          ? sealInviteCard(
              o.wake ? { ...o.card, wake: { ...o.wake, x25519: this.device.xPublic } } : o.card,
              secret,
              this.groupId,
              this.random(24)
            )
          : undefined
      }),
      now
    );
    const inviteId = entryId(entries[entries.length - 1]!);
    this.keyring.knowInvite(inviteId, secret);
    return { entries, secret, inviteId };
  }

  revokeInvite(invite: string, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.RevokeInvite, invite }), now);
  }

  /**
   * Applies to join with an invitation [INV-2, INV-4]: name and motivation are sealed with the
   * invitation's text key; the proof signs this device's own keys with the invitation key.
   */
  apply(o: {
    invite: string;
    secret: Uint8Array;
    name: string;
    motivation: string;
    now: number;
  }): Uint8Array[] {
    this.keyring.knowInvite(o.invite, o.secret);
    const textKey = inviteTextKey(o.secret);
    const proof = signInviteProof(
      o.secret,
      this.groupId,
      o.invite,
      this.device.publicKey,
      this.device.xPublic
    );
    const bytes = this.sign(
      () => ({
        kind: Kind.Apply,
        motivation: o.motivation,
        name: o.name,
        x25519: this.device.xPublic,
        invite: { entry: o.invite, proof }
      }),
      o.now,
      { epoch: 0, key: textKey }
    );
    return [bytes];
  }

  propose(input: ProposalInput, now: number): Uint8Array[] {
    // An application is an outsider's entry, never a head: the proposal names it.
    const refs = input.type === 'admit' ? [input.application] : [];
    return this.write(() => ({ kind: Kind.Propose, proposal: proposalBody(input) }), now, refs);
  }

  vote(proposal: string, choice: 0 | 1 | 2, reason: string, now: number): Uint8Array[] {
    return this.write(
      () => ({ kind: Kind.Ballot, proposal, choice, reason: reason.trim() || undefined }),
      now
    );
  }

  /**
   * This member's word on research export [RES-2]: for one study (a research proposal, even one
   * still being voted on) or, with `study` null, for every study now and later.
   */
  consent(study: string | null, consent: boolean, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.Consent, study: study ?? undefined, consent }), now);
  }

  comment(proposal: string, text: string, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.Comment, proposal, text }), now);
  }

  /**
   * Asks the group to retire every key of this member but this phone's [ID-7]: for a phone lost,
   * or a backup in someone else's hands. Not possible from the identity key itself (the one every
   * backup holds: a phone cannot ask with the key it retires), when nothing else of the member's
   * counts, or while such a vote is already open.
   */
  retireOthers(
    now: number
  ): Uint8Array[] | 'not-member' | 'identity-device' | 'nothing-to-retire' | 'already-asked' {
    if (!this.isMember()) return 'not-member';
    const me = this.state.members[this.me]!;
    if (this.device.id === me.id) return 'identity-device';
    const others = [...new Set([...me.devices, me.id])].filter(
      (d) => d !== this.device.id && !this.state.retired[d]
    );
    if (others.length === 0) return 'nothing-to-retire';
    const open = Object.values(this.state.proposals).some(
      (p) => p.status === 'voting' && p.body.type === 'retire' && p.body.member === me.id
    );
    if (open) return 'already-asked';
    return this.propose({ type: 'retire', member: me.id, keep: [this.device.id] }, now);
  }

  /**
   * Closes a vote [GOV-6]. A removal that passes carries the next epoch's lockboxes for everyone
   * but the removed member, so the key rotates in the same step [ENC-6].
   */
  close(proposal: string, now: number): Uint8Array[] {
    const p = this.state.proposals[proposal];
    const passing = p?.tally?.passed === true;
    const removed = p?.body.type === 'remove' && passing ? p.body.member : undefined;
    // A retirement rotates too: the new key goes to every device but those it retires [ID-7].
    const retiring = p?.body.type === 'retire' && passing ? p.body : undefined;
    return this.write(() => {
      if (!removed && !retiring) return { kind: Kind.Close, proposal, lockboxes: undefined };
      const to = this.recipients(removed)
        .filter(
          ([d]) =>
            !retiring ||
            this.state.members[retiring.member]?.devices.includes(toHex(d)) !== true ||
            retiring.keep.includes(toHex(d))
        )
        .slice(0, MAX_BOXES_PER_ENTRY);
      const key = this.random(32);
      return {
        kind: Kind.Close,
        proposal,
        lockboxes: lockboxSet(this.groupId, this.state.currentEpoch + 1, key, to, this.random)
      };
    }, now);
  }

  outcome(proposal: string, text: string, reviewAt: number, now: number): Uint8Array[] {
    return this.write(
      () => ({ kind: Kind.Outcome, proposal, text, review: Math.floor(reviewAt) }),
      now
    );
  }

  delegate(scope: ProposalKind | 'all', to: string | null, now: number): Uint8Array[] {
    return to === null
      ? this.write(() => ({ kind: Kind.RevokeDelegation, scope }), now)
      : this.write(() => ({ kind: Kind.Delegate, scope, to }), now);
  }

  helped(entry: string, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.Helped, target: entry, post: undefined }), now, [entry]);
  }

  mentor(mentee: string, mentor: string, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.Mentor, mentee, mentor }), now);
  }

  /**
   * A leader's emergency action and, in the same step, the vote that may ratify it [GOV-11,
   * APP-7]: without a passing vote the action lapses when its time is up.
   */
  emergency(
    action: 'hide' | 'mute',
    target: string,
    hours: number,
    reason: string,
    now: number
  ): Uint8Array[] {
    const out = this.write(
      () => ({
        kind: Kind.Emergency,
        action,
        target,
        duration: Math.round(hours * 3600),
        reason
      }),
      now,
      action === 'hide' ? [target] : []
    );
    const id = entryId(out[out.length - 1]!);
    if (!this.state.emergencies[id]) return out;
    return [...out, ...this.propose({ type: 'ratify', action: id }, now)];
  }

  /**
   * A moderator mutes a member for `hours` (no posts, replies or comments), or lifts the mute
   * with 0 [SAFE-22]. The note to the member is sealed like any text.
   */
  mute(
    member: string,
    hours: number,
    reason: ReportReason,
    note: string,
    now: number
  ): Uint8Array[] {
    return this.write(
      () => ({
        kind: Kind.Mute,
        member,
        duration: Math.max(0, Math.round(hours * 3600)),
        reason,
        note: note.trim() || undefined
      }),
      now
    );
  }

  /**
   * Joins another device to this member's identity [LED-8]: `proof` is the new device's signature
   * (see `deviceProof`). Written by any device the member already has.
   */
  addDevice(
    device: { publicKey: Uint8Array; xPublic: Uint8Array },
    proof: Uint8Array,
    now: number
  ): Uint8Array[] {
    return this.write(
      () => ({
        kind: Kind.DeviceAdd,
        device: toHex(device.publicKey),
        x25519: device.xPublic,
        proof
      }),
      now
    );
  }

  /**
   * Links another phone to this member [ID-6]: adds its device (the proof is made here from its
   * keys, which this phone made for it) and hands it the current key in the same step.
   */
  link(newDevice: DeviceKeys, now: number): Uint8Array[] {
    if (!this.isMember()) return [];
    const proof = GroupSession.deviceProof(this.groupId, hexToBytes(this.me), newDevice);
    const out = this.addDevice(newDevice, proof, now);
    if (!this.state.members[this.me]?.devices.includes(newDevice.id)) return out;
    return [...out, ...this.heal(now)];
  }

  /**
   * Adds this device to the member whose backed-up device key it holds (restoring a backup)
   * [ID-5]. Every entry is in this device's own chain: the backed-up key only signs an
   * authorization, so the old phone (lost, or still in use and offline) and this one never
   * write one device chain (LED-6). This device then gives itself the current key, opened with
   * the backed-up device's key. 'already' when it is the member's already; 'not-member' when the
   * backed-up device belongs to no active member here; empty when the group refuses the device.
   */
  recover(backedUp: DeviceKeys, now: number): Uint8Array[] | 'already' | 'not-member' {
    const state = this.state;
    const member = Object.values(state.members).find((m) => m.devices.includes(backedUp.id));
    if (!member || member.status !== 'active') return 'not-member';
    if (member.devices.includes(this.device.id)) return 'already';
    const memberId = hexToBytes(member.id);
    const out = [
      this.sign(
        () => ({
          kind: Kind.DeviceAdd,
          device: this.device.id,
          x25519: this.device.xPublic,
          proof: GroupSession.deviceProof(this.groupId, memberId, this.device),
          recovery: {
            by: backedUp.id,
            auth: sign(
              backedUp.secret,
              deviceAuthMessage(this.groupId, memberId, this.device.publicKey)
            )
          }
        }),
        now
      )
    ];
    // Refused (this device was removed from the group once): nothing worth storing.
    if (!this.isMember()) return [];
    this.keyring.openKeysOf(backedUp);
    return [...out, ...this.heal(now)];
  }

  /**
   * Removes one of this member's other devices (e.g. a link that was never used) [LED-8], and
   * starts a new key epoch in the same step: the withdrawn device held the current key [ENC-6].
   */
  removeDevice(device: string, now: number): Uint8Array[] {
    const out = this.write(() => ({ kind: Kind.DeviceRemove, device }), now);
    return [...out, ...this.rotateNow(now)];
  }

  /**
   * Whether this device holds lockboxes for the current epoch and none of them opens to its key
   * (someone sealed junk) [ENC-10]: it should say so (`reportKeys`), so the group rotates.
   */
  keyProblem(): boolean {
    const state = this.state;
    const epoch = state.epochs[state.currentEpoch];
    if (!epoch || state.rotationDue || !this.isMember()) return false;
    if (!epoch.lockboxes[this.device.id]?.length) return false;
    if (this.keys().has(state.currentEpoch)) return false;
    // Already said, for this epoch.
    return !Object.values(this.reportedKeys).includes(`${epoch.number}:${epoch.keyId}`);
  }

  /** Says that this device's lockboxes for the current epoch open nothing [ENC-10]. */
  reportKeys(now: number): Uint8Array[] {
    if (!this.keyProblem()) return [];
    const epoch = this.state.epochs[this.state.currentEpoch]!;
    const out = [
      this.sign(() => ({ kind: Kind.KeyReport, epoch: epoch.number, keyId: epoch.keyId }), now)
    ];
    this.reportedKeys[entryId(out[0]!)] = `${epoch.number}:${epoch.keyId}`;
    return out;
  }

  private readonly reportedKeys: Record<string, string> = {};

  settings(o: { name?: string; description?: string }, now: number): Uint8Array[] {
    return this.write(
      () => ({ kind: Kind.Settings, name: o.name, description: o.description }),
      now
    );
  }

  /**
   * Opens a support thread [SPACE-1]: the ledger lists it (title, topic, optional content warning,
   * all sealed) and names the thread's own document, which the app made first.
   */
  openThread(
    doc: string,
    o: { title: string; topic: string; cw?: string },
    now: number
  ): Uint8Array[] {
    return this.write(
      () => ({
        kind: Kind.Thread,
        doc,
        title: o.title,
        topic: o.topic,
        cw: o.cw?.trim() || undefined,
        private: undefined
      }),
      now
    );
  }

  /**
   * Signs an entry for a thread's own document [SPACE-2] (not the ledger): sealed with the current
   * epoch, linked to this device's previous entry in that thread (`tip`).
   */
  private signForThread(
    p: SpacePayload,
    tip: { seq: number; id: string } | null,
    now: number,
    seen: readonly string[] = []
  ): Uint8Array {
    const channel = this.channel(p.thread);
    // A private channel takes only its own key; without it this device cannot write there.
    if (!channel && this.state.threads[p.thread]?.private) throw new NoKeyError();
    const epoch = channel ? CHANNEL_EPOCH : this.state.currentEpoch;
    return signNext({
      device: this.device,
      groupId: this.groupId,
      random: this.random,
      tip,
      // The moderators' decisions this one (or this report) saw come before it, whatever the
      // clocks say [SAFE-18, TIME-2].
      prev: [...new Set(seen)].sort().slice(-MAX_PREV),
      kind: p.kind,
      sealWith: {
        epoch,
        key: channel ? channel.key : this.keys().get(epoch),
        context: channel?.id ?? this.groupId
      },
      payload: (seal) => encodeSpacePayload(p, seal),
      now
    }).bytes;
  }

  post(
    thread: string,
    tip: { seq: number; id: string } | null,
    o: { text: string; replyTo?: string; cw?: string },
    now: number
  ): Uint8Array {
    return this.signForThread(
      {
        kind: SpaceKind.Post,
        thread,
        text: o.text,
        replyTo: o.replyTo || undefined,
        cw: o.cw?.trim() || undefined
      },
      tip,
      now
    );
  }

  react(
    thread: string,
    tip: { seq: number; id: string } | null,
    post: string,
    reaction: Reaction,
    now: number
  ): Uint8Array {
    return this.signForThread({ kind: SpaceKind.React, thread, post, reaction }, tip, now);
  }

  /** Reports a post to the moderators [SAFE-17]: a reason code, no words. */
  report(
    thread: string,
    tip: { seq: number; id: string } | null,
    post: string,
    reason: ReportReason,
    now: number,
    seen: readonly string[] = []
  ): Uint8Array {
    return this.signForThread({ kind: SpaceKind.Report, thread, post, reason }, tip, now, seen);
  }

  /**
   * A moderator's decision on a post [SAFE-18]: remove, hide behind a warning, warn the author
   * with a note, or reinstate. Other members' devices ignore it unless this member moderates.
   */
  moderate(
    thread: string,
    tip: { seq: number; id: string } | null,
    o: {
      post: string;
      act: ModerationAct;
      reason: ReportReason;
      note?: string;
      /** The decisions on this post the moderator has seen: this one comes after them. */
      seen?: readonly string[];
    },
    now: number
  ): Uint8Array {
    return this.signForThread(
      {
        kind: SpaceKind.Moderate,
        thread,
        post: o.post,
        act: o.act,
        reason: o.reason,
        note: o.note?.trim() || undefined
      },
      tip,
      now,
      o.seen
    );
  }

  /**
   * Opens a private conversation with one's mentor or mentee [SPACE-4]: a fresh key, sealed only to
   * the two members' devices; the title and topic are sealed with it too.
   */
  openPrivateThread(
    doc: string,
    withMember: string,
    o: { title: string; topic: string },
    now: number
  ): Uint8Array[] {
    return this.openChannel(doc, 'mentor', [withMember], o, now);
  }

  /**
   * Asks the group's responders to check in [SAFE-24]: a private channel between this member and
   * every responder (never oneself twice), opened even while muted. Nothing to write when the group
   * has no responder other than oneself.
   */
  askForCheckIn(doc: string, o: { title: string; topic: string }, now: number): Uint8Array[] {
    const to = responders(this.state).filter((id) => id !== this.me);
    if (to.length === 0) return [];
    return this.openChannel(doc, 'care', to, o, now);
  }

  /** Shares something private (the safety plan) with chosen members only [SAFE-25]. */
  shareWith(
    doc: string,
    members: string[],
    o: { title: string; topic: string },
    now: number
  ): Uint8Array[] {
    const to = [...new Set(members)].filter((id) => id !== this.me);
    if (to.length === 0) return [];
    return this.openChannel(doc, 'plan', to, o, now);
  }

  /**
   * A private channel [SPACE-4, SAFE-24, SAFE-25]: a fresh key sealed only to the devices of this
   * member and `others`; its title and topic are sealed with that key too.
   */
  private openChannel(
    doc: string,
    purpose: ChannelPurpose,
    others: string[],
    o: { title: string; topic: string },
    now: number
  ): Uint8Array[] {
    const key = this.random(32);
    const nonce = this.random(16);
    const id = channelIdFor(this.groupId, nonce);
    const members = [this.me, ...others];
    const to = this.recipients().filter(([d]) => {
      const owner = Object.values(this.state.members).find((m) => m.devices.includes(toHex(d)));
      return !!owner && members.includes(owner.id);
    });
    const bytes = this.sign(
      () => ({
        kind: Kind.Thread,
        doc,
        title: o.title,
        topic: o.topic,
        cw: undefined,
        private: {
          nonce,
          purpose,
          members,
          lockboxes: lockboxSet(id, CHANNEL_EPOCH, key, to, this.random)
        }
      }),
      now,
      { epoch: CHANNEL_EPOCH, key, context: id }
    );
    const thread = entryId(bytes);
    if (this.state.threads[thread]) this.keyring.keepChannel(thread, { id, key });
    return [bytes];
  }

  /** The key and id of a private channel this device holds a lockbox for [SPACE-4]. */
  channel(thread: string): Channel | undefined {
    return this.keyring.channel(thread);
  }

  /** Opens a text of a thread: a private channel's texts with its key, others as usual. */
  openIn(thread: string, t: Text): string | undefined {
    return this.keyring.openIn(thread, t);
  }

  /** "This helped" for a post: the ledger entry carries the post's envelope [SPACE-3]. */
  helpedPost(post: string, envelope: Uint8Array, now: number): Uint8Array[] {
    return this.write(() => ({ kind: Kind.Helped, target: post, post: envelope }), now);
  }

  /** What this device's second device signs to join its identity [LED-8]. */
  static deviceProof(groupId: Uint8Array, member: Uint8Array, newDevice: DeviceKeys): Uint8Array {
    return sign(newDevice.secret, deviceProofMessage(groupId, member));
  }

  /** The comments on a proposal, oldest first, with their authors (applied entries only). */
  comments(proposal: string): { id: string; author: string; text: Text }[] {
    return commentsOn(this.ledger, proposal);
  }
}
