/**
 * Red team: attacks on the governance core by people who have read the code (issue 20). Each
 * block says who abuses the weakness and how, then tries it. Every test here failed on the code
 * before its fix; the SPEC rules they cite (RED-*) say what each attack now gets.
 */
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/lib/core/governance/derive';
import type { GroupState } from '../../src/lib/core/governance/state';
import { Device, Kind, P, standardGroup, T0 } from '../kit/ledger-kit';
import { crowd, Net } from '../kit/session-kit';

const verdictOf = (st: GroupState, id: string) => st.audit.find((a) => a.id === id);
const notApplied = (st: GroupState, devices: string[]) =>
  st.audit.filter(
    (a) => a.verdict !== 'applied' && a.author !== null && devices.includes(a.author)
  );

describe('class 1: the writer writes what the reader rejects', () => {
  // Who: anyone who knows a group's document id (any key will do), and, without any attacker, a
  // group of about twenty people voting in the same evening.
  // How: more than 16 heads. The writer named only the first 16 heads (by id) in `prev`; when its
  // own last entry was not among them its next entry had not "seen" its own previous seq: bad-seq,
  // and every later entry of that device too. The device was frozen for good.

  it('[RED-1] junk entries whose ids sort first do not freeze a member’s phone', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 3);
    const [founder, a] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    net.put(founder.propose({ type: 'general', text: 'Meet on Thursdays' }, T0 + 60));
    net.sync(...sessions);
    const proposal = Object.keys(founder.state.proposals)[0]!;
    const heads = [...a.state.heads];
    net.put(a.vote(proposal, 1, '', T0 + 120));
    net.sync(...sessions);
    const tip = a.ledger.tip(a.device.id)!.id;
    // The outsider signs junk beside a's ballot (on the heads before it) until 16 of them sort
    // before it: the first 16 heads by id are then all junk.
    const outsider = new Device(9_000);
    let below = 0;
    for (let i = 0; below < 16 && i < 5_000; i++) {
      const junk = outsider.write(groupId, Kind.Comment, P.comment(proposal, `x${i}`), heads, T0);
      net.put([junk.bytes]);
      if (junk.id < tip) below++;
    }
    expect(below).toBe(16);
    net.sync(...sessions);
    const written = [
      ...a.consent(null, true, T0 + 180),
      ...a.delegate('all', founder.me, T0 + 200)
    ];
    net.put(written);
    net.sync(...sessions);
    const st = founder.state;
    expect(notApplied(st, [a.device.id])).toEqual([]);
    expect(st.research.choices[a.me]?.all?.consent).toBe(true);
    expect(st.delegations[a.me]?.all).toBe(founder.me);
  });

  it('[RED-2] twenty members voting in the same evening, then writing again: nobody is frozen', () => {
    const net = new Net();
    const { sessions } = crowd(net, 20);
    const founder = sessions[0]!;
    net.put(founder.propose({ type: 'general', text: 'A picnic in May' }, T0 + 60));
    net.sync(...sessions);
    const proposal = Object.keys(founder.state.proposals)[0]!;
    // Everyone votes on the same view (nobody has seen anyone else's ballot yet)…
    const ballots = sessions.map((s, i) => s.vote(proposal, 1, '', T0 + 120 + i));
    for (const b of ballots) net.put(b);
    net.sync(...sessions);
    expect(founder.state.heads.length).toBe(20);
    // …then everyone writes again, still in the same evening.
    for (const [i, s] of sessions.entries()) net.put(s.consent(null, i % 2 === 0, T0 + 600 + i));
    net.sync(...sessions);
    for (const [i, s] of sessions.entries()) net.put(s.vote(proposal, 0, '', T0 + 900 + i));
    net.sync(...sessions);
    const st = founder.state;
    const everyone = sessions.map((s) => s.device.id);
    expect(notApplied(st, everyone).filter((a) => a.reason !== 'superseded')).toEqual([]);
    expect(sessions.some((s) => s.chainBroken())).toBe(false);
    expect(Object.keys(st.research.choices)).toHaveLength(20);
  });

  it('[RED-3] [LED-6] an entry whose prev leaves out its own previous entry still follows it (its backlink is a parent)', () => {
    const { s, a, b } = standardGroup();
    const before = [...s.heads];
    const x = s.write(a, Kind.Consent, P.consent(undefined, true));
    // b writes without having seen x; a then names only b's entry, leaving x out of prev.
    const y = s.write(b, Kind.Consent, P.consent(undefined, false), { prev: before });
    const next = s.write(a, Kind.Delegate, P.delegate('all', b.id), { prev: [y] });
    const later = s.write(a, Kind.Propose, P.propose('general'));
    const st = s.state();
    for (const id of [x, y, next, later]) expect(verdictOf(st, id)?.verdict).toBe('applied');
    expect(st.delegations[a.id]?.all).toBe(b.id);
    // The incremental ledger agrees with a full derive.
    const l = new Ledger({ groupId: s.groupId });
    for (const bytes of s.entries.values()) l.add(bytes);
    expect(l.state.audit.map((r) => r.reason)).toEqual(st.audit.map((r) => r.reason));
  });
});
