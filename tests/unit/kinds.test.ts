/**
 * The entry kinds' registry (`core/governance/kinds/`) [LED-3, LED-15]: every kind is one module
 * whose writer and reader agree (a property test per kind), whose wire table names every key it
 * writes or reads, and from which the kind names and the tier table derive.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CborMap, CborValue } from '../../src/lib/core/crypto/cbor';
import { toHex } from '../../src/lib/core/encoding/hex';
import {
  encodePayload,
  encodeSpacePayload,
  KIND_NAMES,
  KINDS,
  MIN_TIER,
  parsePayload,
  parseSpacePayload,
  SPACE_KINDS,
  type Payload,
  type SpacePayload
} from '../../src/lib/core/governance/kinds';
import { Reader, type Seal } from '../../src/lib/core/governance/kinds/wire';
import {
  Kind,
  MODERATION_ACTS,
  PROPOSAL_KINDS,
  REACTIONS,
  REPORT_REASONS,
  RESEARCH_TABLES,
  SpaceKind,
  TIERS,
  type VotingRules
} from '../../src/lib/core/governance/types';
import { MAX_ENVELOPE_BYTES } from '../../src/lib/core/ledger/envelope';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const hex32 = bytes(32).map(toHex);
const hex8 = bytes(8).map(toHex);
/** People's words as the reader takes them: `min`..`max` characters (ASCII, so units = chars). */
const words = (max: number, min = 0) => fc.string({ minLength: min, maxLength: max });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const distinct = (min: number, max: number) =>
  fc.uniqueArray(hex32, { minLength: min, maxLength: max });

const rules: fc.Arbitrary<VotingRules> = fc.record({
  method: fc.constantFrom('majority' as const, 'consent' as const),
  electorate: fc.subarray([...TIERS], { minLength: 1 }),
  quorum: fc.integer({ min: 0, max: 100 }),
  threshold: fc.integer({ min: 0, max: 99 }),
  period: fc.integer({ min: 3600, max: 90 * 86_400 })
});
const lockboxSet = fc.record({
  epoch: fc.integer({ min: 0, max: 1_000_000 }),
  keyId: hex8,
  boxes: fc
    .uniqueArray(hex32, { minLength: 1, maxLength: 6 })
    .chain((devices) =>
      fc.tuple(...devices.map((device) => bytes(80).map((sealed) => ({ device, sealed }))))
    )
});
const proposalBody = fc.oneof(
  hex32.map((application) => ({ type: 'admit' as const, application })),
  hex32.map((member) => ({ type: 'remove' as const, member })),
  fc.record({ type: fc.constant('tier' as const), member: hex32, tier: fc.constantFrom(...TIERS) }),
  fc.record({
    type: fc.constantFrom('rules' as const, 'partnership' as const, 'general' as const),
    text: words(200, 1)
  }),
  fc.record({
    type: fc.constant('moderation' as const),
    text: words(200, 1),
    threshold: opt(fc.integer({ min: 1, max: 50 })),
    moderators: opt(distinct(0, 5)),
    responders: opt(distinct(0, 5)),
    checkInWait: opt(fc.integer({ min: 5, max: 24 * 60 })),
    unanswered: opt(fc.integer({ min: 1, max: 7 * 24 }))
  }),
  fc.record({ type: fc.constant('appeal' as const), target: hex32, text: words(200, 1) }),
  fc.record({
    type: fc.constant('allocate' as const),
    member: hex32,
    amount: fc.integer({ min: 0, max: 1_000_000 }),
    text: words(200)
  }),
  fc.record({
    type: fc.constant('governance' as const),
    target: fc.constantFrom(...PROPOSAL_KINDS),
    rules
  }),
  fc.record({
    type: fc.constant('governance' as const),
    target: fc.constant('history' as const),
    share: fc.boolean()
  }),
  hex32.map((action) => ({ type: 'ratify' as const, action })),
  fc.record({
    type: fc.constant('research' as const),
    study: words(200, 1),
    tables: fc.subarray([...RESEARCH_TABLES], { minLength: 1 }),
    until: fc.nat()
  }),
  fc
    .tuple(hex32, distinct(1, 8))
    .filter(([member, keep]) => !keep.includes(member))
    .map(([member, keep]) => ({ type: 'retire' as const, member, keep }))
);

