import { describeExecution } from '../../src/lib/core/governance/state';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor, type CborValue } from '../../src/lib/core/crypto/cbor';
import { concat, sign } from '../../src/lib/core/crypto/ed25519';
import { derive } from '../../src/lib/core/governance/derive';
import { encodeBody, MAX_ENVELOPE_BYTES, signedMessage } from '../../src/lib/core/ledger/envelope';
import {
  DAY,
  Device,
  Kind,
  map,
  newGroupId,
  P,
  Scenario,
  standardGroup as group,
  T0
} from '../kit/ledger-kit';

/** A well-formed comment body by `a` (seq 1), to corrupt in tests. */
const commentBody = (s: Scenario, a: Device) =>
  encodeBody({
    author: a.pub,
    seq: 1,
    backlink: null,
    prev: [],
    kind: Kind.Comment,
    payload: P.comment(s.genesis),
    time: T0
  });

const reasonOf = (s: Scenario, id: string) => s.verdict(id)?.reason ?? null;
const flip = (bytes: Uint8Array, at: number) => {
  const out = Uint8Array.from(bytes);
  out[at]! ^= 1;
  return out;
};

/** Signs an arbitrary body (already encoded) as `dev` for `groupId`. */
function sealRaw(dev: Device, groupId: Uint8Array, body: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(1), sign(dev.secret, signedMessage(groupId, body)), body);
}

describe('adversarial catalogue: bytes and signatures', () => {
  it('[ADV-1] forged signature → bad-signature', () => {
    const { s, a } = group();
    const { bytes, id } = a.write(s.groupId, Kind.Comment, P.comment(s.genesis), s.heads, T0);
    s.raw(flip(bytes, 10));
    const st = s.state();
    expect(st.audit.find((r) => r.reason === 'bad-signature')).toBeDefined();
    expect(st.audit.find((r) => r.id === id)).toBeUndefined();
  });

  it('[ADV-2] an entry replayed from another group → bad-signature', () => {
    const { s, a } = group();
    const other = newGroupId(a, 9).groupId;
    const { bytes, id } = new Device(1).write(
      other,
      Kind.Comment,
      P.comment(s.genesis),
      s.heads,
      T0
    );
    s.raw(bytes);
    expect(s.state().audit.find((r) => r.id === id)?.reason).toBe('bad-signature');
  });

  it('[ADV-3][LED-2] truncated bytes and a wrong version byte → bad-envelope', () => {
    const { s, a } = group();
    const { bytes } = a.write(s.groupId, Kind.Comment, P.comment(s.genesis), s.heads, T0);
    s.raw(bytes.slice(0, 40));
    s.raw(Uint8Array.of(2, ...bytes.slice(1)));
    expect(s.state().audit.filter((r) => r.reason === 'bad-envelope')).toHaveLength(2);
  });

  it('[ADV-4][LED-2] a body cut short (signed as it is) → bad-body', () => {
    const { s, a } = group();
    const body = commentBody(s, a);
    s.raw(sealRaw(a, s.groupId, body.slice(0, body.length - 3)));
    expect(s.state().audit.some((r) => r.reason === 'bad-body')).toBe(true);
  });

  it('[ADV-5][LED-2] non-deterministic CBOR (a non-shortest integer) → bad-body', () => {
    const { s, a } = group();
    const body = commentBody(s, a);
    // The body is [author, seq, …]: 0x87, then 0x58 0x20 and 32 author bytes, so seq (1) is byte 35.
    // Re-encode it as a two-byte integer (0x18 0x01): same value, different bytes.
    expect(body[35]).toBe(0x01);
    const bad = concat(body.slice(0, 35), Uint8Array.of(0x18, 0x01), body.slice(36));
    expect(() => decodeCbor(bad)).toThrow(/non-shortest/);
    s.raw(sealRaw(a, s.groupId, bad));
    expect(s.state().audit.some((r) => r.reason === 'bad-body')).toBe(true);
  });

  it('[ADV-6][LED-2] a body that is not a 7-field array (an extra field, or the old map form) → bad-body', () => {
    const { s, a } = group();
    const fields: CborValue[] = [a.pub, 1, null, [], Kind.Comment, P.comment(s.genesis), T0];
    s.raw(sealRaw(a, s.groupId, encodeCbor([...fields, 'x'])));
    s.raw(
      sealRaw(
        a,
        s.groupId,
        encodeCbor(new Map(fields.map((f, i) => [i, f] as [number, CborValue])))
      )
    );
    // The well-formed array is accepted (as an unknown author), proving the two above fail for their shape.
    s.raw(sealRaw(a, s.groupId, encodeCbor(fields)));
    const reasons = s.state().audit.map((r) => r.reason);
    expect(reasons.filter((r) => r === 'bad-body')).toHaveLength(2);
  });

  it('[ADV-7][LED-2] an envelope over 16 KiB → too-large', () => {
    const { s } = group();
    s.raw(new Uint8Array(MAX_ENVELOPE_BYTES + 1).fill(1));
    expect(s.state().audit.some((r) => r.reason === 'too-large')).toBe(true);
  });

  it('[ADV-8] an oversized text field → bad-payload', () => {
    const { s, a } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const id = s.write(a, Kind.Comment, P.comment(p, 'x'.repeat(5000)));
    expect(reasonOf(s, id)).toBe('bad-payload');
  });

  it('[ADV-9][LED-3] an unknown kind → unknown-kind', () => {
    const { s, a } = group();
    expect(reasonOf(s, s.write(a, 99, map({})))).toBe('unknown-kind');
  });

  it('[ADV-10][LED-3] an unexpected payload field → bad-payload', () => {
    const { s, a } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const payload = P.ballot(p, 1);
    payload.set('weight', 100);
    expect(reasonOf(s, s.write(a, Kind.Ballot, payload))).toBe('bad-payload');
  });

  it('[ADV-11] garbage of every length never makes derive throw', () => {
    const { s } = group();
    for (let n = 0; n < 200; n += 7) s.raw(new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff));
    expect(() => s.state()).not.toThrow();
  });
});

