import { isAncestor, type Dag } from '../ledger/dag';
import type { Entry } from '../ledger/envelope';
import { MAX_AHEAD_SECONDS, PROBATION_SECONDS } from './settings';
import type { GroupState, Member } from './state';
import { tierRank, type Reason, type Tier } from './types';

/**
 * What a transform needs besides the state: the causal structure, who owns which device, and the
 * verdicts so far. Authorization always asks about the entry's causal past, never about "now"
 * [GOV-5], and time is the witnessed time of that past, never the author's own claim [TIME-1].
 */
/** A map that counts its changes, so answers computed from it can be reused until it changes. */
class VersionedMap<K, V> extends Map<K, V> {
  version = 0;
  override set(k: K, v: V): this {
    this.version++;
    return super.set(k, v);
  }
  override delete(k: K): boolean {
    this.version++;
    return super.delete(k);
  }
}

export class Ctx {
  /** device → member id, and the entry that attached the device. */
  readonly owner = new VersionedMap<string, { member: string; since: string }>();
  /** Devices a member removed: never added again, so an old authorization cannot return [LED-8]. */
  readonly retired = new Set<string>();
  /**
   * Devices withdrawn by `DeviceRemove` [LED-8]: whose they were, which device withdrew them and
   * their X25519 key, so a retirement can give back a device the leaked key withdrew [ID-7].
   */
  readonly withdrawn = new Map<string, { member: string; by: string; x25519: string | null }>();
  /** witness() answers by entry, valid while membership (`owner`, admissions, removals) is unchanged. */
  readonly #witnessed = new Map<string, { version: number; time: number }>();
  /**
   * Entries whose author was, at the entry's position, an authorized device of a member (and the
   * genesis, and a restored device's own addition): only these become heads, so an outsider's
   * entries never enter an honest writer's `prev` [LED-14].
   */
  readonly eligible = new Set<string>();
  /** The state being folded (set by the fold; witnessed time reads membership from it). */
  state!: GroupState;
  /** The valid genesis, once folded. */
  genesis: string | null = null;
  /** entry → reason, for ignored entries. */
  readonly ignored = new Map<string, Reason>();
  /** entry → the tier it relied on (for "demotion drops concurrent uses") [GOV-10]. */
  readonly usedTier = new Map<string, Tier>();
  readonly revocations: {
    entry: string;
    member: string;
    kind: 'remove' | 'demote' | 'retire';
    tier: Tier | null;
    /** For a retirement: the devices it retired [ID-7]. */
    devices?: string[];
  }[] = [];
  /** Removal proposals' closes, with who proposed them (for mutual removals) [GOV-9]. */
  readonly removals: { close: string; proposer: string; target: string }[] = [];
  readonly byId = new Map<string, Entry>();
  /** member → delegation grants and revocations in causal order (`to` null = revoked). */
  readonly delegationHistory = new Map<
    string,
    { entry: string; scope: string; to: string | null }[]
  >();
  /** (kind, rules) set by each governance change, in causal order [GOV-4]. */
  readonly settingsHistory: {
    entry: string;
    kind: string;
    rules: import('./types').VotingRules;
  }[] = [];

  /** Peer moderators and responders named by each 'moderation' decision, in causal order [SAFE-21]. */
  readonly moderatorsHistory: { entry: string; members: string[] }[] = [];
  readonly respondersHistory: { entry: string; members: string[] }[] = [];

  /** invite → every revocation of it, in causal order [INV-2]. */
  readonly inviteRevocations = new Map<string, string[]>();

  /** "this helped" marks already given, as `marker:target`. */
  readonly marks = new Set<string>();
  /** Settings the group started with (genesis), before any governance change. */
  initialSettings!: import('./types').GovernanceSettings;

  constructor(
    readonly dag: Dag,
    readonly groupId: Uint8Array,
    readonly verifyProof: (
      id: string,
      device: Uint8Array,
      message: Uint8Array,
      proof: Uint8Array
    ) => boolean
  ) {}

  ancestor(a: string, b: string): boolean {
    return isAncestor(this.dag, a, b);
  }

  /** Bumped whenever who is an active member changes, so cached witnessed times are recomputed. */
  membershipChanged(): void {
    this.owner.version++;
  }

  /**
   * The one clock every rule reads [TIME-1]: for each active member other than `e`'s author (all
   * of the author's devices are left out), the latest time their devices claimed in `e`'s causal
   * past; then the second highest of those (the highest when only one), never before the genesis. Only devices of
   * members admitted and not removed in `e`'s past count: an outsider's key, an applicant, a
   * removed member are never witnesses [LED-14], so two junk entries dated ahead move nothing.
   */
  witness(e: Entry): number {
    const known = this.#witnessed.get(e.id);
    if (known && known.version === this.owner.version) return known.time;
    const time = this.#witness(e);
    this.#witnessed.set(e.id, { version: this.owner.version, time });
    return time;
  }

