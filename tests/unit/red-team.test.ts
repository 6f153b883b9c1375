/**
 * Red team: attacks on the governance core by people who have read the code (issue 20). Each
 * block says who abuses the weakness and how, then tries it. Every test here failed on the code
 * before its fix; the SPEC rules they cite (RED-*) say what each attack now gets.
 */
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../src/lib/core/crypto/cbor';
import { verifyStrict } from '../../src/lib/core/crypto/ed25519';
import { hexToBytes } from '../../src/lib/core/encoding/hex';
import { SpaceKind } from '../../src/lib/core/governance/types';
import { entryId, sealEntry, signedMessage } from '../../src/lib/core/ledger/envelope';
import { readThread, threadTip } from '../../src/lib/core/space/thread';
import { activeMute } from '../../src/lib/core/governance/safety';
import { lookalikes, namesLookAlike } from '../../src/lib/core/identity/lookalike';
import type { Text } from '../../src/lib/core/governance/text';
import { signInviteProof } from '../../src/lib/core/governance/invites';
import { canonicalJson, derive, Ledger } from '../../src/lib/core/governance/derive';
import { GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys } from '../../src/lib/core/group/signer';
import type { GroupState } from '../../src/lib/core/governance/state';
import { Device, DAY, Kind, map, P, Scenario, seed, standardGroup, T0 } from '../kit/ledger-kit';
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

describe('class 8: smaller ones', () => {
  // Who: a member who wants one payload to mean two things, or two entries with different bytes
  // to mean the same. How: a text key (or text) that starts with a byte-order mark; the UTF-8
  // decoder dropped a leading BOM, so "\uFEFFc" read as "c": one map hid a duplicate key.
  it('[RED-13] [LED-2] a map key with a leading byte-order mark is its own key: nothing hides a duplicate, and such a payload is bad-payload', () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    // { "c": 1, "\uFEFFc": 0 }: keys in byte order (0x61 0x63 < 0x64 0xef…).
    const bytes = Uint8Array.of(0xa2, 0x61, 0x63, 0x01, 0x64, ...bom, 0x63, 0x00);
    const back = decodeCbor(bytes) as Map<string, unknown>;
    expect([...back.keys()]).toEqual(['c', '\uFEFFc']);
    expect(encodeCbor(back as never)).toEqual(bytes);
    expect(decodeCbor(Uint8Array.of(0x64, ...bom, 0x63))).toBe('\uFEFFc');
    const { s, a } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const payload = P.ballot(p, 1);
    payload.set('\uFEFFc', 0);
    const ballot = s.write(a, Kind.Ballot, payload);
    expect(verdictOf(s.state(), ballot)?.reason).toBe('bad-payload');
  });
});

