import { sha256 } from '@noble/hashes/sha2.js';
import { verifyStrict } from '../crypto/ed25519';
import { toHex } from '../encoding/hex';
import { buildDag, concurrent, emptyDag, insert, parentsOf, type Dag } from '../ledger/dag';
import { decodeEntry, entryId, signedMessage, type Entry } from '../ledger/envelope';
import { Ctx } from './context';
import { revokedUnseen } from './invites';
import { emptyState, step } from './reducer';
import { tallyAt } from './tally';
import { DEFAULT_SETTINGS, TIER_WEIGHT } from './settings';
import type { AuditRecord, GroupState } from './state';
import { KIND_NAMES } from './kinds';
import { Kind, tierRank, type Reason } from './types';

export interface DeriveParams {
  groupId: Uint8Array;
  /**
   * Signature verdicts by entry id (and `proof:<id>` for device proofs). Filled as entries are
   * verified, so a caller that keeps it (the app keeps it in Dexie) never verifies twice [LED-9].
   */
  verdicts?: Map<string, boolean>;
  verify?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;
}

interface Fold {
  state: GroupState;
  ctx: Ctx;
}

const MAX_ROUNDS = 64;

/**
 * The group's ledger: entries in, GroupState out. `derive` and the incremental `add` give
 * byte-identical states for the same set of entries, whatever order they arrived in [LED-10].
 * Nothing here throws on input: every entry ends in the audit list with a verdict.
 */
export class Ledger {
  readonly params: Required<DeriveParams>;
  private readonly good = new Map<string, Entry>();
  private readonly rejected = new Map<
    string,
    { reason: Reason; kind: number | null; device: string | null }
  >();
  private dag: Dag = emptyDag();
  private dropped = new Map<string, Reason>();
  private fold!: Fold;
  private cached: GroupState | undefined;
  private readonly slab = new Slab();
  /** device → seqs seen, and entries whose seq another entry of their device already had. */
  private readonly seqsByDevice = new Map<string, Set<number>>();
  private readonly sharesSeq = new Set<string>();
  private readonly tips = new Map<string, Entry>();
  /** The group's heads: members' entries nothing else a member wrote builds on [LED-14]. */
  private heads: string[] = [];
  /** Ids some waiting entry needs and nobody has sent yet. */
  private missing = new Set<string>();
  /**
   * Placed entries that are not members' but did change the state or could (applications, a
   * restored device adding itself): a member's entry not built on them is not appended at once
   * if it changes who is a member, since their verdicts depend on it.
   */
  private outsiders: Entry[] = [];

  constructor(params: DeriveParams) {
    this.params = {
      verdicts: params.verdicts ?? new Map<string, boolean>(),
      verify: params.verify ?? verifyStrict,
      groupId: params.groupId
    };
    this.rebuild();
  }

  /** Number of distinct entries seen (valid or not). */
  get size(): number {
    return this.good.size + this.rejected.size;
  }

  has(id: string): boolean {
    return this.good.has(id) || this.rejected.has(id);
  }

  /** Adds many entries, then derives once. */
  addAll(list: Iterable<Uint8Array>): void {
    if (this.admitAll(list)) this.rebuild();
  }

  /**
   * The same as `addAll`, in slices: `pause` is awaited between slices of the derive, so a phone's
   * screen is not held for the whole of it [SNK-5]. The state must not be read until it resolves.
   */
  async addAllSliced(list: Iterable<Uint8Array>, pause: () => Promise<void>): Promise<void> {
    if (!this.admitAll(list)) return;
    const steps = this.rebuildSteps();
    while (!steps.next().done) await pause();
  }

  private admitAll(list: Iterable<Uint8Array>): boolean {
    let changed = false;
    for (const bytes of list) changed = this.admit(bytes) !== undefined || changed;
    return changed;
  }

