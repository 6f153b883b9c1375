import { describe, expect, it } from 'vitest';
import { derive, Ledger, stateHash } from '../../src/lib/core/governance/derive';
import { DEFAULT_SETTINGS } from '../../src/lib/core/governance/settings';
import { entryId, decodeEntry, signedMessage } from '../../src/lib/core/ledger/envelope';
import { verifyStrict } from '../../src/lib/core/crypto/ed25519';
import { DAY, Device, Kind, P, Scenario, standardGroup as group, T0 } from '../kit/ledger-kit';

/** Moves every member's clock forward by writing harmless comments at time `t`. */
function witnessTime(s: Scenario, devices: Device[], proposal: string, t: number) {
  for (const d of devices)
    s.write(d, Kind.Comment, P.comment(proposal, 'checking in'), { time: t });
}

describe('ledger format', () => {
  it('[LED-1] an envelope is 0x01, a 64-byte signature over "hearth/v1", the group id and the body, then the body; its id is the SHA-256 of it all', () => {
    const { s, a } = group();
    const id = s.write(a, Kind.Comment, P.comment(s.genesis));
    const bytes = s.entries.get(id)!;
    expect(bytes[0]).toBe(1);
    expect(entryId(bytes)).toBe(id);
    const e = decodeEntry(bytes);
    if (!e.ok) throw new Error('decode');
    expect(verifyStrict(a.pub, signedMessage(s.groupId, bytes.slice(65)), bytes.slice(1, 65))).toBe(
      true
    );
    expect(new TextDecoder().decode(signedMessage(s.groupId, new Uint8Array()).slice(0, 10))).toBe(
      'hearth/v1\0'
    );
  });

  it('[LED-9] signatures are verified once per entry when the verdict cache is kept', () => {
    const { s } = group();
    let calls = 0;
    const verdicts = new Map<string, boolean>();
    const verify = (p: Uint8Array, m: Uint8Array, sig: Uint8Array) => (
      calls++,
      verifyStrict(p, m, sig)
    );
    derive(s.entries.values(), { groupId: s.groupId, verdicts, verify });
    const first = calls;
    derive(s.entries.values(), { groupId: s.groupId, verdicts, verify });
    expect(first).toBe(s.entries.size);
    expect(calls).toBe(first);
  });

  it('[LED-11] adding entries one by one (incremental) gives the same state as deriving them all at once', () => {
    const { s, a, b, c } = group();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(b, Kind.Close, P.close(p));
    s.write(c, Kind.Helped, P.helped(p));
    const ledger = new Ledger({ groupId: s.groupId });
    for (const bytes of s.entries.values()) ledger.add(bytes);
    expect(stateHash(ledger.state)).toBe(stateHash(s.state()));
  });
});