describe('class 7: authority checks that read today’s state instead of the entry’s position', () => {
  // Who: a delegate who wants a vote closed before the people who trusted them can change their
  // mind. How: the early close ("the outcome can no longer change") counted delegated weight as
  // final, though any delegator may still vote directly and override it (GOV-7).
  it('[RED-14] [GOV-6] [GOV-7] a delegate cannot close a vote at once on their delegators’ weight → not-decided', () => {
    const { s, a, b, c } = standardGroup();
    for (const d of [a, b, c]) s.write(d, Kind.Delegate, P.delegate('all', s.founder.id));
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(s.founder, Kind.Ballot, P.ballot(p, 1));
    const close = s.write(s.founder, Kind.Close, P.close(p));
    expect(verdictOf(s.state(), close)?.reason).toBe('not-decided');
    // Once everyone has voted directly, or the deadline passed, it closes as before.
    for (const d of [a, b, c]) s.write(d, Kind.Ballot, P.ballot(p, 1));
    const again = s.write(s.founder, Kind.Close, P.close(p));
    expect(verdictOf(s.state(), again)?.verdict).toBe('applied');
  });

  // Who: a moderator (or any member) outside a private channel — a safety plan shared with two
  // friends, a request to the responders. How: thread entries are signed envelopes anyone can
  // write into the channel's document; reports and moderators' decisions were counted from anyone.
  it('[RED-15] [SAFE-25] [SPACE-2] nobody outside a private channel can report or remove its posts → not-entitled', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 4, 'senior');
    const [, x, y, z] = sessions as [GroupSession, GroupSession, GroupSession, GroupSession];
    net.put(x.shareWith('4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U', [y.me], { title: 'Plan', topic: '' }, T0));
    net.sync(...sessions);
    const thread = Object.keys(x.state.threads)[0]!;
    const doc = new Map<string, Uint8Array>();
    const post = x.post(thread, null, { text: 'Step 1: call my sister' }, T0 + 60);
    doc.set(entryId(post), post);
    const raw = (kind: number, payload: ReturnType<typeof map>, seq: number) => {
      const e = sealEntry(z.device.secret, groupId, {
        author: z.device.publicKey,
        seq,
        backlink: seq === 1 ? null : [...doc.keys()].at(-1)!,
        prev: [],
        kind,
        payload,
        time: T0 + 120
      });
      doc.set(e.id, e.bytes);
      return e.id;
    };
    const t = hexToBytes(thread);
    const p = hexToBytes(entryId(post));
    const report = raw(SpaceKind.Report, map({ t, p, why: 'spam' }), 1);
    const removal = raw(SpaceKind.Moderate, map({ t, p, act: 'remove', why: 'spam' }), 2);
    const seen = readThread({
      state: y.state,
      thread,
      entries: doc,
      verify: (e) => verifyStrict(e.author, signedMessage(groupId, e.body), e.signature),
      reportThreshold: 1
    });
    expect(seen.posts[0]!.standing).toBe('visible');
    const why = Object.fromEntries(seen.ignored.map((i) => [i.id, i.reason]));
    expect(why[report]).toBe('not-entitled');
    expect(why[removal]).toBe('not-entitled');
  });

  // Who: a leader who wants someone silenced for good. How: an emergency mute the group ratified
  // never lapsed, no appeal could name it, and it followed the member through leaving and rejoining.
  it('[RED-16] [GOV-11] [SAFE-23] a ratified emergency mute is lifted by an appeal, and does not follow a member who left and rejoined', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const act = s.write(s.founder, Kind.Emergency, P.emergency('mute', c.id, DAY));
    const ratify = s.write(s.founder, Kind.Propose, P.ratify(act));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(ratify, 1));
    s.write(s.founder, Kind.Close, P.close(ratify));
    const silenced = s.write(c, Kind.Comment, P.comment(p));
    expect(verdictOf(s.state(), silenced)?.reason).toBe('muted');
    const appeal = s.write(c, Kind.Propose, P.appeal(act));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(appeal, 1));
    s.write(a, Kind.Close, P.close(appeal));
    const after = s.write(c, Kind.Comment, P.comment(p, 'thank you'));
    expect(verdictOf(s.state(), after)?.verdict).toBe('applied');
    // A second ratified mute; c leaves (removed) and is admitted again: it does not follow them.
    const act2 = s.write(s.founder, Kind.Emergency, P.emergency('mute', c.id, DAY));
    const ratify2 = s.write(s.founder, Kind.Propose, P.ratify(act2));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(ratify2, 1));
    s.write(s.founder, Kind.Close, P.close(ratify2));
    const r = s.write(s.founder, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(s.founder, Kind.Close, P.close(r));
    const app = s.write(c, Kind.Apply, P.apply('back', c.xPub));
    const adm = s.write(a, Kind.Propose, P.admit(app));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(adm, 1));
    s.write(a, Kind.Close, P.close(adm));
    const back = s.write(c, Kind.Comment, P.comment(p, 'back again'));
    const st = s.state();
    expect(st.members[c.id]!.status).toBe('active');
    expect(verdictOf(st, back)?.verdict).toBe('applied');
  });

  // Who: a member about to be named a peer moderator, who mutes someone before they were.
  // How: `mute` asked whether the author moderates in the state at its place in the total order,
  // not in its causal past; a naming concurrent with the mute and ordered before it counted.
  it('[RED-17] [SAFE-21] [SAFE-22] a mute written before its author was named a moderator → not-moderator', () => {
    const { s, a, b, c } = standardGroup();
    const victim = new Device(9);
    s.admit(victim, [s.founder, a, b]);
    const naming = s.write(s.founder, Kind.Propose, P.moderation({ mods: [c.id] }));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(naming, 1));
    s.time += 6 * DAY;
    s.write(a, Kind.Comment, P.comment(naming));
    s.write(b, Kind.Comment, P.comment(naming));
    const base = [...s.heads];
    const close = s.write(s.founder, Kind.Close, P.close(naming), { prev: base });
    expect(s.state().safety.moderators).toEqual([c.id]);
    // c mutes on the heads before the close: find a mute whose id sorts after the close, so the
    // total order puts it after the naming.
    let mute: { id: string; bytes: Uint8Array } | undefined;
    for (let h = 1; !mute || mute.id < close; h++)
      mute = c.write(s.groupId, Kind.Mute, P.mute(victim.id, h * 3600), base, s.time, {
        seq: c.seq + 1,
        backlink: c.last
      });
    s.entries.set(mute.id, mute.bytes);
    expect(verdictOf(s.state(), mute.id)?.reason).toBe('not-moderator');
  });
});

/**
 * An application by a stranger holding an invitation link, naming the past `prev` of its
 * choosing (an attacker's old heads) [INV-2, RED-18, RED-39].
 */
function applyOnPast(
  groupId: Uint8Array,
  n: number,
  invite: { inviteId: string; secret: Uint8Array },
  prev: string[]
) {
  const stranger = new GroupSession({ groupId, device: deviceKeys(seed(n)), random: rng(n) });
  return sealEntry(stranger.device.secret, groupId, {
    author: stranger.device.publicKey,
    seq: 1,
    backlink: null,
    prev,
    kind: Kind.Apply,
    payload: map({
      m: 'let me in',
      x: stranger.device.xPublic,
      inv: hexToBytes(invite.inviteId),
      ip: signInviteProof(
        invite.secret,
        groupId,
        invite.inviteId,
        stranger.device.publicKey,
        stranger.device.xPublic
      )
    }),
    time: T0 + 100
  });
}