  /**
   * Adds one entry [LED-11]. When it is a member's entry on top of every head (anything it has not
   * seen is an outsider's, which it cannot affect), or an outsider's entry that can only be
   * refused, it is put where a full derive would put it and applied as one more step; otherwise
   * the state is derived again.
   */
  add(bytes: Uint8Array): void {
    const e = this.admit(bytes);
    if (e === undefined) return;
    if (e === null) {
      this.cached = undefined;
      return;
    }
    const parents = parentsOf(e);
    const ctx = this.fold.ctx;
    if (
      this.sharesSeq.has(e.id) ||
      this.missing.has(e.id) ||
      !parents.every((p) => this.dag.index.has(p)) ||
      // While the ledger holds an equivocation, any new member's entry may change which twin
      // stands (one more member built on it, perhaps through a head) [LED-6]: derive again.
      this.dag.frozenFrom.size > 0
    )
      return this.rebuild();
    const junk = this.isJunk(e);
    const onTop =
      !junk &&
      e.kind !== Kind.Apply &&
      e.kind !== Kind.Genesis &&
      this.heads.every((h) => parents.includes(h));
    if (!junk && !onTop) return this.rebuild();
    insert(this.dag, e);
    if (junk && !(ctx.genesis !== null && ctx.ancestor(ctx.genesis, e.id))) return this.rebuild();
    ctx.byId.set(e.id, e);
    const membership = ctx.owner.version;
    if (!this.dag.invalid.has(e.id)) {
      const reason = step(this.fold.state, ctx, e);
      if (reason) ctx.ignored.set(e.id, reason);
    }
    // Who is a member changed: an application or restored device it had not seen may now be judged
    // differently where a full derive places it.
    if (ctx.owner.version !== membership && this.outsiders.some((x) => !ctx.ancestor(x.id, e.id)))
      return this.rebuild();
    if (ctx.eligible.has(e.id)) this.heads = [e.id];
    // A restored device's refused addition is an outsider's entry whose verdict depends on who is
    // a member: remembered, like those a full derive finds.
    else if (e.kind === Kind.DeviceAdd) this.outsiders.push(e);
    this.cached = undefined;
  }

  /**
   * An entry by a key that has never been a member's device, of a kind only members write: it is
   * `unknown-author` (or `not-member-yet`) wherever it falls in the order, and changes nothing.
   */
  private isJunk(e: Entry): boolean {
    const ctx = this.fold.ctx;
    return (
      e.kind !== Kind.Apply &&
      e.kind !== Kind.Genesis &&
      e.kind !== Kind.DeviceAdd &&
      !ctx.owner.has(e.device) &&
      !ctx.retired.has(e.device) &&
      !this.fold.state.members[e.device]
    );
  }

  /**
   * Whether two different entries of `device` share a seq in the placed ledger (LED-6): the
   * ledger already notes every such entry as it is admitted, so this is not a scan.
   */
  equivocated(device: string): boolean {
    for (const id of this.sharesSeq)
      if (this.good.get(id)?.device === device && this.dag.invalid.get(id) === 'equivocation')
        return true;
    return false;
  }

  /**
   * Whether an application's invitation was withdrawn by an entry that had not seen the
   * application, among those this ledger holds (all of them in the past of what it writes next)
   * [INV-2, RED-18].
   */
  revokedUnseen(invite: string, application: string): boolean {
    void this.state;
    return revokedUnseen(this.fold.ctx, invite, application, () => true);
  }

  /** A verified entry by id (undefined for unknown or rejected ids). */
  entry(id: string): Entry | undefined {
    return this.good.get(id);
  }

  /** How many verified entries the ledger holds. */
  get verifiedCount(): number {
    return this.good.size;
  }

  /** The envelopes of every verified entry (what a research export reads, RES-4). */
  envelopes(): Uint8Array[] {
    return [...this.good.values()].map((e) => e.bytes);
  }

  /**
   * Where a device's chain ends: its highest seq and that entry's id, so its next entry links on
   * [LED-5]. Counts every verified entry of the device, valid or not, so a writer never reuses a seq.
   */
  tip(device: string): { seq: number; id: string } | null {
    const e = this.tips.get(device);
    return e ? { seq: e.seq, id: e.id } : null;
  }

  get state(): GroupState {
    this.cached ??= this.finish();
    return this.cached;
  }