/** A valid payload of every ledger kind, as the app would write it (texts plain). */
const payloads: { [K in Payload['kind']]: fc.Arbitrary<Extract<Payload, { kind: K }>> } = {
  [Kind.Genesis]: fc.record({
    kind: fc.constant(Kind.Genesis),
    groupId: hex32,
    nonce: bytes(16),
    name: words(60, 1),
    category: words(60),
    rules: words(300),
    x25519: bytes(32),
    founders: fc.array(
      fc.record({ identity: hex32, tier: fc.constantFrom(...TIERS), x25519: fc.option(hex32) }),
      { maxLength: 4 }
    ),
    treasury: fc.integer({ min: 0, max: 1_000_000 }),
    settings: fc
      .subarray([...PROPOSAL_KINDS])
      .chain((kinds) =>
        fc.tuple(...kinds.map((k) => rules.map((r) => [k, r] as const))).map(Object.fromEntries)
      )
  }),
  [Kind.DeviceAdd]: fc.record({
    kind: fc.constant(Kind.DeviceAdd),
    device: hex32,
    x25519: bytes(32),
    proof: bytes(64),
    recovery: opt(fc.record({ by: hex32, auth: bytes(64) }))
  }),
  [Kind.DeviceRemove]: fc.record({ kind: fc.constant(Kind.DeviceRemove), device: hex32 }),
  [Kind.Apply]: fc.record({
    kind: fc.constant(Kind.Apply),
    motivation: words(300),
    name: opt(words(60, 1)),
    x25519: bytes(32),
    invite: opt(fc.record({ entry: hex32, proof: bytes(64) }))
  }),
  [Kind.Propose]: fc.record({ kind: fc.constant(Kind.Propose), proposal: proposalBody }),
  [Kind.Ballot]: fc.record({
    kind: fc.constant(Kind.Ballot),
    proposal: hex32,
    choice: fc.constantFrom(0 as const, 1 as const, 2 as const),
    reason: opt(words(300))
  }),
  [Kind.Delegate]: fc.record({
    kind: fc.constant(Kind.Delegate),
    scope: fc.constantFrom(...PROPOSAL_KINDS, 'all' as const),
    to: hex32
  }),
  [Kind.RevokeDelegation]: fc.record({
    kind: fc.constant(Kind.RevokeDelegation),
    scope: fc.constantFrom(...PROPOSAL_KINDS, 'all' as const)
  }),
  [Kind.Comment]: fc.record({
    kind: fc.constant(Kind.Comment),
    proposal: hex32,
    text: words(300, 1)
  }),
  [Kind.Close]: fc.record({
    kind: fc.constant(Kind.Close),
    proposal: hex32,
    lockboxes: opt(lockboxSet)
  }),
  [Kind.Outcome]: fc.record({
    kind: fc.constant(Kind.Outcome),
    proposal: hex32,
    text: words(300, 1),
    review: fc.nat()
  }),
  [Kind.Mentor]: fc.record({ kind: fc.constant(Kind.Mentor), mentee: hex32, mentor: hex32 }),
  [Kind.Helped]: fc.record({
    kind: fc.constant(Kind.Helped),
    target: hex32,
    post: opt(fc.uint8Array({ minLength: 1, maxLength: 400 }))
  }),
  [Kind.Emergency]: fc.record({
    kind: fc.constant(Kind.Emergency),
    action: fc.constantFrom('hide' as const, 'mute' as const),
    target: hex32,
    duration: fc.integer({ min: 0, max: 3 * 86_400 }),
    reason: words(300)
  }),
  [Kind.Settings]: fc.record({
    kind: fc.constant(Kind.Settings),
    name: opt(words(60)),
    description: opt(words(300))
  }),
  [Kind.Lockboxes]: lockboxSet.map((set) => ({ kind: Kind.Lockboxes, ...set })),
  [Kind.Invite]: fc.record({
    kind: fc.constant(Kind.Invite),
    key: hex32,
    expires: fc.nat(),
    singleUse: fc.boolean(),
    secret: opt(words(64)),
    card: opt(fc.uint8Array({ minLength: 1, maxLength: 300 }))
  }),
  [Kind.RevokeInvite]: fc.record({ kind: fc.constant(Kind.RevokeInvite), invite: hex32 }),
  [Kind.Profile]: fc.record({ kind: fc.constant(Kind.Profile), name: words(60, 1) }),
  [Kind.Thread]: fc.record({
    kind: fc.constant(Kind.Thread),
    doc: fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{20,40}$/),
    title: words(120, 1),
    topic: words(40),
    cw: opt(words(200)),
    private: opt(
      fc
        .record({
          nonce: bytes(16),
          purpose: fc.constantFrom('mentor' as const, 'care' as const, 'plan' as const),
          members: distinct(2, 6),
          lockboxes: lockboxSet
        })
        // A mentor's channel is the mentor and the mentee.
        .map((c) => (c.purpose === 'mentor' ? { ...c, members: c.members.slice(0, 2) } : c))
    )
  }),
  [Kind.Consent]: fc.record({
    kind: fc.constant(Kind.Consent),
    study: opt(hex32),
    consent: fc.boolean()
  }),
  [Kind.Mute]: fc.record({
    kind: fc.constant(Kind.Mute),
    member: hex32,
    duration: fc.integer({ min: 0, max: 30 * 86_400 }),
    reason: fc.constantFrom(...REPORT_REASONS),
    note: opt(words(300))
  }),
  [Kind.KeyReport]: fc.record({
    kind: fc.constant(Kind.KeyReport),
    epoch: fc.integer({ min: 0, max: 1_000_000 }),
    keyId: hex8
  }),
  [Kind.Push]: fc.record({ kind: fc.constant(Kind.Push), handle: words(512, 1) })
};