describe('class 3: authors choose their own causal past', () => {
  // Who: whoever holds a leaked invitation link (revoked since), a muted member, a leader.
  // How: rules that say "in the entry's causal past" trusted the past its author chose: naming
  // an old `prev` (before the revocation, before the mute) made the entry judged as of then.
  it('[RED-18] [INV-2] an application that names a past before its invitation was revoked is not admitted on that invitation → invite-revoked', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 3);
    const [founder, a] = sessions as [GroupSession, GroupSession];
    const { entries, secret, inviteId } = founder.invite(T0 + 60, { days: 7, singleUse: false });
    net.put(entries);
    net.sync(...sessions);
    const before = [...founder.state.heads];
    net.put(founder.revokeInvite(inviteId, T0 + 120));
    net.sync(...sessions);
    // The link leaked: someone applies on top of the heads from before the revocation.
    const app = applyOnPast(groupId, 778, { inviteId, secret }, before);
    net.put([app.bytes]);
    net.sync(...sessions);
    // The app says so before anyone starts a vote that the group would not count [RED-25].
    expect(a.admissionRefusal(app.id)).toBe('invite-revoked');
    const proposal = a.propose({ type: 'admit', application: app.id }, T0 + 200);
    net.put(proposal);
    net.sync(...sessions);
    expect(verdictOf(founder.state, entryId(proposal.at(-1)!))?.reason).toBe('invite-revoked');
  });

  // Who: someone who finds an old invitation link, long expired (in a chat history, a photo).
  // How: the application names a past from before the expiry, so its witnessed time is early and
  // the invitation looks fresh. Nobody can tell that from an honest person who applied offline
  // before the expiry and whose phone reached the group late; so the group admits on an
  // invitation for 7 days after it ran out (INV-7), and never later.
  const lateApplication = (lateBy: number) => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 3);
    const [founder, a, b] = sessions as [GroupSession, GroupSession, GroupSession];
    const made = founder.invite(T0 + 60, { days: 7, singleUse: false });
    net.put(made.entries);
    net.sync(...sessions);
    const before = [...founder.state.heads];
    const expires = founder.state.invites[made.inviteId]!.expires;
    // The group lives on past the expiry: the others' phones write at that time.
    const now = expires + lateBy;
    net.put(founder.profile('Robin', now));
    net.put(b.profile('Kim', now));
    net.sync(...sessions);
    const app = applyOnPast(groupId, 779, made, before);
    net.put([app.bytes]);
    net.sync(...sessions);
    // The application itself is recorded (it names a past where the invitation was good).
    expect(a.state.applications[app.id]?.status).toBe('open');
    const said = a.admissionRefusal(app.id);
    const proposal = a.propose({ type: 'admit', application: app.id }, now + 60);
    net.put(proposal);
    net.sync(...sessions);
    return { said, verdict: verdictOf(founder.state, entryId(proposal.at(-1)!)) };
  };

  it('[RED-39] [INV-7] an invitation that expired weeks ago, used with an application naming a past before the expiry → the group cannot admit on it (invite-expired), and the app says so before anyone starts the vote', () => {
    const { said, verdict } = lateApplication(20 * DAY);
    expect(said).toBe('invite-expired');
    expect(verdict?.reason).toBe('invite-expired');
  });

  it('[RED-40] [INV-7] someone who applied offline before the expiry and reached the group two days late is admitted as before', () => {
    const { said, verdict } = lateApplication(2 * DAY);
    expect(said).toBeUndefined();
    expect(verdict?.verdict).toBe('applied');
  });

  it('[RED-18] [INV-2] an invitation withdrawn before anyone started a vote on its application: the app says it cannot admit, and the group agrees', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 3);
    const [founder, a] = sessions as [GroupSession, GroupSession];
    const { entries, secret, inviteId } = founder.invite(T0 + 60, { days: 7, singleUse: false });
    net.put(entries);
    net.sync(...sessions);
    const honest = new GroupSession({ groupId, device: deviceKeys(seed(780)), random: rng(9) });
    honest.addAll(net.entries.values());
    net.put(
      honest.apply({ invite: inviteId, secret, name: 'Sam', motivation: 'hello', now: T0 + 90 })
    );
    net.sync(...sessions);
    const application = Object.keys(a.state.applications)[0]!;
    expect(a.admissionRefusal(application)).toBeUndefined();
    net.put(founder.revokeInvite(inviteId, T0 + 120));
    net.sync(...sessions);
    expect(a.admissionRefusal(application)).toBe('invite-revoked');
    const proposal = a.propose({ type: 'admit', application }, T0 + 200);
    net.put(proposal);
    net.sync(...sessions);
    expect(verdictOf(founder.state, entryId(proposal.at(-1)!))?.reason).toBe('invite-revoked');
  });

  it('[RED-19] [GOV-11] a leader who names only the genesis cannot start an emergency action at their own clock', () => {
    const { s, a, b, c } = standardGroup();
    for (const d of [a, b, c]) s.write(d, Kind.Comment, P.comment(s.genesis));
    const act = s.write(s.founder, Kind.Emergency, P.emergency('mute', c.id, DAY), {
      prev: [s.genesis],
      time: T0 + 300 * DAY
    });
    expect(s.state().emergencies[act]!.expiresAt).toBeLessThan(T0 + 2 * DAY);
  });

  it('[RED-20] [SAFE-22] a muted member’s comment that names a past before the mute → muted', () => {
    const { s, c } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const before = [...s.heads];
    s.write(s.founder, Kind.Mute, P.mute(c.id, 30 * DAY));
    s.write(s.founder, Kind.Comment, P.comment(p, 'the mute is known'));
    const sneaky = s.write(c, Kind.Comment, P.comment(p, 'I never saw it'), { prev: before });
    expect(verdictOf(s.state(), sneaky)?.reason).toBe('muted');
  });
});

