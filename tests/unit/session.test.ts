import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/lib/core/encoding/hex';
import { foundGroup, GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys, NoKeyError } from '../../src/lib/core/group/signer';
import { seed, T0 } from '../kit/ledger-kit';
import { found, join, MARKERS, Net, rng } from '../kit/session-kit';
import { passcodeKey } from '../../src/lib/core/crypto/passcode';
import {
  decodeTransfer,
  encodeTransfer,
  openTransfer,
  sealSeed,
  transferSeed
} from '../../src/lib/core/identity/transfer';
import fc from 'fast-check';

describe('GroupSession: the app’s writer and reader of one group', () => {
  it('[APP-2] [ID-4] founding seals every text (names too); the founder reads them back, the bytes never contain them', () => {
    const net = new Net();
    const { founder } = found(net);
    const st = founder.state;
    expect(st.audit.every((a) => a.verdict === 'applied')).toBe(true);
    expect(st.currentEpoch).toBe(1);
    expect(founder.open(st.name)).toBe('MARK-GROUPNAME Tuesday circle');
    expect(founder.open(st.description)).toBe('MARK-DESC we meet on Tuesdays');
    expect(founder.open(st.rules.text)).toBe('MARK-RULES be kind');
    expect(founder.nameOf(founder.me)).toBe('MARK-FOUNDER Robin');
    for (const bytes of net.entries.values())
      for (const m of MARKERS) expect(Buffer.from(bytes).toString('latin1')).not.toContain(m);
  });

  it('[INV-4] [APP-3] invite → apply (sealed with the invitation key) → vote → admitted → key healed → the new member reads and writes', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const { applicant, application, proposal } = join(
      net,
      groupId,
      founder,
      200,
      'MARK-APPNAME Sam'
    );
    // The founder read what the applicant wrote, through the invitation secret sealed in the invite.
    expect(founder.open(application.motivation, application.invite)).toBe(
      'MARK-MOTIVE I lost my father'
    );
    expect(founder.state.proposals[proposal.id]!.status).toBe('passed');
    expect(founder.state.members[applicant.me]?.tier).toBe('new');
    // Healing gave the new member the current key: they read the group and write sealed text.
    expect(applicant.hasCurrentKey()).toBe(true);
    expect(applicant.open(applicant.state.name)).toBe('MARK-GROUPNAME Tuesday circle');
    expect(applicant.nameOf(applicant.me)).toBe('MARK-APPNAME Sam');
    net.put(applicant.propose({ type: 'general', text: 'MARK-IDEA picnic in May' }, T0 + 300));
    net.sync(founder, applicant);
    const idea = Object.values(founder.state.proposals).find((p) => p.kind === 'general')!;
    expect(founder.open((idea.body as { text: string }).text)).toBe('MARK-IDEA picnic in May');
    expect(founder.state.audit.filter((a) => a.verdict !== 'applied')).toEqual([]);
    for (const bytes of net.entries.values())
      for (const m of [...MARKERS, 'MARK-MOTIVE', 'MARK-IDEA'])
        expect(Buffer.from(bytes).toString('latin1')).not.toContain(m);
  });

  it('[INV-4] someone who saw only the entries (not the invitation link) cannot read the application', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const { application } = join(net, groupId, founder, 201, 'Sam');
    const outsider = new GroupSession({ groupId, device: deviceKeys(seed(999)), random: rng(9) });
    net.sync(outsider);
    expect(outsider.open(application.motivation, application.invite)).toBeUndefined();
    expect(outsider.open(outsider.state.name)).toBeUndefined();
  });

  it('[ENC-6] [APP-4] a passed removal rotates the key in its close: the removed member cannot read what is written after', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const { applicant } = join(net, groupId, founder, 202, 'Sam');
    net.put(founder.propose({ type: 'remove', member: applicant.me }, T0 + 400));
    net.sync(founder);
    const removal = Object.values(founder.state.proposals).find((p) => p.kind === 'remove')!;
    net.put(founder.vote(removal.id, 1, 'MARK-REASON', T0 + 410));
    net.sync(founder);
    net.put(founder.close(removal.id, T0 + 420));
    net.sync(founder, applicant);
    expect(founder.state.members[applicant.me]?.status).toBe('removed');
    expect(founder.state.currentEpoch).toBe(2);
    expect(founder.state.rotationDue).toBe(false);
    net.put(founder.propose({ type: 'general', text: 'after the removal' }, T0 + 500));
    net.sync(founder, applicant);
    const later = Object.values(applicant.state.proposals).find((p) => p.kind === 'general')!;
    expect(applicant.hasCurrentKey()).toBe(false);
    expect(applicant.open((later.body as { text: string }).text)).toBeUndefined();
    expect(founder.open((later.body as { text: string }).text)).toBe('after the removal');
    // …and the removed member cannot write sealed text any more.
    expect(() => applicant.comment(later.id, 'hello', T0 + 600)).toThrow(NoKeyError);
  });

  it('[APP-1] a device keeps one chain: seq and backlink follow its own entries, and a session rebuilt from the document continues it', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    net.put(founder.propose({ type: 'general', text: 'one' }, T0 + 10));
    const again = new GroupSession({ groupId, device: founder.device, random: rng(3) });
    net.sync(again);
    net.put(again.propose({ type: 'general', text: 'two' }, T0 + 20));
    net.sync(founder, again);
    expect(again.state.audit.filter((a) => a.verdict !== 'applied')).toEqual([]);
    expect(Object.keys(again.state.proposals)).toHaveLength(2);
    expect(toHex(founder.device.publicKey)).toBe(founder.me);
  });

  it('[KEY-2] the X25519 key comes from the Ed25519 seed: same seed, same keys; another seed, other keys', () => {
    const a = deviceKeys(seed(1));
    expect(toHex(deviceKeys(seed(1)).xPublic)).toBe(toHex(a.xPublic));
    expect(toHex(deviceKeys(seed(2)).xPublic)).not.toBe(toHex(a.xPublic));
    expect(toHex(a.xSecret)).not.toBe(toHex(a.secret));
  });

  it('[APP-1] comments come back in order with their sealed text', () => {
    const net = new Net();
    const { founder } = found(net);
    net.put(founder.propose({ type: 'general', text: 'idea' }, T0 + 10));
    const p = Object.keys(founder.state.proposals)[0]!;
    net.put(founder.comment(p, 'first thought', T0 + 20));
    net.put(founder.comment(p, 'second thought', T0 + 30));
    net.sync(founder);
    expect(founder.comments(p).map((c) => founder.open(c.text))).toEqual([
      'first thought',
      'second thought'
    ]);
  });
});

