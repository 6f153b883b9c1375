import type { Entry } from '../ledger/envelope';
import type { Ctx, Who } from './context';
import { applyLockboxes } from './epochs';
import { revokedUnseen, tooLateToAdmit } from './invites';
import type { PayloadOf, ProposalBody } from './kinds';
import { PROBATION_SECONDS, TIER_WEIGHT } from './settings';
import type { Execution, GroupState, Member, Proposal } from './state';
import { decided, tallyAt } from './tally';
import { earn, POINTS } from './reputation';
import { Kind, tierRank, type ProposalKind, type Reason, type VotingRules } from './types';

type P<K extends number> = PayloadOf<K>;

function rulesAt(state: GroupState, ctx: Ctx, kind: ProposalKind, e: Entry): VotingRules {
  for (let i = ctx.settingsHistory.length - 1; i >= 0; i--) {
    const h = ctx.settingsHistory[i]!;
    if (h.kind === kind && ctx.ancestor(h.entry, e.id)) return h.rules;
  }
  return ctx.initialSettings[kind];
}

function checkTarget(
  state: GroupState,
  ctx: Ctx,
  body: ProposalBody,
  author: Member,
  e: Entry
): Reason | null {
  const target = 'member' in body ? state.members[body.member] : undefined;
  switch (body.type) {
    case 'admit': {
      const a = state.applications[body.application];
      if (!a || a.status !== 'open' || !ctx.ancestor(a.id, e.id)) return 'unknown-target';
      if (!a.invite) return null;
      // The applicant chose the past their application names: a revocation of its invitation
      // that had not seen the application, in the proposer's past, counts all the same [INV-2].
      if (revokedUnseen(ctx, a.invite, a.id, (r) => ctx.ancestor(r, e.id))) return 'invite-revoked';
      // Nor does an early past make an old invitation fresh: admitted on only until a week
      // after it ran out, by the proposal's witnessed time [INV-7].
      const inv = state.invites[a.invite];
      if (inv && tooLateToAdmit(inv, ctx.witness(e))) return 'invite-expired';
      return null;
    }
    case 'remove':
    case 'allocate':
      return target && ctx.memberAt(target, e) ? null : 'unknown-target';
    case 'tier':
      if (!target || !ctx.memberAt(target, e)) return 'unknown-target';
      if (target.id === author.id && tierRank(body.tier) > tierRank(ctx.tierAt(state, target, e)))
        return 'self-promotion';
      return null;
    case 'ratify':
      return state.emergencies[body.action] && ctx.ancestor(body.action, e.id)
        ? null
        : 'unknown-target';
    case 'retire':
      if (!target || !ctx.memberAt(target, e)) return 'unknown-target';
      // The member may ask only from a phone the retirement keeps: never with the leaked key
      // itself, nor from another phone it would retire (a thief's among them) [ID-7].
      if (author.id === target.id && !body.keep.includes(e.device)) return 'retiring-device';
      // Each device kept is the member's at the proposal's position, or one that a device this
      // retirement retires withdrew (whoever holds the leaked key may withdraw the member's new
      // phone first) [ID-7].
      return body.keep.every((d) => keepable(ctx, target, body.keep, d, e))
        ? null
        : 'unknown-target';
    default:
      return null;
  }
}

/**
 * Whether a retirement of `member` may keep `device` [ID-7]: it is the member's (added in `e`'s
 * past), or it was withdrawn from the member by one of the devices the retirement retires (so the
 * leaked key cannot take the member's new phone away). A device the group retired never returns.
 */
function keepable(ctx: Ctx, member: Member, keep: string[], device: string, e: Entry): boolean {
  if (ctx.state.retired[device]) return false;
  const owner = ctx.owner.get(device);
  if (owner) return owner.member === member.id && ctx.ancestor(owner.since, e.id);
  const gone = ctx.withdrawn.get(device);
  return !!gone && gone.member === member.id && !keep.includes(gone.by);
}