describe('class 4: time from three clocks', () => {
  // Who: a moderator. How: a mute started at its author's claimed time, and a thread decision was
  // ordered by its author's claimed time, while deadlines used witnessed time and the screen the
  // group clock. A pause dated a year ahead silenced someone for a year while the screen showed no
  // pause; a decision dated a century ahead outranked every later one.
  it('[RED-21] [SAFE-22] [TIME-2] a mute dated a year ahead lasts at most a week past the witnessed time, and the screen shows it from the start', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const mute = s.write(s.founder, Kind.Mute, P.mute(c.id, DAY), { time: T0 + 365 * DAY });
    const st = s.state();
    expect(st.mutes[c.id]!.until).toBeLessThanOrEqual(T0 + 8 * DAY + 3600);
    // A phone whose clock says an hour after the mute shows the pause (it used to show none).
    expect(activeMute(st, c.id, T0 + 3600)?.id).toBe(mute);
    s.write(a, Kind.Comment, P.comment(p), { time: T0 + 10 * DAY });
    s.write(b, Kind.Comment, P.comment(p), { time: T0 + 10 * DAY });
    const later = s.write(c, Kind.Comment, P.comment(p, 'back'), { time: T0 + 10 * DAY });
    expect(verdictOf(s.state(), later)?.verdict).toBe('applied');
  });

  it('[RED-22] [SAFE-18] [TIME-2] a thread decision dated a century ahead does not outrank a later decision that saw it, nor the reports after it', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 5, 'senior');
    const [f, m1, m2, x, y] = sessions as [
      GroupSession,
      GroupSession,
      GroupSession,
      GroupSession,
      GroupSession
    ];
    net.put(f.openThread('4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U', { title: 't', topic: '' }, T0));
    net.sync(...sessions);
    const thread = Object.keys(f.state.threads)[0]!;
    const doc = new Map<string, Uint8Array>();
    const add = (bytes: Uint8Array) => (doc.set(entryId(bytes), bytes), entryId(bytes));
    const tip = (s: GroupSession) => threadTip(doc, s.device.id);
    const read = () =>
      readThread({
        state: f.state,
        thread,
        entries: doc,
        verify: (e) => verifyStrict(e.author, signedMessage(groupId, e.body), e.signature)
      });
    const post = add(x.post(thread, tip(x), { text: 'hello' }, T0 + 60));
    const century = add(
      m1.moderate(thread, tip(m1), { post, act: 'hide', reason: 'other' }, T0 + 100 * 365 * DAY)
    );
    expect(read().posts[0]!.standing).toBe('hidden');
    const seen = read().log.map((d) => d.id);
    add(m2.moderate(thread, tip(m2), { post, act: 'reinstate', reason: 'other', seen }, T0 + 120));
    expect(read().posts[0]!.standing).toBe('visible');
    expect(read().posts[0]!.decision?.id).not.toBe(century);
    // Reports written after the reinstatement count again.
    const settled = read().log.map((d) => d.id);
    for (const r of [y, f, m1])
      add(r.report(thread, tip(r), post, 'harassment', T0 + 200, settled));
    expect(read().posts[0]!.standing).toBe('pending-review');
  });
});

describe('class 6: "has a lockbox" was taken to mean "has the key"', () => {
  // Who: a member who wants the group unable to write (or a newcomer kept out), and anyone who
  // holds a withdrawn phone. How: lockboxes are opaque to the reducer, so a close (or a heal) may
  // carry lockboxes that open nothing; and withdrawing a device (DeviceRemove) left it holding the
  // group key with no rotation due.
  it('[RED-23] [ENC-6] withdrawing a linked phone rotates the key: the phone cannot read what is written after', () => {
    const net = new Net();
    const { sessions } = crowd(net, 3);
    const [founder, a] = sessions as [GroupSession, GroupSession];
    const phone = deviceKeys(seed(901));
    net.put(a.link(phone, T0 + 60));
    net.sync(...sessions);
    expect(founder.state.members[a.me]!.devices).toContain(phone.id);
    const out = a.removeDevice(phone.id, T0 + 120);
    net.put(out);
    net.sync(...sessions);
    const st = founder.state;
    expect(st.currentEpoch).toBe(2);
    expect(st.rotationDue).toBe(false);
    expect(Object.keys(st.epochs[2]!.lockboxes)).not.toContain(phone.id);
    expect(founder.hasCurrentKey()).toBe(true);
  });

  it('[RED-24] [ENC-10] [ENC-4] a removal closed with lockboxes that open nothing does not leave the group unable to write: a phone that cannot open its lockbox says so, and the group rotates', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 4);
    const [founder, a, b, c] = sessions as [GroupSession, GroupSession, GroupSession, GroupSession];
    net.put(founder.propose({ type: 'remove', member: c.me }, T0 + 60));
    net.sync(...sessions);
    const removal = Object.keys(founder.state.proposals)[0]!;
    for (const s of [founder, a, b]) net.put(s.vote(removal, 1, '', T0 + 120));
    net.sync(...sessions);
    // a closes with junk: the right shape, a key id, boxes of random bytes.
    const tip = a.ledger.tip(a.device.id)!;
    const junk = sealEntry(a.device.secret, groupId, {
      author: a.device.publicKey,
      seq: tip.seq + 1,
      backlink: tip.id,
      prev: [...a.state.heads],
      kind: Kind.Close,
      payload: map({
        p: hexToBytes(removal),
        lk: map({
          e: 2,
          k: new Uint8Array(8).fill(7),
          b: [founder, a, b].map((s) => [s.device.publicKey, new Uint8Array(80).fill(9)])
        })
      }),
      time: T0 + 180
    });
    net.put([junk.bytes]);
    net.sync(...sessions);
    expect(founder.state.members[c.me]!.status).toBe('removed');
    expect(founder.state.currentEpoch).toBe(2);
    expect(founder.hasCurrentKey()).toBe(false);
    // The founder's phone notices and says so; then any member's next write rotates.
    expect(founder.keyProblem()).toBe(true);
    net.put(founder.reportKeys(T0 + 240));
    net.sync(...sessions);
    expect(founder.state.rotationDue).toBe(true);
    net.put(b.propose({ type: 'general', text: 'Can everyone read this?' }, T0 + 300));
    net.sync(...sessions);
    for (const s of [founder, a, b]) expect(s.hasCurrentKey()).toBe(true);
    expect(c.hasCurrentKey()).toBe(false);
    const text = Object.values(founder.state.proposals).find((p) => p.kind === 'general')!;
    expect(founder.open((text.body as { text: Text }).text)).toBe('Can everyone read this?');
  });
});

