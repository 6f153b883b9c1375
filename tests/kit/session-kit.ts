import { sha256 } from '@noble/hashes/sha2.js';
import { entryId } from '../../src/lib/core/ledger/envelope';
import {
  deviceKeys,
  foundGroup,
  GroupSession,
  type Random
} from '../../src/lib/core/group/session';
import { seed, T0 } from './ledger-kit';

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