describe('governance rules', () => {
  it('[GOV-2][GOV-4] a governance change applies to later proposals; an earlier proposal keeps the rules it started with', () => {
    const { s, a, b, c } = group();
    const before = s.write(a, Kind.Propose, P.propose('general'));
    const change = s.write(
      a,
      Kind.Propose,
      P.governance('general', { ...DEFAULT_SETTINGS.general, quorum: 90, threshold: 75 })
    );
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(change, 1));
    s.write(a, Kind.Close, P.close(change));
    const after = s.write(a, Kind.Propose, P.propose('general'));
    const st = s.state();
    expect(st.settings.general.quorum).toBe(90);
    expect(st.proposals[before]!.rules.quorum).toBe(DEFAULT_SETTINGS.general.quorum);
    expect(st.proposals[after]!.rules).toMatchObject({ quorum: 90, threshold: 75 });
  });

  it('[GOV-4] the electorate is fixed when the proposal is made: someone admitted later does not vote on it', () => {
    const { s, a, b } = group();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    expect(s.verdict(s.write(n, Kind.Ballot, P.ballot(p, 1)))?.reason).toBe('not-in-electorate');
    expect(Object.keys(s.state().proposals[p]!.electorate)).not.toContain(n.id);
  });

  it('[GOV-3][GOV-7] a delegate’s ballot carries the delegator’s weight; a direct vote overrides the delegation', () => {
    const { s, a, b, c } = group();
    s.write(c, Kind.Delegate, P.delegate('general', a.id));
    s.write(b, Kind.Delegate, P.delegate('all', a.id));
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(a, Kind.Ballot, P.ballot(p, 1));
    s.write(b, Kind.Ballot, P.ballot(p, 0)); // direct vote wins over b's delegation
    s.write(s.founder, Kind.Ballot, P.ballot(p, 2));
    s.write(s.founder, Kind.Close, P.close(p));
    const t = s.state().proposals[p]!.tally!;
    // weights: leader 3, senior 3, senior 3, regular 2
    expect(t).toMatchObject({ yes: 3 + 2, no: 3, abstain: 3, delegated: [c.id] });
  });

  it('[GOV-7] a revoked delegation no longer counts', () => {
    const { s, a, c } = group();
    s.write(c, Kind.Delegate, P.delegate('all', a.id));
    s.write(c, Kind.RevokeDelegation, P.revoke('all'));
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(a, Kind.Ballot, P.ballot(p, 1));
    s.write(s.founder, Kind.Ballot, P.ballot(p, 1));
    s.write(s.founder, Kind.Close, P.close(p));
    expect(s.state().proposals[p]!.tally!.delegated).toEqual([]);
  });

  it('[GOV-11] an emergency mute lapses after its time unless a ratification passes', () => {
    const { s, a, b, c } = group();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const mute = s.write(s.founder, Kind.Emergency, P.emergency('mute', c.id, DAY));
    expect(s.state().emergencies[mute]!.status).toBe('active');
    witnessTime(s, [a, b], p, T0 + 3 * DAY);
    expect(s.state().emergencies[mute]!.status).toBe('expired');
    expect(s.verdict(s.write(c, Kind.Comment, P.comment(p)))?.verdict).toBe('applied');

    const mute2 = s.write(s.founder, Kind.Emergency, P.emergency('hide', p, DAY));
    const r = s.write(a, Kind.Propose, P.ratify(mute2));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(a, Kind.Close, P.close(r));
    witnessTime(s, [a, b], p, T0 + 10 * DAY);
    const st = s.state();
    expect(st.emergencies[mute2]!.status).toBe('ratified');
    expect(st.hidden).toContain(p);
    expect(st.reputation[s.founder.id]?.total).toBeGreaterThan(0);
  });

  it('[TIER-1] probation ends 30 days after admission by witnessed time; then the member acts as regular', () => {
    const { s, a, b } = group();
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    const admittedAt = s.state().members[n.id]!.admittedAt;
    expect(s.verdict(s.write(n, Kind.Propose, P.remove(b.id)))?.reason).toBe(
      'probation-restricted'
    );
    const p = s.write(a, Kind.Propose, P.propose('general'));
    witnessTime(s, [a, b], p, admittedAt + 31 * DAY);
    expect(s.verdict(s.write(n, Kind.Propose, P.propose('rules')))?.verdict).toBe('applied');
  });

  it('[REP-1] helpful posts, mentoring and passed proposals earn points; probationers earn half', () => {
    const { s, a, b, c } = group();
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const post = s.write(n, Kind.Comment, P.comment(p, 'Breathing slowly helped me tonight.'));
    s.write(c, Kind.Helped, P.helped(post));
    s.write(a, Kind.Mentor, P.mentor(n.id, b.id));
    const st = s.state();
    expect(st.reputation[n.id]).toMatchObject({ total: 1 });
    expect(st.reputation[b.id]).toMatchObject({ total: 6 });
    expect(st.members[n.id]!.mentor).toBe(b.id);
    expect(st.reputation[b.id]!.entries[0]!.why).toBe('mentoring');
  });
});