/** A proposal: its voting rules and electorate are fixed at its causal point [GOV-4]. */
export function propose(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Propose>,
  who: Who
): Reason | null {
  const body = p.proposal;
  // Newcomers propose general decisions, may appeal a moderator's decision [SAFE-23] and may ask
  // the group to retire their own leaked key [ID-7].
  const own = body.type === 'retire' && body.member === who.member.id;
  const open = body.type === 'general' || body.type === 'appeal' || own;
  if (who.tier === 'new' && !open) return 'probation-restricted';
  if (!open) ctx.usedTier.set(e.id, 'regular');
  // Someone paused may always appeal, and have a leaked key retired [SAFE-23, ID-7].
  if (body.type !== 'appeal' && !own && ctx.isMuted(state, who.member.id, e)) return 'muted';
  const bad = checkTarget(state, ctx, body, who.member, e);
  if (bad) return bad;
  const rules = rulesAt(state, ctx, body.type, e);
  const electorate: Record<string, number> = {};
  for (const m of Object.values(state.members)) {
    if (!ctx.memberAt(m, e)) continue;
    // Whoever holds a leaked key votes as the member: the member does not vote on its retirement.
    if (body.type === 'retire' && m.id === body.member) continue;
    const tier = ctx.tierAt(state, m, e);
    if (rules.electorate.includes(tier)) electorate[m.id] = TIER_WEIGHT[tier];
  }
  const start = Math.max(ctx.dag.time.get(e.id) ?? e.time, ctx.witness(e));
  state.proposals[e.id] = {
    id: e.id,
    author: who.member.id,
    body,
    kind: body.type,
    rules,
    electorate,
    start,
    deadline: start + rules.period,
    status: 'voting',
    ballots: [],
    comments: 0,
    closedBy: null,
    tally: null,
    execution: null,
    outcome: null
  };
  return null;
}

/**
 * The proposal an entry refers to. Causal position is checked first, so the reason does not
 * depend on where the two entries fall in the total order: a referenced entry that exists but
 * is not in the causal past is 'proposal-not-in-past', whatever its id.
 */
export function openProposal(state: GroupState, ctx: Ctx, e: Entry, id: string): Proposal | Reason {
  if (!ctx.ancestor(id, e.id))
    return ctx.dag.index.has(id) ? 'proposal-not-in-past' : 'unknown-proposal';
  return state.proposals[id] ?? 'unknown-proposal';
}

/**
 * Closing [GOV-6, GOV-8]: any member may close once the witnessed time has reached the deadline,
 * or earlier when the result can no longer change. The first valid close in causal order wins;
 * ballots outside its causal past do not count. A passed proposal is executed right here.
 */
export function close(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  p: P<typeof Kind.Close>
): Reason | null {
  const proposal = openProposal(state, ctx, e, p.proposal);
  if (typeof proposal === 'string') return proposal;
  if (proposal.closedBy) return 'already-closed';
  const tally = tallyAt(ctx, proposal, e.id);
  const now = ctx.witness(e);
  // Before the deadline only direct ballots are final: a delegator may still vote and override
  // their delegate, so delegated weight cannot make the outcome certain [GOV-6, GOV-7].
  if (now < proposal.deadline && !decided(proposal, tallyAt(ctx, proposal, e.id, false)))
    return 'not-decided';
  proposal.closedBy = e.id;
  proposal.tally = tally;
  proposal.status = tally.passed ? 'passed' : 'failed';
  const latest = new Map(
    proposal.ballots.filter((b) => ctx.ancestor(b.entry, e.id)).map((b) => [b.member, b.entry])
  );
  for (const b of proposal.ballots) {
    if (latest.get(b.member) !== b.entry)
      ctx.ignored.set(b.entry, ctx.ancestor(b.entry, e.id) ? 'superseded' : 'not-counted');
  }
  if (tally.passed) {
    const result = execute(state, ctx, e, proposal, now);
    // A removal's close may carry the next epoch's lockboxes: the key rotates in the same step.
    if (p.lockboxes) {
      const refused = applyLockboxes(state, ctx, e, p.lockboxes);
      if (refused) result.lockboxesRefused = refused;
      else result.newEpoch = p.lockboxes.epoch;
    }
    proposal.execution = result;
    const author = state.members[proposal.author];
    if (author)
      earn(
        state,
        author,
        proposal.id,
        POINTS.proposalPassed,
        'proposal passed',
        author.tier === 'new'
      );
  }
  return null;
}