  /**
   * What the group made of one entry, as its audit record says, without walking the audit: a
   * writer learns at once whether what it just wrote was applied, and why not [APP-1].
   */
  verdict(
    id: string
  ): { verdict: 'applied' | 'ignored' | 'waiting'; reason: Reason | null } | undefined {
    void this.state;
    const rejected = this.rejected.get(id);
    if (rejected) return { verdict: 'ignored', reason: rejected.reason };
    if (this.dag.waiting.has(id)) return { verdict: 'waiting', reason: 'missing-prev' };
    if (!this.dag.index.has(id)) return undefined;
    const reason = this.dag.invalid.get(id) ?? this.fold.ctx.ignored.get(id) ?? null;
    return { verdict: reason ? 'ignored' : 'applied', reason };
  }

  /** Decodes and verifies; returns the entry, null if rejected, undefined if already known. */
  private admit(bytes: Uint8Array): Entry | null | undefined {
    const id = entryId(bytes);
    if (this.has(id)) return undefined;
    // Our own copy: entries are views into it, and nobody may change verified bytes afterwards.
    const decoded = decodeEntry(this.slab.copy(bytes), id);
    if (!decoded.ok) {
      this.rejected.set(id, { reason: decoded.error, kind: null, device: null });
      return null;
    }
    const e = decoded.entry;
    let ok = this.params.verdicts.get(id);
    if (ok === undefined) {
      ok = this.params.verify(e.author, signedMessage(this.params.groupId, e.body), e.signature);
      this.params.verdicts.set(id, ok);
    }
    if (!ok) {
      this.rejected.set(id, { reason: 'bad-signature', kind: e.kind, device: e.device });
      return null;
    }
    this.good.set(id, e);
    // Another entry of this device with the same seq (equivocation) needs a full derive.
    let seqs = this.seqsByDevice.get(e.device);
    if (!seqs) this.seqsByDevice.set(e.device, (seqs = new Set()));
    if (seqs.has(e.seq)) this.sharesSeq.add(id);
    seqs.add(e.seq);
    const tip = this.tips.get(e.device);
    if (!tip || e.seq > tip.seq) this.tips.set(e.device, e);
    return e;
  }

  private rebuild(): void {
    const steps = this.rebuildSteps();
    while (!steps.next().done);
  }

  /** The derive, pausing (yielding) between slices of entries. */
  private *rebuildSteps(): Generator<void, void> {
    this.dag = buildDag(this.good.values());
    this.cached = undefined;
    yield;
    yield* this.foldAll();
    // Equivocation [LED-6]: entries of the device that other members built on stand (the twin
    // more members built on, and its successors they built on); the rest stay void. Decided from
    // a fold with all of them void, so who built on what is judged without them.
    if (this.dag.frozenFrom.size > 0) {
      const stands = standing(this.good, this.dag, this.fold.ctx);
      if (stands.size > 0) {
        this.dag = buildDag(this.good.values(), stands);
        yield* this.foldAll();
      }
    }
    const { ctx } = this.fold;
    // Heads are members' entries that no other member's entry builds on: an outsider's entry is
    // never a head, and one naming members' entries does not stop them being heads [LED-14].
    const built = new Set<string>();
    for (const id of ctx.eligible) for (const p of parentsOf(ctx.byId.get(id)!)) built.add(p);
    this.heads = [...ctx.eligible].filter((id) => !built.has(id)).sort();
    this.missing = new Set();
    for (const id of this.dag.waiting.keys())
      for (const p of parentsOf(this.good.get(id)!)) if (!this.good.has(p)) this.missing.add(p);
    this.outsiders = this.dag.order.filter(
      (e) => !ctx.eligible.has(e.id) && (e.kind === Kind.Apply || e.kind === Kind.DeviceAdd)
    );
    this.cached = undefined;
  }