  #witness(e: Entry): number {
    const vv = this.dag.vv.get(e.id);
    if (!vv) return 0;
    const author = this.owner.get(e.device)?.member ?? e.device;
    const perMember = new Map<string, number>();
    for (let i = 0; i < vv.length; i++) {
      const seq = vv[i]!;
      const device = this.dag.devices[i]!;
      if (seq === 0 || device === e.device) continue;
      const owner = this.owner.get(device);
      if (!owner || owner.member === author) continue;
      const m = this.state.members[owner.member];
      if (!m || !this.ancestor(owner.since, e.id) || !this.ancestor(m.admittedBy, e.id)) continue;
      if (m.removedBy && this.ancestor(m.removedBy, e.id)) continue;
      const id = this.dag.chain.get(device)?.get(seq);
      const t = id ? (this.dag.time.get(id) ?? 0) : 0;
      if ((perMember.get(owner.member) ?? -1) < t) perMember.set(owner.member, t);
    }
    const times = [...perMember.values()].sort((a, b) => b - a);
    return Math.max(times[1] ?? times[0] ?? 0, this.founded);
  }

  /**
   * The time of the act itself, on the one clock [TIME-2]: the author's claimed time (monotone
   * along their chain), never before the witnessed time of its past, never more than
   * MAX_AHEAD_SECONDS after it.
   */
  timeOf(e: Entry): number {
    const w = this.witness(e);
    const claimed = this.dag.time.get(e.id) ?? e.time;
    return Math.max(w, Math.min(claimed, w + MAX_AHEAD_SECONDS));
  }

  /** When the group was founded (its genesis's time): the clock never reads earlier [TIME-1]. */
  get founded(): number {
    return this.genesis ? (this.dag.time.get(this.genesis) ?? 0) : 0;
  }

  /** The member's tier as seen from `e`'s causal past, with probation ending by witnessed time. */
  tierAt(state: GroupState, m: Member, e: Entry): Tier {
    let tier: Tier = 'new';
    for (let i = m.tierHistory.length - 1; i >= 0; i--) {
      const h = m.tierHistory[i]!;
      if (this.ancestor(h.entry, e.id)) {
        tier = h.tier;
        break;
      }
    }
    if (tier === 'new' && m.probationEnd !== null && this.witness(e) >= m.probationEnd)
      return 'regular';
    return tier;
  }

  /** Who the group had named (peer moderators or responders) as seen from `e` [SAFE-21]. */
  namedAt(history: { entry: string; members: string[] }[], e: Entry): string[] {
    for (let i = history.length - 1; i >= 0; i--)
      if (this.ancestor(history[i]!.entry, e.id)) return history[i]!.members;
    return [];
  }

  /** Whether `member` moderated at `e`: the senior tier and up, or named [SAFE-18, SAFE-21]. */
  moderatesAt(state: GroupState, m: Member, e: Entry): boolean {
    return (
      tierRank(this.tierAt(state, m, e)) >= tierRank('senior') ||
      this.namedAt(this.moderatorsHistory, e).includes(m.id)
    );
  }

  /** Whether `member` was a responder at `e`: a leader, or named [SAFE-24]. */
  respondsAt(state: GroupState, m: Member, e: Entry): boolean {
    return (
      this.tierAt(state, m, e) === 'leader' ||
      this.namedAt(this.respondersHistory, e).includes(m.id)
    );
  }

  /**
   * Whether an emergency 'mute' on `member` was in force at `e`: by witnessed time, or ratified;
   * not once an appeal lifted it, nor for a membership that began after it [GOV-11, SAFE-23].
   */
  isMuted(state: GroupState, member: string, e: Entry): boolean {
    const m = state.members[member];
    for (const a of Object.values(state.emergencies)) {
      if (a.action !== 'mute' || a.target !== member || !this.ancestor(a.id, e.id)) continue;
      if (a.liftedBy && this.ancestor(a.liftedBy, e.id)) continue;
      if (m && !this.ancestor(m.admittedBy, a.id)) continue;
      if (a.ratifiedBy || this.witness(e) < a.expiresAt) return true;
    }
    return false;
  }

  /**
   * Whether `member` may not post or comment at `e` [SAFE-22]: an emergency mute, or a moderator's
   * mute in `e`'s causal past that had not ended (by witnessed time) or been lifted.
   */
  isSilenced(state: GroupState, member: string, e: Entry): boolean {
    if (this.isMuted(state, member, e)) return true;
    const mute = state.mutes[member];
    if (!mute || mute.liftedBy || !this.ancestor(mute.id, e.id)) return false;
    const m = state.members[member];
    if (m && !this.ancestor(m.admittedBy, mute.id)) return false;
    return this.witness(e) < mute.until;
  }

  /** Whether `m` was an active member in `e`'s causal past (admitted before, not removed before). */
  memberAt(m: Member, e: Entry): boolean {
    return this.ancestor(m.admittedBy, e.id) && !(m.removedBy && this.ancestor(m.removedBy, e.id));
  }
}

/** An authorized author: the member and their tier as seen from the entry's causal past. */
export interface Who {
  member: Member;
  tier: Tier;
}

/** The author of `e` as a member allowed to act, or the reason they are not [GOV-5]. */
export function authorize(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  minTier: Tier = 'new'
): Who | Reason {
  const owner = ctx.owner.get(e.device);
  const member = owner ? state.members[owner.member] : undefined;
  if (
    !owner ||
    !member ||
    !ctx.ancestor(owner.since, e.id) ||
    !ctx.ancestor(member.admittedBy, e.id)
  ) {
    // A key the group retired signs nothing that counts, wherever it falls [ID-7].
    if (!owner && state.retired[e.device]) return 'retired';
    // Decided from the causal past alone, so the reason does not depend on whether the admission
    // happens to come before or after this entry in the total order.
    const applied = Object.values(state.applications).some(
      (a) => a.applicant === e.device && ctx.ancestor(a.id, e.id)
    );
    return applied ? 'not-member-yet' : 'unknown-author';
  }
  if (member.removedBy)
    return ctx.ancestor(member.removedBy, e.id) ? 'removed' : 'removed-concurrently';
  const tier = ctx.tierAt(state, member, e);
  if (tierRank(tier) < tierRank(minTier))
    return minTier === 'leader' ? 'not-leader' : 'tier-too-low';
  if (minTier !== 'new') ctx.usedTier.set(e.id, minTier);
  ctx.eligible.add(e.id);
  return { member, tier };
}

export { PROBATION_SECONDS };