/** The "smart contract": what a passed proposal does, applied by every device identically [GOV-8]. */
function execute(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  proposal: Proposal,
  now: number
): Execution {
  const body = proposal.body;
  switch (body.type) {
    case 'admit': {
      const application = state.applications[body.application]!;
      const existing = state.members[application.applicant];
      if (existing && existing.status === 'active') return { code: 'already-member' };
      if (existing?.removedBy && !ctx.ancestor(existing.removedBy, application.id))
        return { code: 'not-admitted' };
      application.status = 'admitted';
      const member: Member = {
        id: application.applicant,
        tier: 'new',
        weight: TIER_WEIGHT.new,
        admittedBy: e.id,
        admittedAt: now,
        probationEnd: now + PROBATION_SECONDS,
        mentor: null,
        status: 'active',
        removedBy: null,
        // Counted among members' entries only, so outsiders' entries never change it [LED-14].
        seniority: ctx.eligible.size,
        devices: [...new Set([...(existing?.devices ?? []), application.applicant])].sort(),
        x25519: { ...(existing?.x25519 ?? {}), [application.applicant]: application.x25519 },
        tierHistory: [{ entry: e.id, tier: 'new' }]
      };
      state.members[member.id] = member;
      // A mute from an earlier membership does not follow someone who left and rejoined.
      delete state.mutes[member.id];
      ctx.owner.set(application.applicant, { member: member.id, since: application.id });
      ctx.membershipChanged();
      return { code: 'admitted' };
    }
    case 'remove': {
      const target = state.members[body.member]!;
      if (target.status !== 'active') return { code: 'already-removed' };
      target.status = 'removed';
      target.removedBy = e.id;
      ctx.membershipChanged();
      state.rotationDue = true;
      ctx.revocations.push({ entry: e.id, member: target.id, kind: 'remove', tier: null });
      ctx.removals.push({ close: e.id, proposer: proposal.author, target: target.id });
      return { code: 'removed' };
    }
    case 'tier': {
      const target = state.members[body.member]!;
      if (target.status !== 'active') return { code: 'not-member' };
      const before = target.tier;
      target.tier = body.tier;
      target.weight = TIER_WEIGHT[body.tier];
      target.tierHistory.push({ entry: e.id, tier: body.tier });
      if (body.tier !== 'new') target.probationEnd = null;
      if (tierRank(body.tier) < tierRank(before))
        ctx.revocations.push({ entry: e.id, member: target.id, kind: 'demote', tier: body.tier });
      return { code: 'tier', tier: body.tier };
    }
    case 'rules':
      state.rules.version++;
      state.rules.text = body.text;
      state.rules.history.push({ version: state.rules.version, text: body.text, entry: e.id });
      return { code: 'rules', version: state.rules.version };
    case 'moderation': {
      state.moderationPolicy = body.text;
      // Only members still active when the decision is made are named [SAFE-21].
      const named = (ids: string[]) =>
        ids.filter((id) => state.members[id]?.status === 'active').sort();
      if (body.threshold !== undefined) state.safety.reportThreshold = body.threshold;
      if (body.moderators) {
        state.safety.moderators = named(body.moderators);
        ctx.moderatorsHistory.push({ entry: e.id, members: state.safety.moderators });
      }
      if (body.responders) {
        state.safety.responders = named(body.responders);
        ctx.respondersHistory.push({ entry: e.id, members: state.safety.responders });
      }
      if (body.checkInWait !== undefined) state.safety.checkInWaitMinutes = body.checkInWait;
      if (body.unanswered !== undefined) state.safety.unansweredHours = body.unanswered;
      return { code: 'moderation' };
    }
    case 'appeal': {
      // A mute is lifted in the ledger; a thread decision is undone where threads are read; an
      // emergency action, ratified or not, is lifted too [SAFE-23, GOV-11].
      const mute = Object.values(state.mutes).find((x) => x.id === body.target);
      if (mute && !mute.liftedBy) mute.liftedBy = e.id;
      const action = state.emergencies[body.target];
      if (action && !action.liftedBy) action.liftedBy = e.id;
      state.overturned[body.target] ??= e.id;
      return { code: 'appeal-upheld' };
    }
    case 'retire':
      return retire(state, ctx, e, body.member, body.keep);
    case 'allocate': {
      if (state.treasury.balance < body.amount) return { code: 'not-paid' };
      state.treasury.balance -= body.amount;
      state.treasury.ledger.push({
        entry: e.id,
        amount: -body.amount,
        to: body.member,
        why: body.text
      });
      const rec = (state.points[body.member] ??= { total: 0, entries: [] });
      rec.total += body.amount;
      rec.entries.push({ entry: e.id, points: body.amount, why: body.text });
      return { code: 'points', points: body.amount };
    }
    case 'governance':
      if (body.target === 'history') {
        state.shareHistory = body.share;
        return { code: body.share ? 'history-open' : 'history-closed' };
      }
      state.settings[body.target] = body.rules;
      ctx.settingsHistory.push({ entry: e.id, kind: body.target, rules: body.rules });
      return { code: 'voting-rules', kind: body.target };
    case 'research':
      state.research.studies[proposal.id] = {
        id: proposal.id,
        study: body.study,
        tables: [...body.tables],
        until: body.until,
        approvedAt: now,
        approvedBy: e.id
      };
      return { code: 'research' };
    case 'ratify': {
      const action = state.emergencies[body.action]!;
      action.ratifiedBy = e.id;
      const leader = state.members[action.by];
      if (leader) earn(state, leader, e.id, POINTS.moderation, 'emergency action ratified', false);
      return { code: 'ratified' };
    }
    default:
      return { code: 'recorded' };
  }
}