  /** The fold, again until the concurrency rules drop nothing new [GOV-9, GOV-10]. */
  private *foldAll(): Generator<void, void> {
    this.dropped = new Map();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      this.fold = yield* foldSteps(this.dag, this.dropped, this.params);
      const more = concurrencyDrops(this.fold, this.dag, this.dropped);
      if (more.size === 0) break;
      for (const [id, reason] of more) this.dropped.set(id, reason);
    }
  }

  private finish(): GroupState {
    const state = structuredClone(this.fold.state);
    const { ctx } = this.fold;
    state.groupTime = groupTime(this.dag, ctx, state);
    // Probation ends by the group clock: show those members as regular, with regular weight.
    for (const m of Object.values(state.members)) {
      if (m.tier === 'new' && m.probationEnd !== null && state.groupTime >= m.probationEnd) {
        m.tier = 'regular';
        m.weight = TIER_WEIGHT.regular;
      }
    }
    for (const a of Object.values(state.emergencies)) {
      const target = a.action === 'mute' ? state.members[a.target] : undefined;
      // A mute does not follow someone who left: a later admission ends it.
      const gone =
        !!target && (target.status !== 'active' || !ctx.ancestor(target.admittedBy, a.id));
      a.status = a.liftedBy
        ? 'lifted'
        : gone
          ? 'expired'
          : a.ratifiedBy
            ? 'ratified'
            : state.groupTime >= a.expiresAt
              ? 'expired'
              : 'active';
    }
    // Open proposals show their tally so far (every ballot seen); a close fixes the real one.
    for (const p of Object.values(state.proposals))
      if (p.status === 'voting') p.tally = tallyAt(ctx, p, null);
    state.hidden = Object.values(state.emergencies)
      .filter((a) => a.action === 'hide' && (a.status === 'active' || a.status === 'ratified'))
      .map((a) => a.target)
      .sort();
    const audit: AuditRecord[] = [];
    for (const e of this.dag.order) {
      const reason = this.dag.invalid.get(e.id) ?? ctx.ignored.get(e.id) ?? null;
      audit.push({
        id: e.id,
        kind: KIND_NAMES[e.kind] ?? `kind ${e.kind}`,
        author: ctx.owner.get(e.device)?.member ?? e.device,
        verdict: reason ? 'ignored' : 'applied',
        reason,
        time: this.dag.time.get(e.id) ?? e.time
      });
    }
    for (const id of [...this.dag.waiting.keys()].sort()) {
      const e = this.good.get(id)!;
      audit.push({
        id,
        kind: KIND_NAMES[e.kind] ?? `kind ${e.kind}`,
        author: ctx.owner.get(e.device)?.member ?? e.device,
        verdict: 'waiting',
        reason: 'missing-prev',
        time: e.time
      });
    }
    for (const id of [...this.rejected.keys()].sort()) {
      const r = this.rejected.get(id)!;
      audit.push({
        id,
        kind: r.kind === null ? 'unreadable' : (KIND_NAMES[r.kind] ?? `kind ${r.kind}`),
        author: r.device,
        verdict: 'ignored',
        reason: r.reason,
        time: null
      });
    }
    state.audit = audit;
    state.heads = [...this.heads];
    return state;
  }
}

/**
 * Copies envelopes into shared 64 KiB buffers: one allocation per few hundred entries instead of
 * one per entry (per-entry ArrayBuffers made garbage collection the largest cost of a derive).
 */
class Slab {
  private buf = new Uint8Array(0);
  private used = 0;
  copy(bytes: Uint8Array): Uint8Array {
    if (bytes.length > this.buf.length - this.used) {
      this.buf = new Uint8Array(Math.max(64 * 1024, bytes.length));
      this.used = 0;
    }
    const out = this.buf.subarray(this.used, this.used + bytes.length);
    out.set(bytes);
    this.used += bytes.length;
    return out;
  }
}

/**
 * Which entries of equivocating devices stand [LED-6]: from the first seq with two entries, the
 * entry that more other members built on (an entry of theirs the fold counted has it in its causal
 * past), then its successor in the device's chain that more members built on, and so on. A tie
 * (nobody built on either, say) stops there: from that seq on, the device's entries are void. So
 * a twin signed later can never void what the group already built on.
 */