describe('adversarial catalogue: structure and time', () => {
  it('[ADV-12][LED-6] equivocation: two entries with one seq freeze the device from that seq', () => {
    const { s, a } = group();
    const first = s.write(a, Kind.Comment, P.comment(s.genesis));
    const twin = s.write(a, Kind.Settings, P.settings('x'), { seq: 1, backlink: null });
    const later = s.write(a, Kind.Comment, P.comment(s.genesis));
    const st = s.state();
    expect(s.verdict(first, st)?.reason).toBe('equivocation');
    expect(s.verdict(twin, st)?.reason).toBe('equivocation');
    expect(s.verdict(later, st)?.reason).toBe('frozen-device');
  });

  it('[ADV-13][LED-4] an entry whose prev never arrives waits, and its dependents wait too', () => {
    const { s, a } = group();
    const ghost = 'ab'.repeat(32);
    const id = s.write(a, Kind.Settings, P.settings('x'), { prev: [ghost] });
    const child = s.write(a, Kind.Settings, P.settings('y'));
    const st = s.state();
    expect(s.verdict(id, st)).toMatchObject({ verdict: 'waiting', reason: 'missing-prev' });
    expect(s.verdict(child, st)).toMatchObject({ verdict: 'waiting', reason: 'missing-prev' });
  });

  it('[ADV-14][LED-6] a skipped seq → bad-seq; a wrong backlink → bad-backlink', () => {
    const { s, a, b } = group();
    s.write(a, Kind.Settings, P.settings('x'));
    const skipped = s.write(a, Kind.Settings, P.settings('y'), { seq: 5 });
    s.write(b, Kind.Settings, P.settings('z'));
    const wrongLink = s.write(b, Kind.Settings, P.settings('w'), { backlink: s.genesis });
    const st = s.state();
    expect(s.verdict(skipped, st)?.reason).toBe('bad-seq');
    expect(s.verdict(wrongLink, st)?.reason).toBe('bad-backlink');
  });

  it('[ADV-15] the same bytes delivered twice count once', () => {
    const { s, a } = group();
    const { bytes } = a.write(s.groupId, Kind.Comment, P.comment(s.genesis), s.heads, T0);
    const st = derive([...s.entries.values(), bytes, bytes, bytes], { groupId: s.groupId });
    expect(st.audit).toHaveLength(s.entries.size + 1);
  });

  it('[ADV-16][LED-7] a second genesis, and a genesis for a group id the author did not make → genesis-invalid', () => {
    const { s, a } = group();
    const { nonce } = newGroupId(s.founder);
    const again = s.write(s.founder, Kind.Genesis, P.genesis(s.groupId, nonce));
    const forged = s.write(a, Kind.Genesis, P.genesis(s.groupId, nonce), { prev: [] });
    const st = s.state();
    expect(s.verdict(again, st)?.reason).toBe('genesis-invalid');
    expect(s.verdict(forged, st)?.reason).toBe('genesis-invalid');
  });

  it('[ADV-17] entries with no genesis at all → no-genesis', () => {
    const a = new Device(1);
    const { groupId } = newGroupId(a);
    const { bytes, id } = a.write(groupId, Kind.Settings, P.settings('x'), [], T0);
    const st = derive([bytes], { groupId });
    expect(st.audit.find((r) => r.id === id)?.reason).toBe('no-genesis');
  });

  it('[ADV-18][TIME-1] a backdated proposal cannot shorten its own voting period', () => {
    const { s, a, b, c } = group();
    s.write(a, Kind.Comment, P.comment(s.genesis)); // others' clocks are at T0 + minutes
    s.write(b, Kind.Settings, P.settings('Circle'), {});
    s.write(c, Kind.Settings, P.settings('Circle'), {});
    const p = s.write(a, Kind.Propose, P.propose('general'), { time: T0 - 30 * DAY });
    expect(s.state().proposals[p]!.start).toBeGreaterThanOrEqual(T0);
  });

  it('[ADV-19][TIME-1] a closer who sets their own clock past the deadline cannot close early → not-decided', () => {
    const { s, a } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(a, Kind.Ballot, P.ballot(p, 1));
    const close = s.write(a, Kind.Close, P.close(p), { time: T0 + 365 * DAY });
    expect(reasonOf(s, close)).toBe('not-decided');
  });

  it('[ADV-20][TIME-1] a probationer who sets their clock forward is still on probation → probation-restricted', () => {
    const { s, a, b } = group();
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    const id = s.write(n, Kind.Propose, P.propose('rules'), { time: T0 + 400 * DAY });
    expect(reasonOf(s, id)).toBe('probation-restricted');
  });

  it('[ADV-21][TIME-1] one member lying about the clock cannot move the group clock', () => {
    const { s, a, b, c } = group();
    s.write(a, Kind.Settings, P.settings('x'), { time: T0 + 9999 * DAY });
    s.write(b, Kind.Comment, P.comment(s.genesis));
    s.write(c, Kind.Comment, P.comment(s.genesis));
    expect(s.state().groupTime).toBeLessThan(T0 + DAY);
  });

  it('[ADV-22][GOV-11] a leader who forward-dates an emergency action does not make it last longer', () => {
    const { s, a, b, c } = group();
    s.write(a, Kind.Comment, P.comment(s.genesis));
    s.write(b, Kind.Comment, P.comment(s.genesis));
    s.write(c, Kind.Comment, P.comment(s.genesis));
    const act = s.write(s.founder, Kind.Emergency, P.emergency('mute', c.id, DAY), {
      time: T0 + 100 * DAY
    });
    expect(s.state().emergencies[act]!.expiresAt).toBeLessThan(T0 + 2 * DAY);
  });
});