/**
 * Retires a member's leaked key [ID-7]: every device of the member but those kept stops counting
 * (the identity device always among them), a device the leaked key withdrew is given back, and the
 * group key rotates. The member stays who they were: the same id, tier, seniority, reputation and
 * votes; they write from the devices kept. Entries of the retired devices concurrent with this
 * close are dropped (`retired`), like a removed member's.
 */
function retire(
  state: GroupState,
  ctx: Ctx,
  e: Entry,
  memberId: string,
  keep: string[]
): Execution {
  const member = state.members[memberId]!;
  if (member.status !== 'active') return { code: 'not-member' };
  const kept = keep.filter((d) => keepable(ctx, member, keep, d, e));
  if (kept.length === 0) return { code: 'not-retired' };
  const retired = [...new Set([...member.devices, member.id])].filter(
    (d) => !kept.includes(d) && !state.retired[d]
  );
  for (const d of kept) {
    if (ctx.owner.get(d)) continue;
    // Withdrawn by the leaked key: the member's again, from this close on.
    const gone = ctx.withdrawn.get(d)!;
    ctx.withdrawn.delete(d);
    ctx.retired.delete(d);
    ctx.owner.set(d, { member: member.id, since: e.id });
    if (gone.x25519) member.x25519[d] = gone.x25519;
  }
  for (const d of retired) {
    if (ctx.owner.get(d)?.member === member.id) ctx.owner.delete(d);
    ctx.retired.add(d);
    delete member.x25519[d];
    state.retired[d] = { member: member.id, by: e.id };
  }
  member.devices = [...kept].sort();
  ctx.membershipChanged();
  state.rotationDue = true;
  ctx.revocations.push({
    entry: e.id,
    member: member.id,
    kind: 'retire',
    tier: null,
    devices: retired
  });
  return { code: 'retired' };
}

export type { ProposalKind };