const spacePayloads: {
  [K in SpacePayload['kind']]: fc.Arbitrary<Extract<SpacePayload, { kind: K }>>;
} = {
  [SpaceKind.Post]: fc.record({
    kind: fc.constant(SpaceKind.Post),
    thread: hex32,
    text: words(300, 1),
    replyTo: opt(hex32),
    cw: opt(words(200))
  }),
  [SpaceKind.React]: fc.record({
    kind: fc.constant(SpaceKind.React),
    thread: hex32,
    post: hex32,
    reaction: fc.constantFrom(...REACTIONS)
  }),
  [SpaceKind.Report]: fc.record({
    kind: fc.constant(SpaceKind.Report),
    thread: hex32,
    post: hex32,
    reason: fc.constantFrom(...REPORT_REASONS)
  }),
  [SpaceKind.Moderate]: fc.record({
    kind: fc.constant(SpaceKind.Moderate),
    thread: hex32,
    post: hex32,
    act: fc.constantFrom(...MODERATION_ACTS),
    reason: fc.constantFrom(...REPORT_REASONS),
    note: opt(words(300))
  })
};

/** Objects compared with their undefined fields left out (the wire has no "undefined"). */
function defined(v: unknown): unknown {
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(defined);
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, defined(x)])
  );
}

/** A stand-in for sealing: what the reader takes as sealed text of that many characters. */
const fakeSeal: Seal = (_field, text) => [1, new Uint8Array(24 + 16 + text.length)];

/** Every key of a payload map, nested maps' keys prefixed by the key that holds them. */
function wireKeys(m: CborMap): string[] {
  return [...m.keys()].map(String);
}