describe('Devices, backups and emergencies through the session', () => {
  it('[ID-6] linking a second phone: one step adds the device and hands it the key; it writes as the same member; removing it stops it', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const second = deviceKeys(seed(300));
    net.put(founder.link(second, T0 + 10));
    const phone2 = new GroupSession({ groupId, device: second, random: rng(30) });
    net.sync(founder, phone2);
    expect(phone2.me).toBe(founder.me);
    expect(phone2.isMember()).toBe(true);
    expect(phone2.hasCurrentKey()).toBe(true);
    expect(phone2.open(phone2.state.name)).toBe('MARK-GROUPNAME Tuesday circle');
    net.put(phone2.propose({ type: 'general', text: 'from my second phone' }, T0 + 20));
    net.sync(founder, phone2);
    const p = Object.values(founder.state.proposals)[0]!;
    expect(p.author).toBe(founder.me);
    expect(founder.state.audit.filter((a) => a.verdict !== 'applied')).toEqual([]);
    // Both phones keep their own chains: no equivocation when both write.
    net.put(founder.comment(p.id, 'first phone', T0 + 30));
    net.put(phone2.comment(p.id, 'second phone', T0 + 31));
    net.sync(founder, phone2);
    expect(founder.comments(p.id)).toHaveLength(2);
    // The member removes the second phone: the key rotates in the same step [ENC-6, RED-23], so
    // the phone cannot even seal a comment any more; what it signs afterwards is not used.
    net.put(founder.removeDevice(second.id, T0 + 40));
    net.sync(founder, phone2);
    expect(phone2.isMember()).toBe(false);
    expect(founder.state.currentEpoch).toBe(2);
    expect(() => phone2.comment(p.id, 'after removal', T0 + 50)).toThrow(NoKeyError);
    net.put(phone2.consent(null, true, T0 + 55));
    net.sync(founder);
    expect(founder.comments(p.id)).toHaveLength(2);
    expect(founder.state.research.choices[founder.me]).toBeUndefined();
    // Linking is only for members; an outsider's session writes nothing.
    const outsider = new GroupSession({ groupId, device: deviceKeys(seed(301)), random: rng(31) });
    net.sync(outsider);
    expect(outsider.link(deviceKeys(seed(302)), T0 + 60)).toEqual([]);
  });

  it('[ID-5] a passphrase backup restores on a new phone as a new device of the same member; a wrong passphrase opens nothing', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const salt = rng(40)(16);
    const nonce = rng(41)(24);
    const text = encodeTransfer({
      kind: 'backup',
      name: 'Robin',
      groups: ['4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U'],
      key: sealSeed(founder.device.secret, passcodeKey('long passphrase', salt), salt, nonce)
    });
    expect(text).not.toContain(toHex(founder.device.secret));
    const read = decodeTransfer(text);
    if (!read.ok) throw new Error(read.error);
    expect(read.value.groups).toEqual(['4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U']);
    expect(openTransfer(read.value, 'wrong passphrase')).toBeUndefined();
    const restored = openTransfer(read.value, 'long passphrase')!;
    expect(toHex(restored)).toBe(toHex(founder.device.secret));
    // The new phone adds its own new device, in its own chain: the backed-up key signs only the
    // authorization. Meanwhile the old phone, offline, writes too; neither freezes the other.
    const newPhone = deviceKeys(seed(303));
    const session = new GroupSession({ groupId, device: newPhone, random: rng(43) });
    net.sync(session);
    const offline = new Net();
    offline.put(founder.propose({ type: 'general', text: 'written offline' }, T0 + 90));
    const added = session.recover(deviceKeys(restored), T0 + 100);
    if (typeof added === 'string') throw new Error(added);
    expect(added.length).toBe(2); // the device, and the key it gives itself
    net.put(added);
    expect(session.me).toBe(founder.me);
    expect(session.hasCurrentKey()).toBe(true);
    expect(session.open(session.state.name)).toBe('MARK-GROUPNAME Tuesday circle');
    net.put(session.propose({ type: 'general', text: 'from the restored phone' }, T0 + 110));
    net.put([...offline.entries.values()]);
    net.sync(founder, session);
    expect(founder.state.members[founder.me]?.devices).toContain(newPhone.id);
    for (const s of [founder, session]) {
      expect(s.state.audit.filter((a) => a.verdict !== 'applied')).toEqual([]);
      expect(Object.values(s.state.proposals).map((p) => p.author)).toEqual([
        founder.me,
        founder.me
      ]);
    }
    expect(session.recover(deviceKeys(restored), T0 + 120)).toBe('already');
    // The member removes the restored phone: restoring onto it again is refused, and nothing
    // is written for the group to store.
    net.put(founder.removeDevice(newPhone.id, T0 + 125));
    net.sync(session);
    expect(session.recover(deviceKeys(restored), T0 + 126)).toEqual([]);
    // A backup of someone who is not a member here adds nothing.
    const stranger = new GroupSession({ groupId, device: deviceKeys(seed(304)), random: rng(44) });
    net.sync(stranger);
    expect(stranger.recover(deviceKeys(seed(305)), T0 + 130)).toBe('not-member');
  });

  it('[ID-5] backup and link texts: unsealed round trip, and every damaged or foreign text gets a reason instead of a crash', () => {
    const seedBytes = seed(5);
    const text = encodeTransfer({
      kind: 'link',
      name: ' Ana ',
      groups: [],
      key: { seed: seedBytes }
    });
    const back = decodeTransfer(text);
    expect(back.ok && back.value.kind).toBe('link');
    expect(back.ok && transferSeed(back.value)).toEqual(seedBytes);
    expect(back.ok && back.value.name).toBe('Ana');
    const cases: [string, string][] = [
      ['', 'not-hearth'],
      ['hello', 'not-hearth'],
      ['{"a":1}', 'not-hearth'],
      [text.slice(0, text.length - 5), 'damaged'],
      [text.replace(/"seed":"[0-9a-f]+"/, '"seed":"abcd"'), 'damaged'],
      [text.replace('"groups":[]', '"groups":["../../etc"]'), 'damaged'],
      [text.replace('"v":1', '"v":2'), 'too-new'],
      [text.replace('"name":" Ana "', '"name":"   "'), 'damaged'],
      [text.replace('"kind":"link"', '"kind":"owner"'), 'damaged']
    ];
    for (const [input, error] of cases) {
      const r = decodeTransfer(input);
      expect(r.ok ? 'ok' : r.error, input.slice(0, 40)).toBe(error);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(decodeTransfer(s).ok).toBe(false);
      }),
      { numRuns: 300 }
    );
  });

  it('[GOV-11] [APP-7] an emergency action comes with its ratification vote in the same step; an action the group refuses gets no vote', () => {
    const net = new Net();
    const { groupId, founder } = found(net);
    const { applicant } = join(net, groupId, founder, 204, 'Sam');
    const out = founder.emergency('mute', applicant.me, 24, 'MARK-WHY cooling off', T0 + 500);
    net.put(out);
    net.sync(founder, applicant);
    const [action] = Object.values(founder.state.emergencies);
    expect(action?.status).toBe('active');
    expect(action!.expiresAt - action!.start).toBe(24 * 3600);
    const ratify = Object.values(founder.state.proposals).find((p) => p.kind === 'ratify');
    expect(ratify?.body).toMatchObject({ type: 'ratify', action: action!.id });
    expect(founder.open(action!.reason)).toBe('MARK-WHY cooling off');
    // A mute aimed at someone who is not a member is not used, and no vote is opened for it.
    const before = Object.keys(founder.state.proposals).length;
    founder.emergency('mute', deviceKeys(seed(999)).id, 2, 'x', T0 + 600);
    expect(Object.keys(founder.state.proposals)).toHaveLength(before);
  });
});

