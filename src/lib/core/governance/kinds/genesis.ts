import { toHex } from '../../encoding/hex';
import { GROUP_NAME_MAX } from '../../group/name';
import { groupIdFor } from '../messages';
import { TIER_WEIGHT } from '../settings';
import type { Text } from '../text';
import {
  Kind,
  PROPOSAL_KINDS,
  TIERS,
  type ProposalKind,
  type Tier,
  type VotingRules
} from '../types';
import { defineKind } from './kind';
import { Bad, id, Reader, readVotingRules, textField, votingRulesFields } from './wire';

export interface GenesisPayload {
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

function readFounder(f: unknown): GenesisPayload['founders'][number] {
  // [identity, tier] or [identity, tier, x25519]: a co-founder's key for lockboxes.
  if (
    !Array.isArray(f) ||
    (f.length !== 2 && f.length !== 3) ||
    !(f[0] instanceof Uint8Array) ||
    f[0].length !== 32
  )
    throw new Bad();
  if (typeof f[1] !== 'string' || !(TIERS as readonly string[]).includes(f[1])) throw new Bad();
  if (f.length === 3 && !(f[2] instanceof Uint8Array && f[2].length === 32)) throw new Bad();
  return {
    identity: toHex(f[0]),
    tier: f[1] as Tier,
    x25519: f.length === 3 ? toHex(f[2] as Uint8Array) : null
  };
}

/** The founder's changes to the default voting rules: kind → rules, each kind at most once. */
function readStartingSettings(r: Reader): Partial<Record<ProposalKind, VotingRules>> {
  const out: Partial<Record<ProposalKind, VotingRules>> = {};
  for (const [k, v] of r.entries('gov')) {
    if (typeof k !== 'string' || !(PROPOSAL_KINDS as readonly string[]).includes(k))
      throw new Bad();
    if (!(v instanceof Map)) throw new Bad();
    out[k as ProposalKind] = readVotingRules(new Reader(v));
  }
  return out;
}

/** The group's first entry, by its founder [LED-7, APP-2]. */
export const genesis = defineKind<GenesisPayload>({
  kind: Kind.Genesis,
  name: 'Genesis',
  minTier: null,
  wire: {
    g: 'group id (32 bytes): sha256 of the founder key and the nonce [LED-7]',
    n: 'nonce (16 bytes)',
    name: 'group name, text ≤60, at least 1',
    cat: 'category, text ≤60',
    rules: 'first rules, text',
    x: "founder device's X25519 key (32 bytes)",
    founders: 'co-founders: [identity, tier] or [identity, tier, X25519 key]',
    treasury: 'starting treasury, ≤1,000,000',
    gov: 'optional: proposal kind → voting rules the founder changed [GOV-2]'
  },
  read: (r) => ({
    founders: r.list('founders').map(readFounder),
    groupId: r.id('g'),
    nonce: r.bytes('n', 16),
    name: r.text('name', GROUP_NAME_MAX, 1),
    category: r.text('cat', 60),
    rules: r.text('rules'),
    x25519: r.bytes('x', 32),
    treasury: r.uint('treasury', 1_000_000),
    settings: r.has('gov') ? readStartingSettings(r) : {}
  }),
  write: (p, seal) => ({
    g: id(p.groupId),
    n: p.nonce,
    name: textField(seal, 'name', p.name),
    cat: textField(seal, 'cat', p.category),
    rules: textField(seal, 'rules', p.rules),
    x: p.x25519,
    founders: p.founders.map((f) =>
      f.x25519 === null ? [id(f.identity), f.tier] : [id(f.identity), f.tier, id(f.x25519)]
    ),
    treasury: p.treasury,
    gov:
      Object.keys(p.settings).length > 0
        ? new Map(Object.entries(p.settings).map(([k, rules]) => [k, votingRulesFields(rules)]))
        : undefined
  }),
  applyOwn(state, ctx, e, p) {
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
    ctx.eligible.add(e.id);
    ctx.genesis = e.id;
    return null;
  }
});