describe('entry kinds: one module each [LED-3, LED-15]', () => {
  it('[LED-15] the registry has every kind number once, named as `Kind` names it; the tier table and names derive from it', () => {
    const numbers = KINDS.map((k) => k.kind).sort((a, b) => a - b);
    expect(numbers).toEqual(Object.values(Kind).sort((a, b) => a - b));
    for (const k of KINDS) {
      expect(Kind[k.name]).toBe(k.kind);
      expect(KIND_NAMES[k.kind]).toBe(k.name);
      // A member's entry has a transform for members; the others (genesis, applications,
      // restored devices) one that checks its own author.
      if (k.minTier === null) {
        expect(k.applyOwn, k.name).toBeTypeOf('function');
        expect(MIN_TIER[k.kind], k.name).toBeUndefined();
      } else {
        expect(k.apply, k.name).toBeTypeOf('function');
        expect(MIN_TIER[k.kind]).toBe(k.minTier);
      }
      if (k.selfAuthorized) expect(k.applyOwn, k.name).toBeTypeOf('function');
    }
    expect(MIN_TIER[Kind.Settings]).toBe('leader');
    expect(MIN_TIER[Kind.Emergency]).toBe('leader');
    expect(MIN_TIER[Kind.Mentor]).toBe('senior');
    expect(MIN_TIER[Kind.Invite]).toBe('regular');
    expect(SPACE_KINDS.map((k) => k.kind).sort()).toEqual(Object.values(SpaceKind).sort());
    // The ledger's and the threads' numbers never collide.
    for (const k of SPACE_KINDS) expect(parsePayload(k.kind, new Map())).toBeUndefined();
  });

  for (const k of KINDS) {
    const arb = payloads[k.kind] as fc.Arbitrary<Payload>;
    it(`[LED-15] ${k.name}: what the writer writes, the reader reads back; only keys its wire table names; an extra key is refused`, () => {
      fc.assert(
        fc.property(arb, (p) => {
          const m = encodePayload(p);
          for (const key of wireKeys(m))
            expect(Object.keys(k.wire), `${k.name}.${key}`).toContain(key);
          expect(defined(parsePayload(p.kind, m))).toEqual(defined(p));
          const r = new Reader(m);
          k.read(r);
          for (const key of r.keysRead())
            expect(Object.keys(k.wire), `${k.name} reads ${key}`).toContain(key);
          // Sealed, the same texts come back as sealed texts from the writer's entry.
          const sealed = parsePayload(p.kind, encodePayload(p, fakeSeal), {
            author: 'a',
            seq: 1,
            kind: p.kind
          });
          expect(sealed, `${k.name} sealed`).toBeDefined();
          // Strict: one key more is 'bad-payload' [LED-3].
          const extra = new Map<string | number, CborValue>(m);
          extra.set('zz', 1);
          expect(parsePayload(p.kind, extra)).toBeUndefined();
        }),
        { numRuns: 150 }
      );
    });
  }

  for (const k of SPACE_KINDS) {
    const arb = spacePayloads[k.kind] as fc.Arbitrary<SpacePayload>;
    it(`[LED-15] thread kind ${k.name}: round trip, wire table, strictness`, () => {
      fc.assert(
        fc.property(arb, (p) => {
          const m = encodeSpacePayload(p);
          for (const key of wireKeys(m)) expect(Object.keys(k.wire)).toContain(key);
          expect(defined(parseSpacePayload(p.kind, m))).toEqual(defined(p));
          const r = new Reader(m);
          k.read(r);
          for (const key of r.keysRead()) expect(Object.keys(k.wire)).toContain(key);
          const extra = new Map<string | number, CborValue>(m);
          extra.set('zz', 1);
          expect(parseSpacePayload(p.kind, extra)).toBeUndefined();
        }),
        { numRuns: 150 }
      );
    });
  }

  it('[LED-3] a field the reader does not know is refused even when its name is in another kind’s table', () => {
    // 'text' is a Comment key; a Ballot carrying it is bad-payload.
    const ballot = encodePayload({
      kind: Kind.Ballot,
      proposal: '00'.repeat(32),
      choice: 1,
      reason: undefined
    });
    ballot.set('text', 'hello');
    expect(parsePayload(Kind.Ballot, ballot)).toBeUndefined();
    // A helped post's envelope has a size limit.
    const helped = encodePayload({
      kind: Kind.Helped,
      target: '00'.repeat(32),
      post: new Uint8Array(MAX_ENVELOPE_BYTES + 1)
    });
    expect(parsePayload(Kind.Helped, helped)).toBeUndefined();
  });
});
