/**
 * Red team: attacks on the governance core by people who have read the code (issue 20). Each
 * block says who abuses the weakness and how, then tries it. Every test here failed on the code
 * before its fix; the SPEC rules they cite (RED-*) say what each attack now gets.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, derive, Ledger } from '../../src/lib/core/governance/derive';
import { deviceKeys, GroupSession } from '../../src/lib/core/group/session';
import type { GroupState } from '../../src/lib/core/governance/state';
import { Device, DAY, Kind, P, Scenario, seed, standardGroup, T0 } from '../kit/ledger-kit';
import { crowd, Net, rng } from '../kit/session-kit';

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

describe('class 2: entries from keys that are not members shape the group', () => {
  // Who: a member who wants a vote closed early, their probation over or their mute lifted; or an
  // outsider who wants every fresh invitation to be expired. Any Ed25519 key signs a well-formed
  // entry, and the reducer judged it `unknown-author`, but it still became a head (so honest
  // writers built on it) and its claimed time counted as a "member's" clock in witnessed time.
  // How: two outsider keys sign entries dated ahead; the member names them in `prev` (or honest
  // writers do, because they are heads).
  const outsiders = (s: Scenario, at: number, prev = s.heads) =>
    [new Device(8_001), new Device(8_002)].map((d) =>
      s.write(d, Kind.Consent, P.consent(undefined, true), { prev, time: at })
    );

  it('[RED-4] [TIME-1] a member cannot close a vote early with two outsiders’ clocks → not-decided', () => {
    const { s, a } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(a, Kind.Ballot, P.ballot(p, 1));
    const junk = outsiders(s, T0 + 30 * DAY);
    const close = s.write(a, Kind.Close, P.close(p), { prev: [...s.heads, ...junk] });
    const st = s.state();
    expect(verdictOf(st, close)?.reason).toBe('not-decided');
    expect(st.proposals[p]!.status).toBe('voting');
    expect(junk.map((id) => verdictOf(st, id)?.reason)).toEqual([
      'unknown-author',
      'unknown-author'
    ]);
  });

  it('[RED-5] [TIER-1] a probationer cannot end their own probation with outsiders’ clocks → probation-restricted', () => {
    const { s, a, b } = standardGroup();
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    const junk = outsiders(s, T0 + 40 * DAY);
    const id = s.write(n, Kind.Propose, P.remove(a.id), { prev: [...s.heads, ...junk] });
    expect(verdictOf(s.state(), id)?.reason).toBe('probation-restricted');
  });

  it('[RED-6] [SAFE-22] a muted member cannot lift their own mute with outsiders’ clocks → muted', () => {
    const { s, c } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(s.founder, Kind.Mute, P.mute(c.id, DAY));
    const junk = outsiders(s, T0 + 3 * DAY);
    const comment = s.write(c, Kind.Comment, P.comment(p), { prev: [...s.heads, ...junk] });
    expect(verdictOf(s.state(), comment)?.reason).toBe('muted');
  });

  it('[RED-7] [LED-14] [INV-2] outsiders dated a year ahead do not make fresh invitations expire; they are never heads', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 3);
    const [founder] = sessions as [(typeof sessions)[0]];
    const heads = [...founder.state.heads];
    const junk = [new Device(8_003), new Device(8_004)].map((d) =>
      d.write(groupId, Kind.Consent, P.consent(undefined, true), heads, T0 + 365 * DAY)
    );
    net.put(junk.map((j) => j.bytes));
    net.sync(...sessions);
    expect(founder.state.heads).not.toContain(junk[0]!.id);
    expect(founder.state.heads).not.toContain(junk[1]!.id);
    const { entries, secret, inviteId } = founder.invite(T0 + 60, { days: 7, singleUse: true });
    net.put(entries);
    const applicant = new GroupSession({
      groupId,
      device: deviceKeys(seed(777)),
      random: rng(777)
    });
    net.sync(founder, applicant);
    const app = applicant.apply({
      invite: inviteId,
      secret,
      name: 'Sam',
      motivation: 'I lost my sister',
      now: T0 + 120
    });
    net.put(app);
    net.sync(founder);
    const st = founder.state;
    const id = Object.keys(st.applications)[0];
    expect(id).toBeDefined();
    expect(st.audit.find((a) => a.kind === 'Apply')?.reason).toBeNull();
  });

  it('[RED-8] [LED-14] [LED-5] a thousand junk entries change nothing but their own audit lines', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(b, Kind.Close, P.close(p));
    s.admit(new Device(9), [s.founder, a, b]);
    const clean = [...s.entries.values()];
    const junkIds = new Set<string>();
    const groupHeads = [...s.heads];
    for (let i = 0; i < 1_000; i++) {
      const d = new Device(20_000 + (i % 50));
      const prev = i % 3 === 0 ? [s.genesis] : groupHeads;
      const j = d.write(
        s.groupId,
        Kind.Consent,
        P.consent(undefined, i % 2 === 0),
        prev,
        T0 + i * DAY,
        {
          seq: 1,
          backlink: null
        }
      );
      junkIds.add(j.id);
      s.entries.set(j.id, j.bytes);
    }
    const without = derive(clean, { groupId: s.groupId });
    const withJunk = s.state();
    expect(withJunk.heads).toEqual(without.heads);
    expect(withJunk.groupTime).toBe(without.groupTime);
    const strip = (st: GroupState) =>
      canonicalJson({ ...st, audit: st.audit.filter((r) => !junkIds.has(r.id)) });
    expect(strip(withJunk)).toBe(strip(without));
  });
});

describe('class 2, one entry at a time', () => {
  it('[RED-9] [LED-11] junk arriving one entry at a time between members’ entries: the incremental ledger equals a full derive', () => {
    const { s, a, b, c } = standardGroup();
    const l = new Ledger({ groupId: s.groupId });
    l.addAll(s.entries.values());
    const put = (id: string) => l.add(s.entries.get(id)!);
    const p = s.write(a, Kind.Propose, P.propose('general'));
    put(p);
    for (let i = 0; i < 30; i++) {
      const junk = new Device(30_000 + i);
      const prev = i % 2 ? [s.genesis] : [...s.heads];
      const j = junk.write(s.groupId, Kind.Ballot, P.ballot(p, 1), prev, T0 + 400 * DAY);
      s.entries.set(j.id, j.bytes);
      l.add(j.bytes);
      const voter = [s.founder, a, b, c][i % 4]!;
      put(s.write(voter, Kind.Comment, P.comment(p, `comment ${i}`)));
    }
    put(s.write(c, Kind.Ballot, P.ballot(p, 1)));
    put(s.write(b, Kind.Close, P.close(p)));
    const full = s.state();
    expect(canonicalJson(l.state)).toBe(canonicalJson(full));
    expect(full.proposals[p]!.status).toBe('voting');
  });
});

describe('class 5: equivocation rewrites history', () => {
  // Who: a member who closed a vote (or wrote any decision) others have since built on, and now
  // wants it gone: a removal of a friend, and with it the key rotation that locked the friend out.
  // How: sign a second entry at the old seq. Both twins used to be voided after the fact, with the
  // removal, the rotation and everything later from that device.
  const removalWithRotation = () => {
    const g = standardGroup();
    const { s, a, b, c } = g;
    const key1 = new Uint8Array(32).fill(1);
    const key2 = new Uint8Array(32).fill(2);
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key1, [s.founder, a, b, c]));
    const r = s.write(s.founder, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const beforeClose = [...s.heads];
    const seqBefore = a.seq;
    const lastOfA = a.last;
    const closeP = P.close(r);
    closeP.set('lk', P.lockboxes(s.groupId, 2, key2, [s.founder, a, b]));
    const close = s.write(a, Kind.Close, closeP);
    return { ...g, r, close, beforeClose, seqBefore, lastOfA };
  };

  it('[RED-10] [LED-6] a twin signed later at the seq of a close others built on voids nothing the group built on → the twin is equivocation, the removal and the rotation stand', () => {
    const { s, a, b, c, close, beforeClose, seqBefore, lastOfA } = removalWithRotation();
    const p = s.write(b, Kind.Propose, P.propose('general'));
    s.write(s.founder, Kind.Comment, P.comment(p, 'after the removal'));
    const twin = s.write(a, Kind.Consent, P.consent(undefined, true), {
      prev: beforeClose,
      seq: seqBefore + 1,
      backlink: lastOfA
    });
    const st = s.state();
    expect(verdictOf(st, close)?.verdict).toBe('applied');
    expect(verdictOf(st, twin)?.reason).toBe('equivocation');
    expect(st.members[c.id]!.status).toBe('removed');
    expect(st.currentEpoch).toBe(2);
    expect(Object.keys(st.epochs[2]!.lockboxes)).not.toContain(c.id);
    // a's device is frozen from the fork on for anything nobody built on.
    const later = s.write(a, Kind.Consent, P.consent(undefined, false));
    expect(verdictOf(s.state(), later)?.reason).toBe('frozen-device');
  });

  it('[RED-11] [LED-6] twins nobody built on are both void, as before; where members built on both, the one more members built on stands', () => {
    const { s, a, b, c } = standardGroup();
    const base = [...s.heads];
    const one = s.write(a, Kind.Consent, P.consent(undefined, true), { prev: base });
    const two = s.write(a, Kind.Consent, P.consent(undefined, false), {
      prev: base,
      seq: 1,
      backlink: null
    });
    let st = s.state();
    expect(verdictOf(st, one)?.reason).toBe('equivocation');
    expect(verdictOf(st, two)?.reason).toBe('equivocation');
    // b and the founder built on `two`, c on `one`.
    s.write(b, Kind.Consent, P.consent(undefined, true), { prev: [two] });
    s.write(s.founder, Kind.Consent, P.consent(undefined, true), { prev: [two] });
    s.write(c, Kind.Consent, P.consent(undefined, true), { prev: [one] });
    st = s.state();
    expect(verdictOf(st, two)?.verdict).toBe('applied');
    expect(verdictOf(st, one)?.reason).toBe('equivocation');
    expect(st.research.choices[a.id]?.all?.consent).toBe(false);
  });

  it('[RED-12] [LED-11] after an equivocation the incremental ledger and a full derive agree on every later entry', () => {
    const { s, a, b } = standardGroup();
    const base = [...s.heads];
    s.write(a, Kind.Consent, P.consent(undefined, true), { prev: base });
    s.write(a, Kind.Consent, P.consent(undefined, false), { prev: base, seq: 1, backlink: null });
    const l = new Ledger({ groupId: s.groupId });
    l.addAll(s.entries.values());
    for (let i = 0; i < 3; i++) {
      l.add(s.entries.get(s.write(a, Kind.Consent, P.consent(undefined, i % 2 === 0)))!);
      l.add(s.entries.get(s.write(b, Kind.Consent, P.consent(undefined, true)))!);
    }
    expect(canonicalJson(l.state)).toBe(canonicalJson(s.state()));
  });
});