describe('Founding with the founder’s own voting rules', () => {
  it('[GOV-2] the genesis may change the default rules per kind; proposals use them; a malformed change makes the genesis unusable', () => {
    const net = new Net();
    const founderKeys = deviceKeys(seed(110));
    const general = {
      method: 'majority' as const,
      electorate: ['new', 'regular', 'senior', 'leader'] as const,
      quorum: 30,
      threshold: 60,
      period: 3 * 86_400
    };
    const { groupId, entries } = foundGroup({
      device: founderKeys,
      random: rng(11),
      now: T0,
      name: 'Circle',
      category: '',
      description: '',
      rules: 'be kind',
      displayName: 'Robin',
      settings: { general: { ...general, electorate: [...general.electorate] } }
    });
    net.put(entries);
    const founder = new GroupSession({ groupId, device: founderKeys, random: rng(12) });
    net.sync(founder);
    expect(founder.state.audit.every((a) => a.verdict === 'applied')).toBe(true);
    expect(founder.state.settings.general).toMatchObject({ quorum: 30, threshold: 60 });
    // Kinds the founder left alone keep the defaults.
    expect(founder.state.settings.remove.quorum).toBe(60);
    net.put(founder.propose({ type: 'general', text: 'picnic' }, T0 + 10));
    net.sync(founder);
    const p = Object.values(founder.state.proposals)[0]!;
    expect(p.rules.quorum).toBe(30);
    expect(p.deadline - p.start).toBe(3 * 86_400);

    // A rule for a kind that does not exist is a malformed genesis: the group never starts.
    const bad = foundGroup({
      device: deviceKeys(seed(111)),
      random: rng(13),
      now: T0,
      name: 'Circle',
      category: '',
      description: '',
      rules: 'be kind',
      displayName: 'Robin',
      settings: { bogus: general } as never
    });
    const s = new GroupSession({
      groupId: bad.groupId,
      device: deviceKeys(seed(111)),
      random: rng(14)
    });
    s.addAll(bad.entries);
    expect(s.state.audit[0]?.reason).toBe('bad-payload');
    expect(s.state.founder).toBeNull();
  });
});