describe('adversarial catalogue: membership and authority', () => {
  it('[ADV-23] an unknown author → unknown-author', () => {
    const { s } = group();
    expect(reasonOf(s, s.write(new Device(42), Kind.Comment, P.comment(s.genesis)))).toBe(
      'unknown-author'
    );
  });

  it('[ADV-24] a non-member ballot → unknown-author', () => {
    const { s } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    expect(reasonOf(s, s.write(new Device(42), Kind.Ballot, P.ballot(p, 1)))).toBe(
      'unknown-author'
    );
  });

  it('[ADV-25][GOV-6] a double vote: only the later ballot counts, the earlier is superseded', () => {
    const { s, a } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const first = s.write(a, Kind.Ballot, P.ballot(p, 1));
    const second = s.write(a, Kind.Ballot, P.ballot(p, 0));
    s.time += 8 * DAY;
    s.write(new Device(2), Kind.Comment, P.comment(p));
    s.write(new Device(3), Kind.Comment, P.comment(p));
    s.write(s.founder, Kind.Close, P.close(p));
    const st = s.state();
    expect(s.verdict(first, st)?.reason).toBe('superseded');
    expect(s.verdict(second, st)?.verdict).toBe('applied');
    expect(st.proposals[p]!.tally).toMatchObject({ yes: 0, no: 3 });
  });

  it('[ADV-26][GOV-5] a vote after the voter was removed → removed', () => {
    const { s, a, b, c } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const r = s.write(s.founder, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(s.founder, Kind.Close, P.close(r));
    expect(reasonOf(s, s.write(c, Kind.Ballot, P.ballot(p, 1)))).toBe('removed');
  });

  it('[ADV-27] a vote that has not seen the proposal → proposal-not-in-past', () => {
    const { s, a } = group();
    const before = [...s.heads];
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const ballot = s.write(a, Kind.Ballot, P.ballot(p, 1), { prev: before });
    expect(reasonOf(s, ballot)).toBe('proposal-not-in-past');
  });

  it('[ADV-28] a vote on a proposal that does not exist → unknown-proposal', () => {
    const { s, a } = group();
    expect(reasonOf(s, s.write(a, Kind.Ballot, P.ballot('cd'.repeat(32), 1)))).toBe(
      'unknown-proposal'
    );
  });

  it('[ADV-29][TIER-1] a probationer proposing a restricted kind → probation-restricted', () => {
    const { s, a, b } = group();
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    expect(reasonOf(s, s.write(n, Kind.Propose, P.remove(a.id)))).toBe('probation-restricted');
    expect(s.verdict(s.write(n, Kind.Propose, P.propose('general')))?.verdict).toBe('applied');
  });

  it('[ADV-30][TIER-1] a probationer voting on an admission → not-in-electorate', () => {
    const { s, a, b } = group();
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    const app = s.write(new Device(10), Kind.Apply, P.apply());
    const p = s.write(a, Kind.Propose, P.admit(app));
    expect(reasonOf(s, s.write(n, Kind.Ballot, P.ballot(p, 1)))).toBe('not-in-electorate');
  });

  it('[ADV-31] proposing one’s own promotion → self-promotion', () => {
    const { s, c } = group();
    expect(reasonOf(s, s.write(c, Kind.Propose, P.tier(c.id, 'leader')))).toBe('self-promotion');
  });

  it('[ADV-32] tier powers without the tier: a non-leader changes settings or acts in an emergency → not-leader', () => {
    const { s, a, c } = group();
    expect(reasonOf(s, s.write(a, Kind.Settings, P.settings('Mine now')))).toBe('not-leader');
    expect(reasonOf(s, s.write(a, Kind.Emergency, P.emergency('mute', c.id)))).toBe('not-leader');
    expect(s.state().name).toBe('Circle');
  });

  it('[ADV-33] a regular member assigning mentors → tier-too-low', () => {
    const { s, a, c } = group();
    expect(reasonOf(s, s.write(c, Kind.Mentor, P.mentor(c.id, a.id)))).toBe('tier-too-low');
  });

  it('[ADV-34][GOV-5] a new member’s entry that has not seen their own admission → not-member-yet', () => {
    const { s, a, b } = group();
    const n = new Device(9);
    const app = s.write(n, Kind.Apply, P.apply());
    const afterApp = [...s.heads];
    const p = s.write(a, Kind.Propose, P.admit(app));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(a, Kind.Close, P.close(p));
    expect(reasonOf(s, s.write(n, Kind.Propose, P.propose('general'), { prev: afterApp }))).toBe(
      'not-member-yet'
    );
  });

  it('[ADV-35][LED-8] a device added without the new device’s proof → bad-proof', () => {
    const { s, a } = group();
    const d = new Device(50);
    const payload = P.deviceAdd(s.groupId, a, d);
    payload.set('proof', new Uint8Array(64).fill(3));
    expect(reasonOf(s, s.write(a, Kind.DeviceAdd, payload))).toBe('bad-proof');
    const good = s.write(a, Kind.DeviceAdd, P.deviceAdd(s.groupId, a, d));
    expect(s.state().members[a.id]!.devices).toContain(d.id);
    expect(s.verdict(good)?.verdict).toBe('applied');
  });

  it('[ADV-36] removing another member’s device → not-own-device', () => {
    const { s, a, b } = group();
    expect(reasonOf(s, s.write(a, Kind.DeviceRemove, map({ d: b.pub })))).toBe('not-own-device');
  });

  it('[ADV-37][REP-1] marking one’s own post as helpful → self-mark; twice → duplicate-mark', () => {
    const { s, a, b } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const post = s.write(a, Kind.Comment, P.comment(p, 'What helped me was a walk.'));
    expect(reasonOf(s, s.write(a, Kind.Helped, P.helped(post)))).toBe('self-mark');
    s.write(b, Kind.Helped, P.helped(post));
    expect(reasonOf(s, s.write(b, Kind.Helped, P.helped(post)))).toBe('duplicate-mark');
    expect(s.state().reputation[a.id]?.total).toBe(2);
  });

  it('[ADV-38] a muted member’s comment → muted', () => {
    const { s, c } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(s.founder, Kind.Emergency, P.emergency('mute', c.id));
    expect(reasonOf(s, s.write(c, Kind.Comment, P.comment(p)))).toBe('muted');
  });

  it('[ADV-39] delegating to someone who is not a member → unknown-target', () => {
    const { s, a } = group();
    expect(reasonOf(s, s.write(a, Kind.Delegate, P.delegate('all', new Device(77).id)))).toBe(
      'unknown-target'
    );
  });

  it('[ADV-40][GOV-8] a passed allocation larger than the treasury pays nothing', () => {
    const { s, a, b, c } = group();
    const p = s.write(s.founder, Kind.Propose, P.allocate(c.id, 500));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(s.founder, Kind.Close, P.close(p));
    const st = s.state();
    expect(describeExecution(st.proposals[p]!.execution!)).toMatch(/too few points/);
    expect(st.treasury.balance).toBe(100);
  });

  it('[ADV-41] an outcome statement by someone who is neither the proposer nor a leader → not-leader', () => {
    const { s, a, b, c } = group();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(a, Kind.Close, P.close(p));
    expect(reasonOf(s, s.write(c, Kind.Outcome, P.outcome(p)))).toBe('not-leader');
    expect(s.verdict(s.write(a, Kind.Outcome, P.outcome(p)))?.verdict).toBe('applied');
  });
});

describe('adversarial catalogue: concurrency', () => {
  it('[ADV-42][GOV-6] a ballot causally after the close → after-close', () => {
    const { s, a, b, c } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(s.founder, Kind.Close, P.close(p));
    expect(reasonOf(s, s.write(c, Kind.Ballot, P.ballot(p, 0)))).toBe('after-close');
  });

  it('[ADV-43][LED-5] two concurrent closes: the first in causal order wins, the other → already-closed', () => {
    const { s, a, b } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    const base = [...s.heads];
    const c1 = s.write(a, Kind.Close, P.close(p), { prev: base });
    const c2 = s.write(b, Kind.Close, P.close(p), { prev: base });
    const st = s.state();
    const winner = [c1, c2].sort()[0]!;
    const loser = [c1, c2].sort()[1]!;
    expect(st.proposals[p]!.closedBy).toBe(winner);
    expect(s.verdict(loser, st)?.reason).toBe('already-closed');
  });

  it('[ADV-44][GOV-6] a ballot concurrent with the close does not count → not-counted', () => {
    const { s, a, b, c } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    const base = [...s.heads];
    s.write(s.founder, Kind.Close, P.close(p), { prev: base });
    const late = s.write(c, Kind.Ballot, P.ballot(p, 0), { prev: base });
    const st = s.state();
    expect(s.verdict(late, st)?.reason).toMatch(/not-counted|after-close/);
    expect(st.proposals[p]!.tally).toMatchObject({ no: 0 });
  });

  it('[ADV-45][GOV-9] strong remove: the removed member’s concurrent entries are dropped → removed-concurrently', () => {
    const { s, a, b, c } = group();
    const r = s.write(s.founder, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const base = [...s.heads];
    s.write(s.founder, Kind.Close, P.close(r), { prev: base });
    const sneaky = s.write(c, Kind.Settings, P.settings(), { prev: base });
    const sneakyProposal = s.write(c, Kind.Propose, P.propose('general'), { prev: [sneaky] });
    const st = s.state();
    expect(st.members[c.id]!.status).toBe('removed');
    expect(s.verdict(sneakyProposal, st)?.reason).toBe('removed-concurrently');
    expect(st.proposals[sneakyProposal]).toBeUndefined();
  });

  it('[ADV-46][GOV-9] mutual concurrent removals: the more senior member stays → mutual-removal-seniority', () => {
    const { s, a, b, c } = group();
    // a (senior, admitted at genesis, seniority 1) and c (regular, seniority 3) try to remove each other.
    const ra = s.write(a, Kind.Propose, P.remove(c.id));
    const rc = s.write(c, Kind.Propose, P.remove(a.id));
    for (const v of [s.founder, a, b, c]) {
      s.write(v, Kind.Ballot, P.ballot(ra, 1));
      s.write(v, Kind.Ballot, P.ballot(rc, 1));
    }
    const base = [...s.heads];
    const closeA = s.write(b, Kind.Close, P.close(ra), { prev: base });
    const closeC = s.write(s.founder, Kind.Close, P.close(rc), { prev: base });
    const st = s.state();
    expect(s.verdict(closeC, st)?.reason).toBe('mutual-removal-seniority');
    expect(s.verdict(closeA, st)?.verdict).toBe('applied');
    expect(st.members[a.id]!.status).toBe('active');
    expect(st.members[c.id]!.status).toBe('removed');
  });

  it('[ADV-47][GOV-10] demotion drops a concurrent use of the lost power → lost-power', () => {
    const { s, a, b, c } = group();
    const d = s.write(s.founder, Kind.Propose, P.tier(a.id, 'regular'));
    for (const v of [s.founder, b, c]) s.write(v, Kind.Ballot, P.ballot(d, 1));
    const base = [...s.heads];
    s.write(s.founder, Kind.Close, P.close(d), { prev: base });
    const mentoring = s.write(a, Kind.Mentor, P.mentor(c.id, b.id), { prev: base });
    const st = s.state();
    expect(st.members[a.id]!.tier).toBe('regular');
    expect(s.verdict(mentoring, st)?.reason).toBe('lost-power');
    expect(st.members[c.id]!.mentor).toBeNull();
  });

  it('[ADV-48][GOV-9] re-adding a removed member needs an application made after the removal', () => {
    const { s, a, b, c } = group();
    const appBefore = s.write(c, Kind.Apply, P.apply('again'));
    void appBefore;
    const r = s.write(s.founder, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(s.founder, Kind.Close, P.close(r));
    expect(s.state().members[c.id]!.status).toBe('removed');
    const app = s.write(c, Kind.Apply, P.apply('I am back'));
    const p = s.write(a, Kind.Propose, P.admit(app));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(a, Kind.Close, P.close(p));
    const st = s.state();
    expect(st.members[c.id]).toMatchObject({ status: 'active', tier: 'new' });
  });

  it('[ADV-49] an application by someone who is already a member → already-member', () => {
    const { s, a } = group();
    expect(reasonOf(s, s.write(a, Kind.Apply, P.apply()))).toBe('already-member');
  });

  describe('a device that adds itself from a backup [ID-5] [LED-8]', () => {
    it('[ADV-50] it is added, and the member’s old device writing at the same time is no equivocation', () => {
      const { s, a } = group();
      const fresh = new Device(60);
      const p = s.write(s.founder, Kind.Propose, P.propose('general'));
      const before = [...s.heads];
      // The old phone, offline, writes; the restored phone adds itself without having seen it.
      const offline = s.write(a, Kind.Comment, P.comment(p, 'from the old phone'));
      const add = s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, a, fresh, a), {
        prev: before
      });
      const later = s.write(fresh, Kind.Comment, P.comment(p, 'from the new phone'));
      const st = s.state();
      expect(st.members[a.id]!.devices).toContain(fresh.id);
      for (const id of [offline, add, later]) expect(s.verdict(id, st)?.verdict).toBe('applied');
      expect(st.audit.filter((x) => x.verdict !== 'applied')).toEqual([]);
    });

    it('[ADV-51] a forged or misused authorization → bad-proof, not-own-device or unknown-author', () => {
      const { s, a, b } = group();
      const fresh = new Device(61);
      // Signed by a device of another member.
      const byOther = P.recover(s.groupId, a, fresh, a);
      byOther.set('by', b.pub);
      expect(reasonOf(s, s.write(fresh, Kind.DeviceAdd, byOther))).toBe('bad-proof');
      // Garbage in place of the signature.
      const garbage = P.recover(s.groupId, a, new Device(62), a);
      garbage.set('auth', new Uint8Array(64).fill(5));
      expect(reasonOf(s, s.write(new Device(62), Kind.DeviceAdd, garbage))).toBe('bad-proof');
      // Someone else's authorization copied into one's own entry: it names another device.
      const stolen = new Device(63);
      expect(reasonOf(s, s.write(stolen, Kind.DeviceAdd, P.recover(s.groupId, a, fresh, a)))).toBe(
        'not-own-device'
      );
      // "By" a device no member has.
      const nobody = new Device(64);
      expect(
        reasonOf(
          s,
          s.write(
            new Device(65),
            Kind.DeviceAdd,
            P.recover(s.groupId, nobody, new Device(65), nobody)
          )
        )
      ).toBe('unknown-author');
      expect(s.state().members[a.id]!.devices).not.toContain(fresh.id);
    });

    it('[ADV-52] a removed device cannot come back with its old authorization; nor can a removed member’s', () => {
      const { s, a, b, c } = group();
      const fresh = new Device(66);
      s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, a, fresh, a));
      s.write(a, Kind.DeviceRemove, map({ d: fresh.pub }));
      expect(s.state().members[a.id]!.devices).not.toContain(fresh.id);
      const again = s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, a, fresh, a));
      expect(reasonOf(s, again)).toBe('not-own-device');
      expect(s.state().members[a.id]!.devices).not.toContain(fresh.id);
      // A member the group removed: their backup adds no device.
      const p = s.write(s.founder, Kind.Propose, P.remove(c.id));
      for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(p, 1));
      s.write(s.founder, Kind.Close, P.close(p));
      expect(s.state().members[c.id]!.status).toBe('removed');
      const cPhone = new Device(67);
      expect(reasonOf(s, s.write(cPhone, Kind.DeviceAdd, P.recover(s.groupId, c, cPhone, c)))).toBe(
        'removed'
      );
    });
  });
});
