import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/lib/core/encoding/hex';
import { entryId } from '../../src/lib/core/ledger/envelope';
import {
  deviceKeys,
  foundGroup,
  GroupSession,
  NoKeyError,
  type Random
} from '../../src/lib/core/group/session';
import { seed, T0 } from '../kit/ledger-kit';

/** Deterministic randomness, so every run signs the same bytes. */
function rng(n: number): Random {
  let counter = 0;
  return (len) => {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i += 32)
      out.set(
        sha256(Uint8Array.of(n, counter++ & 0xff, (counter >> 8) & 0xff)).slice(0, len - i),
        i
      );
    return out;
  };
}

/** Devices share one "document": every entry any of them writes reaches all the others. */
class Net {
  readonly entries = new Map<string, Uint8Array>();
  put(list: Uint8Array[]) {
    for (const b of list) this.entries.set(entryId(b), b);
  }
  sync(...sessions: GroupSession[]) {
    for (const s of sessions) s.addAll(this.entries.values());
  }
}

const MARKERS = ['MARK-GROUPNAME', 'MARK-RULES', 'MARK-DESC', 'MARK-FOUNDER', 'MARK-APPNAME'];

function found(net: Net) {
  const founderKeys = deviceKeys(seed(100));
  const { groupId, entries } = foundGroup({
    device: founderKeys,
    random: rng(1),
    now: T0,
    name: 'MARK-GROUPNAME Tuesday circle',
    category: 'grief',
    description: 'MARK-DESC we meet on Tuesdays',
    rules: 'MARK-RULES be kind',
    displayName: 'MARK-FOUNDER Robin'
  });
  net.put(entries);
  const founder = new GroupSession({ groupId, device: founderKeys, random: rng(2) });
  net.sync(founder);
  return { groupId, founder };
}

function join(net: Net, groupId: Uint8Array, founder: GroupSession, n: number, name: string) {
  const { entries, secret, inviteId } = founder.invite(T0 + 60, { days: 7, singleUse: true });
  net.put(entries);
  const applicant = new GroupSession({ groupId, device: deviceKeys(seed(n)), random: rng(n) });
  net.sync(applicant);
  net.put(
    applicant.apply({
      invite: inviteId,
      secret,
      name,
      motivation: 'MARK-MOTIVE I lost my father',
      now: T0 + 120
    })
  );
  net.sync(founder);
  const application = Object.values(founder.state.applications).find(
    (a) => a.applicant === applicant.me
  )!;
  net.put(founder.propose({ type: 'admit', application: application.id }, T0 + 180));
  net.sync(founder);
  const proposal = Object.values(founder.state.proposals).find(
    (p) => p.kind === 'admit' && p.status === 'voting'
  )!;
  net.put(founder.vote(proposal.id, 1, '', T0 + 200));
  net.sync(founder);
  net.put(founder.close(proposal.id, T0 + 210));
  net.sync(founder);
  net.put(founder.heal(T0 + 220));
  net.sync(founder, applicant);
  return { applicant, application, proposal };
}

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