function standing(entries: Map<string, Entry>, dag: Dag, ctx: Ctx): Set<string> {
  const children = new Map<string, string[]>();
  for (const e of entries.values())
    for (const p of parentsOf(e)) {
      const list = children.get(p);
      if (list) list.push(e.id);
      else children.set(p, [e.id]);
    }
  const builtOnBy = (id: string, author: string): number => {
    const members = new Set<string>();
    const seen = new Set([id]);
    const todo = [id];
    while (todo.length > 0) {
      for (const c of children.get(todo.pop()!) ?? []) {
        if (seen.has(c)) continue;
        seen.add(c);
        todo.push(c);
        const member = ctx.eligible.has(c) ? ctx.owner.get(entries.get(c)!.device)?.member : null;
        if (member && member !== author) members.add(member);
      }
    }
    return members.size;
  };
  const out = new Set<string>();
  for (const [device, from] of dag.frozenFrom) {
    const author = ctx.owner.get(device)?.member ?? device;
    const bySeq = new Map<number, Entry[]>();
    for (const e of entries.values())
      if (e.device === device && e.seq >= from) bySeq.set(e.seq, [...(bySeq.get(e.seq) ?? []), e]);
    let last: string | null = null;
    for (let seq = from; ; seq++) {
      const candidates = (bySeq.get(seq) ?? []).filter((e) => seq === from || e.backlink === last);
      const scored = candidates
        .map((e) => ({ id: e.id, n: builtOnBy(e.id, author) }))
        .sort((x, y) => y.n - x.n);
      const best = scored[0];
      if (!best || best.n === 0 || scored[1]?.n === best.n) break;
      out.add(best.id);
      last = best.id;
    }
  }
  return out;
}

/** Entries folded between two pauses of a sliced derive. */
const SLICE = 150;

function* foldSteps(
  dag: Dag,
  dropped: Map<string, Reason>,
  params: Required<DeriveParams>
): Generator<void, Fold> {
  const state = emptyState(toHex(params.groupId));
  const ctx = new Ctx(dag, params.groupId, (id, device, message, proof) => {
    const key = `proof:${id}`;
    let ok = params.verdicts.get(key);
    if (ok === undefined) params.verdicts.set(key, (ok = params.verify(device, message, proof)));
    return ok;
  });
  ctx.initialSettings = DEFAULT_SETTINGS;
  ctx.state = state;
  let n = 0;
  for (const e of dag.order) {
    if (++n % SLICE === 0) yield;
    ctx.byId.set(e.id, e);
    if (dag.invalid.has(e.id)) continue;
    const drop = dropped.get(e.id);
    const reason = drop ?? step(state, ctx, e);
    if (reason) ctx.ignored.set(e.id, reason);
  }
  return { state, ctx };
}

/**
 * Concurrency rules that need the whole picture [GOV-9, GOV-10]:
 * - mutual concurrent removals: the removal of the more senior member (earlier admission, then
 *   lower id) is void; this is settled first, and the ledger folded again;
 * - strong remove: a removed member's entries concurrent with the removal are dropped;
 * - demotion: entries concurrent with a demotion that relied on the lost tier are dropped.
 * Drops cascade on the next fold (e.g. ballots on a dropped proposal find no proposal).
 */