describe('class 8: display names', () => {
  // Who: a member who wants to pass for another. How: a display name is sealed text the reducer
  // never reads; a phone showed whatever it opened, bidi overrides and zero-width characters too.
  it('[RED-28] [ID-4] a display name with bidi controls or zero-width characters is not shown; the member shows as "member" with a fingerprint', () => {
    const net = new Net();
    const { sessions } = crowd(net, 3);
    const [founder, a, b] = sessions as [GroupSession, GroupSession, GroupSession];
    net.put(founder.profile('Robin', T0 + 10));
    net.put(a.profile('Rob\u202Ein', T0 + 20)); // a right-to-left override inside
    net.put(b.profile('Rob\u200Bin', T0 + 30)); // a zero-width space inside
    net.sync(...sessions);
    expect(founder.nameOf(founder.me)).toBe('Robin');
    expect(founder.nameOf(a.me)).toBeUndefined();
    expect(founder.nameOf(b.me)).toBeUndefined();
  });
});

describe('class 8: look-alike display names', () => {
  // Who: a member who wants to pass for another without any invisible character. How: letters
  // from another script that look the same (a Cyrillic о, a Greek Α), a digit for a letter, a
  // different case: every such name was shown as it was, beside the name it copies.
  it('[RED-37] [ID-8] a display name that looks like another member’s (Cyrillic о, digit 0, Greek Α, upper case) is marked on both, with their fingerprints; different names are not', () => {
    const net = new Net();
    const { sessions } = crowd(net, 6);
    const [founder, a, b, c, d, e] = sessions as [
      GroupSession,
      GroupSession,
      GroupSession,
      GroupSession,
      GroupSession,
      GroupSession
    ];
    net.put(founder.profile('Robin', T0 + 10));
    net.put(a.profile('R\u043Ebin', T0 + 20)); // a Cyrillic о
    net.put(b.profile('R0BIN', T0 + 30)); // a digit zero, upper case
    net.put(c.profile('\u0391lice', T0 + 40)); // a Greek capital alpha
    net.put(d.profile('Alice', T0 + 50));
    net.put(e.profile('Robyn', T0 + 60));
    net.sync(...sessions);
    for (const s of [founder, a, b, c, d])
      expect(e.looksLikeAnother(s.me), `${e.nameOf(s.me)}`).toBe(true);
    expect(e.looksLikeAnother(e.me)).toBe(false);
    // The names themselves are still shown as written (the mark goes beside them).
    expect(e.nameOf(a.me)).toBe('R\u043Ebin');
  });

  it('[RED-38] [ID-8] the skeleton: confusables fold to one form; names that differ in letters do not', () => {
    const same = [
      ['Robin', 'R\u043Ebin'],
      ['Robin', 'ROBIN'],
      ['Robin', 'R0bin'],
      ['Alice', '\u0391lice'],
      ['Iris', 'lris'],
      ['Sam', '\uFF33am'], // a full-width S
      ['Noor', '  Noor ']
    ];
    for (const [x, y] of same) expect(namesLookAlike(x!, y!), `${x} ~ ${y}`).toBe(true);
    for (const [x, y] of [
      ['Robin', 'Robyn'],
      ['Sam', 'Pam'],
      ['\u0646\u0648\u0631', '\u0646\u0627\u0631']
    ])
      expect(namesLookAlike(x!, y!), `${x} ~ ${y}`).toBe(false);
    expect(
      [
        ...lookalikes(
          new Map([
            ['1', 'Robin'],
            ['2', 'Robyn'],
            ['3', 'R0bin']
          ])
        )
      ].sort()
    ).toEqual(['1', '3']);
  });
});

