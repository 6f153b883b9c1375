import type { Ctx } from './context';
import type { BallotRecord, Proposal, Tally } from './state';

/**
 * Counts a proposal as of a closing entry [GOV-6]: a ballot counts if it is in the close's causal
 * past; each member's last such ballot (causal order) replaces their earlier ones; a member who
 * did not vote and delegated (for this kind, else for all) to someone who did, votes with that
 * delegate's choice and their own weight [GOV-7]. The electorate and weights are the proposal's.
 */
export function tallyAt(ctx: Ctx, p: Proposal, closeId: string | null, delegation = true): Tally {
  const direct = new Map<string, BallotRecord>();
  for (const b of p.ballots) {
    if (closeId === null || ctx.ancestor(b.entry, closeId)) direct.set(b.member, b);
  }
  let yes = 0;
  let no = 0;
  let abstain = 0;
  const delegated: string[] = [];
  for (const [member, weight] of Object.entries(p.electorate)) {
    let choice = direct.get(member)?.choice;
    if (choice === undefined && delegation) {
      const to = delegateOf(ctx, member, p, closeId);
      const via = to ? direct.get(to) : undefined;
      if (via) {
        choice = via.choice;
        delegated.push(member);
      }
    }
    if (choice === 1) yes += weight;
    else if (choice === 0) no += weight;
    else if (choice === 2) abstain += weight;
  }
  const electorateWeight = Object.values(p.electorate).reduce((a, b) => a + b, 0);
  const participation = yes + no + abstain;
  const quorumReached =
    electorateWeight > 0 && participation * 100 >= p.rules.quorum * electorateWeight;
  const passed =
    quorumReached &&
    (p.rules.method === 'consent'
      ? no === 0 && yes > 0
      : yes * 100 > p.rules.threshold * (yes + no));
  return {
    yes,
    no,
    abstain,
    electorateWeight,
    participation,
    quorumReached,
    passed,
    delegated: delegated.sort(),
    counted: [...direct.keys()].sort()
  };
}

/**
 * Whether the result can no longer change whatever the members who have not voted do [GOV-6]:
 * for majority, pass if quorum is reached and yes still wins if all the rest vote no, fail if yes
 * cannot win even if all the rest vote yes. Consent decisions wait for the deadline or everyone.
 */
export function decided(p: Proposal, t: Tally): boolean {
  const remaining = t.electorateWeight - t.participation;
  if (remaining <= 0) return true;
  if (p.rules.method === 'consent') return false;
  const passSure = t.quorumReached && t.yes * 100 > p.rules.threshold * (t.yes + t.no + remaining);
  const failSure = (t.yes + remaining) * 100 <= p.rules.threshold * (t.yes + remaining + t.no);
  return passSure || failSure;
}

function delegateOf(
  ctx: Ctx,
  member: string,
  p: Proposal,
  closeId: string | null
): string | undefined {
  const history = ctx.delegationHistory.get(member) ?? [];
  let specific: string | null | undefined;
  let all: string | null | undefined;
  for (let i = history.length - 1; i >= 0; i--) {
    const h = history[i]!;
    if (closeId !== null && !ctx.ancestor(h.entry, closeId)) continue;
    if (h.scope === p.kind && specific === undefined) specific = h.to;
    if (h.scope === 'all' && all === undefined) all = h.to;
  }
  const to = specific !== undefined ? specific : all;
  return to ?? undefined;
}