function concurrencyDrops(
  { state, ctx }: Fold,
  dag: Dag,
  dropped: Map<string, Reason>
): Map<string, Reason> {
  const out = new Map<string, Reason>();
  const rank = (id: string) => [state.members[id]?.seniority ?? Infinity, id] as const;
  for (const a of ctx.removals) {
    for (const b of ctx.removals) {
      if (
        a.close >= b.close ||
        a.target !== b.proposer ||
        b.target !== a.proposer ||
        !concurrent(dag, a.close, b.close)
      )
        continue;
      const [ra, rb] = [rank(a.target), rank(b.target)];
      const voidA = ra[0] < rb[0] || (ra[0] === rb[0] && ra[1] < rb[1]);
      out.set(voidA ? a.close : b.close, 'mutual-removal-seniority');
    }
  }
  if (out.size > 0) return out;
  for (const r of ctx.revocations) {
    const member = state.members[r.member];
    if (!member) continue;
    // A retirement drops only what its retired devices wrote concurrently [ID-7].
    const devices = new Set(r.devices ?? [...member.devices, member.id]);
    if (!r.devices)
      for (const [device, owner] of ctx.owner) if (owner.member === r.member) devices.add(device);
    for (const device of devices) {
      for (const id of dag.chain.get(device)?.values() ?? []) {
        if (dropped.has(id) || out.has(id) || ctx.ignored.has(id) || !concurrent(dag, id, r.entry))
          continue;
        if (r.kind === 'remove') out.set(id, 'removed-concurrently');
        else if (r.kind === 'retire') out.set(id, 'retired');
        else {
          const used = ctx.usedTier.get(id);
          if (used && r.tier && tierRank(used) > tierRank(r.tier)) out.set(id, 'lost-power');
        }
      }
    }
  }
  if (out.size > 0) return out;
  // Strong mute: a muted member's comments and public threads that had not seen the mute (an old
  // `prev` is the author's choice) are dropped, like a removed member's [SAFE-22, GOV-11].
  const mutes: { entry: string; member: string }[] = [
    ...Object.values(state.mutes)
      .filter((m) => !m.liftedBy)
      .map((m) => ({ entry: m.id, member: m.member })),
    ...Object.values(state.emergencies)
      .filter((a) => a.action === 'mute' && !a.liftedBy)
      .map((a) => ({ entry: a.id, member: a.target }))
  ];
  for (const mute of mutes) {
    const member = state.members[mute.member];
    if (!member) continue;
    for (const device of member.devices)
      for (const id of dag.chain.get(device)?.values() ?? []) {
        const kind = ctx.byId.get(id)?.kind;
        const silenced =
          kind === Kind.Comment || (kind === Kind.Thread && state.threads[id]?.private === null);
        if (!silenced || dropped.has(id) || ctx.ignored.has(id)) continue;
        if (concurrent(dag, id, mute.entry)) out.set(id, 'muted');
      }
  }
  return out;
}

/**
 * The group's clock [TIME-1]: the time an entry on top of everything would witness, by nobody in
 * particular: the latest time each active member's devices claimed, then the second highest (the
 * highest when only one), never before the genesis. One liar cannot set it; outsiders and removed
 * members are not counted.
 */
function groupTime(dag: Dag, ctx: Ctx, state: GroupState): number {
  const perMember = new Map<string, number>();
  for (const [device, chain] of dag.chain) {
    const member = ctx.owner.get(device)?.member;
    if (!member || state.members[member]?.status !== 'active') continue;
    let t = 0;
    for (const id of chain.values()) t = Math.max(t, dag.time.get(id) ?? 0);
    perMember.set(member, Math.max(perMember.get(member) ?? 0, t));
  }
  const times = [...perMember.values()].sort((a, b) => b - a);
  return Math.max(times[1] ?? times[0] ?? 0, ctx.founded);
}

/** Derives the state of a set of envelope byte strings [LED-10]. Never throws on input. */
/**
 * The cached verdicts on the proofs one entry carries (a device's, an invitation's, a post's, a
 * restored device's authorization: `proof:<id>`, `proof:invite:<id>`, `proof:auth:<id>`), so a
 * device can keep them with the entry and not check them again [LED-9, SNK-5].
 */
export function proofVerdicts(
  verdicts: Map<string, boolean>,
  entry: string
): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const key of [`proof:${entry}`, `proof:invite:${entry}`, `proof:auth:${entry}`]) {
    const v = verdicts.get(key);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

export function derive(entries: Iterable<Uint8Array>, params: DeriveParams): GroupState {
  const ledger = new Ledger(params);
  ledger.addAll(entries);
  return ledger.state;
}

/** Applies one more entry to a ledger (mutating it) and returns it, for incremental updates. */
export function apply(ledger: Ledger, bytes: Uint8Array): Ledger {
  ledger.add(bytes);
  return ledger;
}

/** A stable hash of a state, for comparing peers: canonical JSON (sorted keys) → SHA-256 hex. */
export function stateHash(state: GroupState): string {
  return toHex(sha256(new TextEncoder().encode(canonicalJson(state))));
}

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v instanceof Uint8Array) return JSON.stringify(toHex(v));
  const obj = v as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}