describe('class 6: a leaked identity backup', () => {
  // Who: whoever found a member's identity backup (a saved file, a photo of the QR). How: the
  // identity device could not be withdrawn (DeviceRemove refuses it), so they acted as the member
  // for good: restored the backup on their own phone, withdrew the member's new phone, voted as the
  // member, read every text. Removing the member and admitting them again cost the member their
  // tier, seniority, reputation and a month of probation.
  it('[RED-29] [ID-7] the group retires a leaked identity: the member keeps their membership on a new key; the leaked key, the thief’s phone and what they wrote meanwhile count for nothing', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    s.write(c, Kind.Ballot, P.ballot(p, 1));
    const thief = new Device(70);
    const fresh = new Device(71);
    // The thief restores c's backup on their own phone; c gives their phone a new key the same way.
    s.write(thief, Kind.DeviceAdd, P.recover(s.groupId, c, thief, c));
    s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, c, fresh, c));
    const before = structuredClone(s.state().members[c.id]!);
    const r = s.write(a, Kind.Propose, P.retire(c.id, [fresh.id]));
    // Holding c's identity key, the thief withdraws c's new phone and votes no as c.
    s.write(c, Kind.DeviceRemove, map({ d: fresh.pub }));
    const thiefVote = s.write(c, Kind.Ballot, P.ballot(r, 0));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const base = [...s.heads];
    const close = s.write(b, Kind.Close, P.close(r));
    // Written without having seen the close: the thief adds one more phone of theirs.
    const another = new Device(72);
    const sneaky = s.write(thief, Kind.DeviceAdd, P.deviceAdd(s.groupId, c, another), {
      prev: base
    });
    const later = s.write(c, Kind.Comment, P.comment(p, 'still me'));
    const phone = new Device(73);
    const back = s.write(phone, Kind.DeviceAdd, P.recover(s.groupId, c, phone, c));
    const reapply = s.write(c, Kind.Apply, P.apply('let me back in', c.xPub));
    const mine = s.write(fresh, Kind.Consent, P.consent(undefined, true));
    const st = s.state();
    expect(verdictOf(st, close)?.verdict).toBe('applied');
    expect(st.proposals[r]!.execution?.code).toBe('retired');
    expect(verdictOf(st, thiefVote)?.reason).toBe('not-in-electorate');
    const after = st.members[c.id]!;
    expect(after.status).toBe('active');
    expect(after.devices).toEqual([fresh.id]);
    for (const k of ['tier', 'seniority', 'admittedBy', 'admittedAt', 'tierHistory'] as const)
      expect(after[k]).toEqual(before[k]);
    expect(Object.keys(st.retired).sort()).toEqual([c.id, thief.id].sort());
    expect(st.rotationDue).toBe(true);
    for (const id of [sneaky, later, back, reapply])
      expect(verdictOf(st, id)?.reason).toBe('retired');
    expect(verdictOf(st, mine)?.verdict).toBe('applied');
    expect(st.research.choices[c.id]?.all?.consent).toBe(true);
    // c's ballot from before the leak still counts: it is the member's, not the key's.
    expect(st.proposals[p]!.ballots.map((x) => x.member)).toContain(c.id);
    // The incremental ledger agrees with a full derive.
    const l = new Ledger({ groupId: s.groupId });
    for (const bytes of s.entries.values()) l.add(bytes);
    expect(canonicalJson(l.state)).toBe(canonicalJson(st));
  });

  it('[RED-30] [ID-7] [ENC-6] a phone whose backup leaked adds a new key of its own, asks for the old one to be retired, and reads and writes on after the close; the old key no longer opens the group key', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 4);
    const [founder, a, b, c] = sessions as [GroupSession, GroupSession, GroupSession, GroupSession];
    const thief = new GroupSession({ groupId, device: deviceKeys(seed(960)), random: rng(960) });
    const fresh = new GroupSession({ groupId, device: deviceKeys(seed(961)), random: rng(961) });
    net.sync(thief, fresh);
    net.put(thief.recover(c.device, T0 + 30) as Uint8Array[]);
    net.sync(fresh);
    const out = fresh.recover(c.device, T0 + 60) as Uint8Array[];
    expect(out.length).toBeGreaterThan(0);
    net.put(out);
    net.put(fresh.propose({ type: 'retire', member: c.me, keep: [fresh.device.id] }, T0 + 90));
    net.sync(founder, a, b, c, thief, fresh);
    const r = Object.values(founder.state.proposals).find((x) => x.kind === 'retire')!;
    expect(r).toBeDefined();
    for (const s of [founder, a, b]) net.put(s.vote(r.id, 1, '', T0 + 120));
    net.sync(founder);
    net.put(founder.close(r.id, T0 + 150));
    net.sync(founder, a, b, c, thief, fresh);
    const st = founder.state;
    expect(st.proposals[r.id]!.execution).toMatchObject({ code: 'retired', newEpoch: 2 });
    expect(fresh.me).toBe(c.me);
    expect(fresh.isMember()).toBe(true);
    expect(fresh.hasCurrentKey()).toBe(true);
    for (const s of [c, thief]) {
      expect(s.isMember()).toBe(false);
      expect(s.retired()).toBe(true);
      expect(s.hasCurrentKey()).toBe(false);
    }
    net.put(fresh.comment(r.id, 'thank you all', T0 + 180));
    net.sync(founder);
    expect(founder.comments(r.id).map((x) => founder.open(x.text))).toEqual(['thank you all']);
  });

  it('[RED-41] [ID-7] “retire my other keys” from a restored phone: the vote starts and is counted; from the leaked key itself, twice, or with nothing left to retire it says why and writes nothing', () => {
    const net = new Net();
    const { groupId, sessions } = crowd(net, 3);
    const [founder, a, c] = sessions as [GroupSession, GroupSession, GroupSession];
    // The identity phone holds the key every backup holds: it cannot ask with it.
    expect(c.retireOthers(T0 + 10)).toBe('identity-device');
    const fresh = new GroupSession({ groupId, device: deviceKeys(seed(962)), random: rng(962) });
    net.sync(fresh);
    net.put(fresh.recover(c.device, T0 + 60) as Uint8Array[]);
    net.sync(fresh);
    const asked = fresh.retireOthers(T0 + 90);
    expect(Array.isArray(asked)).toBe(true);
    net.put(asked as Uint8Array[]);
    net.sync(founder, a, c, fresh);
    const r = Object.values(founder.state.proposals).find((x) => x.kind === 'retire')!;
    expect(verdictOf(founder.state, r.id)?.verdict).toBe('applied');
    expect(r.body).toEqual({ type: 'retire', member: c.me, keep: [fresh.device.id] });
    expect(fresh.retireOthers(T0 + 100)).toBe('already-asked');
    for (const s of [founder, a]) net.put(s.vote(r.id, 1, '', T0 + 120));
    net.sync(founder);
    net.put(founder.close(r.id, T0 + 150));
    net.sync(founder, a, c, fresh);
    expect(c.retired()).toBe(true);
    expect(fresh.retireOthers(T0 + 200)).toBe('nothing-to-retire');
    expect(c.retireOthers(T0 + 200)).toBe('not-member');
  });

  it('[RED-31] [ID-7] retirements that cannot be: keeping the identity, nobody, or a stranger’s phone → bad-payload or unknown-target; a key the group retired never returns', () => {
    const { s, a, b, c } = standardGroup();
    const fresh = new Device(81);
    s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, c, fresh, c));
    const withIdentity = s.write(a, Kind.Propose, P.retire(c.id, [c.id, fresh.id]));
    const nobody = s.write(a, Kind.Propose, P.retire(c.id, []));
    const twice = s.write(a, Kind.Propose, P.retire(c.id, [fresh.id, fresh.id]));
    const stranger = s.write(a, Kind.Propose, P.retire(c.id, [b.id]));
    const outsider = s.write(a, Kind.Propose, P.retire(new Device(82).id, [fresh.id]));
    const st = s.state();
    for (const id of [withIdentity, nobody, twice])
      expect(verdictOf(st, id)?.reason).toBe('bad-payload');
    for (const id of [stranger, outsider]) expect(verdictOf(st, id)?.reason).toBe('unknown-target');
    // A thief's phone is retired with the identity; a later retirement cannot keep it.
    const thief = new Device(84);
    s.write(thief, Kind.DeviceAdd, P.recover(s.groupId, c, thief, c));
    const r = s.write(a, Kind.Propose, P.retire(c.id, [fresh.id]));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(a, Kind.Close, P.close(r));
    const revive = s.write(b, Kind.Propose, P.retire(c.id, [thief.id]));
    const st2 = s.state();
    expect(st2.members[c.id]!.devices).toEqual([fresh.id]);
    expect(verdictOf(st2, revive)?.reason).toBe('unknown-target');
    // The retired devices cannot be added again, by anyone.
    const readd = s.write(fresh, Kind.DeviceAdd, P.deviceAdd(s.groupId, c, thief));
    expect(verdictOf(s.state(), readd)?.reason).toBe('not-own-device');
  });
});

