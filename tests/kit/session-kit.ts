import { sha256 } from '@noble/hashes/sha2.js';
import { entryId } from '../../src/lib/core/ledger/envelope';
import { foundGroup, GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys, type Random } from '../../src/lib/core/group/signer';
import { keyId, sealLockbox } from '../../src/lib/core/crypto/box';
import { groupIdFor } from '../../src/lib/core/governance/messages';
import { sealEntry } from '../../src/lib/core/ledger/envelope';
import { Kind, map, seed, T0 } from './ledger-kit';

/** Helpers for tests that drive whole groups through GroupSession (founding, joining). */

/** Deterministic randomness, so every run signs the same bytes. */
export function rng(n: number): Random {
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
export class Net {
  readonly entries = new Map<string, Uint8Array>();
  put(list: Uint8Array[]) {
    for (const b of list) this.entries.set(entryId(b), b);
  }
  sync(...sessions: GroupSession[]) {
    for (const s of sessions) s.addAll(this.entries.values());
  }
}

export const MARKERS = [
  'MARK-GROUPNAME',
  'MARK-RULES',
  'MARK-DESC',
  'MARK-FOUNDER',
  'MARK-APPNAME'
];

export function found(net: Net) {
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

/** Joins one member: invited, applies, voted in and given the key by the founder, from `at` on. */
export function join(
  net: Net,
  groupId: Uint8Array,
  founder: GroupSession,
  n: number,
  name: string,
  at = T0 + 60
) {
  const { entries, secret, inviteId } = founder.invite(at, { days: 7, singleUse: true });
  net.put(entries);
  const applicant = new GroupSession({ groupId, device: deviceKeys(seed(n)), random: rng(n) });
  net.sync(applicant);
  net.put(
    applicant.apply({
      invite: inviteId,
      secret,
      name,
      motivation: 'MARK-MOTIVE I lost my father',
      now: at + 60
    })
  );
  net.sync(founder);
  const application = Object.values(founder.state.applications).find(
    (a) => a.applicant === applicant.me
  )!;
  net.put(founder.propose({ type: 'admit', application: application.id }, at + 120));
  net.sync(founder);
  const proposal = Object.values(founder.state.proposals).find(
    (p) => p.kind === 'admit' && p.status === 'voting'
  )!;
  net.put(founder.vote(proposal.id, 1, '', at + 140));
  net.sync(founder);
  net.put(founder.close(proposal.id, at + 150));
  net.sync(founder);
  net.put(founder.heal(at + 160));
  net.sync(founder, applicant);
  return { applicant, application, proposal };
}

/**
 * A group of `n` people founded together (the first is the founder, the rest co-founders of
 * `tier`), every device holding the first key epoch, each with its own GroupSession. Signature
 * verdicts are shared, so each entry is verified once however many sessions read it.
 */
export function crowd(net: Net, n: number, tier: 'regular' | 'senior' = 'regular', first = 300) {
  const keys = Array.from({ length: n }, (_, i) => deviceKeys(seed(first + i)));
  const founder = keys[0]!;
  const nonce = new Uint8Array(16).fill(3);
  const groupId = groupIdFor(founder.publicKey, nonce);
  const epochKey = sha256(Uint8Array.of(1, 2, 3));
  const genesis = sealEntry(founder.secret, groupId, {
    author: founder.publicKey,
    seq: 1,
    backlink: null,
    prev: [],
    kind: Kind.Genesis,
    payload: map({
      g: groupId,
      n: nonce,
      name: 'Crowd',
      cat: 'grief',
      rules: 'Be kind.',
      x: founder.xPublic,
      founders: keys.slice(1).map((k) => [k.publicKey, tier, k.xPublic]),
      treasury: 100
    }),
    time: T0
  });
  const boxes = sealEntry(founder.secret, groupId, {
    author: founder.publicKey,
    seq: 2,
    backlink: genesis.id,
    prev: [genesis.id],
    kind: Kind.Lockboxes,
    payload: map({
      e: 1,
      k: keyId(epochKey),
      b: keys.map((k, i) => [
        k.publicKey,
        sealLockbox({
          epochKey,
          recipientX25519: k.xPublic,
          recipientDevice: k.publicKey,
          groupId,
          epoch: 1,
          ephemeralSecret: sha256(Uint8Array.of(9, i & 0xff, i >> 8))
        })
      ])
    }),
    time: T0
  });
  net.put([genesis.bytes, boxes.bytes]);
  const verdicts = new Map<string, boolean>();
  const sessions = keys.map(
    (device, i) => new GroupSession({ groupId, device, random: rng(first + i), verdicts })
  );
  net.sync(...sessions);
  return { groupId, sessions, verdicts };
}