describe('class 6: who abuses a retirement', () => {
  // Who: a member who wants someone else's phone gone; whoever holds a leaked identity key and
  // wants the real owner out instead of themselves; a retired key that goes on writing; a key
  // holder who signs twins around the retirement so the group's decision unravels.

  it('[RED-32] [ID-7] a member cannot retire someone else’s key without the group’s vote: a newcomer may not ask, a close before the votes is not-decided, a close at the deadline without a quorum fails; nothing is retired', () => {
    const { s, a, b, c } = standardGroup();
    const tablet = new Device(85);
    s.write(c, Kind.DeviceAdd, P.deviceAdd(s.groupId, c, tablet));
    const newcomer = new Device(86);
    s.admit(newcomer, [s.founder, a, b]);
    const byNewcomer = s.write(newcomer, Kind.Propose, P.retire(c.id, [tablet.id]));
    const r = s.write(a, Kind.Propose, P.retire(c.id, [tablet.id]));
    const early = s.write(a, Kind.Close, P.close(r));
    // The member whose key it is has no vote on it (whoever holds a leaked key would vote as them).
    const own = s.write(c, Kind.Ballot, P.ballot(r, 0));
    s.write(a, Kind.Ballot, P.ballot(r, 1));
    const alone = s.write(a, Kind.Close, P.close(r));
    s.time += 6 * DAY;
    for (const v of [s.founder, b]) s.write(v, Kind.Comment, P.comment(r, 'busy week'));
    const late = s.write(a, Kind.Close, P.close(r));
    const st = s.state();
    expect(verdictOf(st, byNewcomer)?.reason).toBe('probation-restricted');
    expect(verdictOf(st, early)?.reason).toBe('not-decided');
    expect(verdictOf(st, alone)?.reason).toBe('not-decided');
    expect(verdictOf(st, own)?.reason).toBe('not-in-electorate');
    expect(verdictOf(st, late)?.verdict).toBe('applied');
    expect(st.proposals[r]!.status).toBe('failed');
    expect(st.retired).toEqual({});
    expect(st.members[c.id]!.devices).toEqual([c.id, tablet.id].sort());
    const still = s.write(c, Kind.Consent, P.consent(undefined, true));
    expect(verdictOf(s.state(), still)?.verdict).toBe('applied');
  });

  it('[RED-33] [ID-7] whoever holds a leaked key cannot retire the owner in their place: the leaked key may not ask (retiring-device), nor a phone the retirement would retire; the thief’s retirement, voted down, retires nothing; the owner’s retires the thief’s phone', () => {
    const { s, a, b, c } = standardGroup();
    const thief = new Device(90);
    const fresh = new Device(91);
    const tablet = new Device(92);
    s.write(c, Kind.DeviceAdd, P.deviceAdd(s.groupId, c, tablet));
    s.write(thief, Kind.DeviceAdd, P.recover(s.groupId, c, thief, c));
    s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, c, fresh, c));
    // Signed with the leaked identity key itself, keeping the thief's phone.
    const byLeaked = s.write(c, Kind.Propose, P.retire(c.id, [thief.id]));
    // From a phone of the member that the retirement would retire.
    const byRetiring = s.write(tablet, Kind.Propose, P.retire(c.id, [thief.id]));
    const theirs = s.write(thief, Kind.Propose, P.retire(c.id, [thief.id]));
    const ours = s.write(fresh, Kind.Propose, P.retire(c.id, [fresh.id]));
    // The owner told the others, in person, the code of the phone that is theirs.
    for (const v of [s.founder, a, b]) {
      s.write(v, Kind.Ballot, P.ballot(theirs, 0));
      s.write(v, Kind.Ballot, P.ballot(ours, 1));
    }
    const thiefVote = s.write(thief, Kind.Ballot, P.ballot(theirs, 1));
    s.write(a, Kind.Close, P.close(theirs));
    s.write(b, Kind.Close, P.close(ours));
    const st = s.state();
    expect(verdictOf(st, byLeaked)?.reason).toBe('retiring-device');
    expect(verdictOf(st, byRetiring)?.reason).toBe('retiring-device');
    expect(verdictOf(st, thiefVote)?.reason).toBe('not-in-electorate');
    expect(st.proposals[theirs]!.status).toBe('failed');
    expect(st.proposals[ours]!.execution?.code).toBe('retired');
    expect(st.members[c.id]!.devices).toEqual([fresh.id]);
    expect(Object.keys(st.retired).sort()).toEqual([c.id, thief.id, tablet.id].sort());
  });

  it('[RED-34] [ID-7] had the group passed both, the first closed stands: the other retires nothing and cannot bring the phone it kept back', () => {
    const { s, a, b, c } = standardGroup();
    const thief = new Device(93);
    const fresh = new Device(94);
    s.write(thief, Kind.DeviceAdd, P.recover(s.groupId, c, thief, c));
    s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, c, fresh, c));
    const ours = s.write(fresh, Kind.Propose, P.retire(c.id, [fresh.id]));
    const theirs = s.write(thief, Kind.Propose, P.retire(c.id, [thief.id]));
    for (const v of [s.founder, a, b])
      for (const r of [ours, theirs]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(a, Kind.Close, P.close(ours));
    const second = s.write(b, Kind.Close, P.close(theirs));
    const st = s.state();
    expect(verdictOf(st, second)?.verdict).toBe('applied');
    expect(st.proposals[theirs]!.execution?.code).toBe('not-retired');
    expect(st.members[c.id]!.devices).toEqual([fresh.id]);
    expect(st.members[c.id]!.status).toBe('active');
  });

  it('[RED-35] [ID-7] a retired key writes on: every kind of entry it signs after the close, or beside it, is retired; the phone kept links a new phone that writes', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const thief = new Device(95);
    const fresh = new Device(96);
    s.write(thief, Kind.DeviceAdd, P.recover(s.groupId, c, thief, c));
    s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, c, fresh, c));
    const r = s.write(fresh, Kind.Propose, P.retire(c.id, [fresh.id]));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const base = [...s.heads];
    s.write(b, Kind.Close, P.close(r));
    const other = s.write(b, Kind.Propose, P.propose('general'));
    const beside = [
      s.write(c, Kind.Ballot, P.ballot(p, 0), { prev: base }),
      s.write(thief, Kind.DeviceRemove, map({ d: fresh.pub }), { prev: base })
    ];
    const hisPhone = new Device(97);
    const after = [
      s.write(c, Kind.Ballot, P.ballot(other, 0)),
      s.write(c, Kind.Close, P.close(p)),
      s.write(c, Kind.Comment, P.comment(p, 'still me')),
      s.write(c, Kind.Delegate, P.delegate('all', a.id)),
      s.write(c, Kind.Propose, P.propose('general')),
      s.write(c, Kind.DeviceAdd, P.deviceAdd(s.groupId, c, hisPhone)),
      s.write(thief, Kind.DeviceRemove, map({ d: fresh.pub })),
      s.write(thief, Kind.Mute, P.mute(a.id)),
      s.write(thief, Kind.Consent, P.consent(undefined, false)),
      s.write(thief, Kind.Propose, P.retire(c.id, [fresh.id]))
    ];
    const linked = new Device(98);
    const link = s.write(fresh, Kind.DeviceAdd, P.deviceAdd(s.groupId, c, linked));
    const fromLinked = s.write(linked, Kind.Consent, P.consent(undefined, true));
    const st = s.state();
    for (const id of [...beside, ...after]) expect(verdictOf(st, id)?.reason, id).toBe('retired');
    expect(verdictOf(st, link)?.verdict).toBe('applied');
    expect(verdictOf(st, fromLinked)?.verdict).toBe('applied');
    expect(st.members[c.id]!.devices).toEqual([fresh.id, linked.id].sort());
    expect(st.research.choices[c.id]?.all?.consent).toBe(true);
    expect(st.mutes[a.id]).toBeUndefined();
    expect(st.delegations[c.id]).toBeUndefined();
    expect(st.proposals[p]!.status).toBe('voting');
    const l = new Ledger({ groupId: s.groupId });
    for (const bytes of s.entries.values()) l.add(bytes);
    expect(canonicalJson(l.state)).toBe(canonicalJson(st));
  });

  it('[RED-36] [ID-7] [LED-6] equivocation around a retirement: the owner and the leaked key writing at one seq, and a twin signed after the close at a seq the group built on, change nothing the group decided', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const cBallot = s.write(c, Kind.Ballot, P.ballot(p, 1));
    const fresh = new Device(99);
    s.write(fresh, Kind.DeviceAdd, P.recover(s.groupId, c, fresh, c));
    const base = [...s.heads];
    // The owner's old phone and the thief's copy of its key both write c's next entry.
    const ownerSide = s.write(c, Kind.Comment, P.comment(p, 'it is me'), { prev: base });
    const thiefSide = s.write(c, Kind.DeviceRemove, map({ d: fresh.pub }), {
      prev: base,
      seq: 2,
      backlink: cBallot
    });
    const r = s.write(fresh, Kind.Propose, P.retire(c.id, [fresh.id]));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const close = s.write(b, Kind.Close, P.close(r));
    s.write(a, Kind.Comment, P.comment(r, 'welcome back'));
    s.write(s.founder, Kind.Comment, P.comment(r, 'glad you told us'));
    // After the close, the thief signs a twin of c's first entry (the ballot others built on) and
    // one of c's application-era seq 1 on the genesis.
    const twin = s.write(c, Kind.Ballot, P.ballot(p, 0), { prev: [p], seq: 1, backlink: null });
    const st = s.state();
    expect(verdictOf(st, close)?.verdict).toBe('applied');
    expect(st.proposals[r]!.execution?.code).toBe('retired');
    expect(st.members[c.id]!.status).toBe('active');
    expect(st.members[c.id]!.devices).toEqual([fresh.id]);
    expect(verdictOf(st, cBallot)?.verdict).toBe('applied');
    expect(st.proposals[p]!.ballots.find((x) => x.member === c.id)?.choice).toBe(1);
    // The two seq-2 twins are void (the withdrawal of the new phone among them), and so is the
    // late twin of seq 1: none of them counts.
    for (const id of [ownerSide, thiefSide, twin])
      expect(['equivocation', 'frozen-device', 'retired']).toContain(verdictOf(st, id)?.reason);
    expect(st.rotationDue).toBe(true);
    const mine = s.write(fresh, Kind.Consent, P.consent(undefined, true));
    expect(verdictOf(s.state(), mine)?.verdict).toBe('applied');
    const l = new Ledger({ groupId: s.groupId });
    for (const bytes of s.entries.values()) l.add(bytes);
    expect(canonicalJson(l.state)).toBe(canonicalJson(s.state()));
  });
});
