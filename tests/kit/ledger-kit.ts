/**
 * Test kit: devices that sign real entries, and payload builders. Everything is deterministic
 * (seeds from numbers), so failing property-test seeds replay exactly.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { keyId, sealLockbox, x25519PublicKey } from '../../src/lib/core/crypto/box';
import type { CborMap, CborValue } from '../../src/lib/core/crypto/cbor';
import { publicKeyOf, sign } from '../../src/lib/core/crypto/ed25519';
import { toHex } from '../../src/lib/core/encoding/hex';
import { sealEntry } from '../../src/lib/core/ledger/envelope';
import {
  deviceAuthMessage,
  deviceProofMessage,
  groupIdFor
} from '../../src/lib/core/governance/messages';
import {
  encodePayload,
  type Payload,
  type ProposalBody
} from '../../src/lib/core/governance/kinds';
import {
  Kind,
  type ProposalKind,
  type ResearchTable,
  type Tier,
  type VotingRules
} from '../../src/lib/core/governance/types';

export const DAY = 86_400;
export const T0 = 1_780_000_000; // claimed seconds

export function seed(n: number): Uint8Array {
  const s = new Uint8Array(32);
  new DataView(s.buffer).setUint32(0, n + 1);
  s[31] = 0x5a;
  return s;
}

export function map(obj: Record<string, CborValue | undefined>): CborMap {
  const m: CborMap = new Map();
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) m.set(k, v);
  return m;
}

export class Device {
  readonly secret: Uint8Array;
  readonly pub: Uint8Array;
  readonly id: string;
  /** The device's X25519 key pair (for lockboxes), derived from its seed for reproducibility. */
  readonly xSecret: Uint8Array;
  readonly xPub: Uint8Array;
  seq = 0;
  last: string | null = null;
  constructor(n: number) {
    this.secret = seed(n);
    this.pub = publicKeyOf(this.secret);
    this.id = toHex(this.pub);
    this.xSecret = sha256(this.secret);
    this.xPub = x25519PublicKey(this.xSecret);
  }
  /** Signs the next entry of this device's chain. */
  write(
    groupId: Uint8Array,
    kind: number,
    payload: CborMap,
    prev: string[],
    time: number,
    opts: { seq?: number; backlink?: string | null } = {}
  ): { id: string; bytes: Uint8Array } {
    const seq = opts.seq ?? this.seq + 1;
    const backlink = opts.backlink !== undefined ? opts.backlink : seq === 1 ? null : this.last;
    const sealed = sealEntry(this.secret, groupId, {
      author: this.pub,
      seq,
      backlink,
      prev: [...new Set(prev)].sort(),
      kind,
      payload,
      time
    });
    if (opts.seq === undefined) {
      this.seq = seq;
      this.last = sealed.id;
    }
    return sealed;
  }
}

export function x25519(n: number): Uint8Array {
  return new Uint8Array(32).fill(n & 0xff);
}

export function newGroupId(
  founder: Device,
  nonceByte = 7
): { groupId: Uint8Array; nonce: Uint8Array } {
  const nonce = new Uint8Array(16).fill(nonceByte);
  return { groupId: groupIdFor(founder.pub, nonce), nonce };
}

/** A ledger payload written by the app's own encoder (`kinds/`), texts left plain. */
const enc = (p: Payload): CborMap => encodePayload(p);
const none = undefined;

export const P = {
  genesis: (
    groupId: Uint8Array,
    nonce: Uint8Array,
    founders: [Device, Tier][] = [],
    treasury = 100,
    name = 'Circle',
    x = x25519(1)
  ) =>
    enc({
      kind: Kind.Genesis,
      groupId: toHex(groupId),
      nonce,
      name,
      category: 'grief',
      rules: 'Be kind.',
      x25519: x,
      founders: founders.map(([d, tier]) => ({ identity: d.id, tier, x25519: toHex(d.xPub) })),
      treasury,
      settings: {}
    }),
  apply: (motivation = 'I would like to join.', x = x25519(2)) =>
    enc({ kind: Kind.Apply, motivation, name: none, x25519: x, invite: none }),
  /** Lockboxes sealing `key` for `epoch` to each device's real X25519 key. */
  lockboxes: (groupId: Uint8Array, epoch: number, key: Uint8Array, to: Device[]) =>
    enc({
      kind: Kind.Lockboxes,
      epoch,
      keyId: toHex(keyId(key)),
      boxes: to.map((d, i) => ({
        device: d.id,
        sealed: sealLockbox({
          epochKey: key,
          recipientX25519: d.xPub,
          recipientDevice: d.pub,
          groupId,
          epoch,
          ephemeralSecret: sha256(Uint8Array.of(epoch, i, ...d.pub))
        })
      }))
    }),
  /**
   * A proposal of kind `k` with any wire fields (raw: for kinds whose fields a test sets itself,
   * including ones the reader must refuse); the text kinds get a text.
   */
  propose: (k: ProposalKind, fields: Record<string, CborValue> = {}) =>
    map({
      k,
      ...(k === 'general' || k === 'rules' || k === 'moderation' || k === 'partnership'
        ? { text: 'text' }
        : {}),
      ...fields
    }),
  admit: (application: string) => proposal({ type: 'admit', application }),
  remove: (member: string) => proposal({ type: 'remove', member }),
  tier: (member: string, tier: Tier) => proposal({ type: 'tier', member, tier }),
  allocate: (member: string, amount: number) =>
    proposal({ type: 'allocate', member, amount, text: 'for the picnic' }),
  governance: (target: ProposalKind, rules: VotingRules) =>
    proposal({ type: 'governance', target, rules }),
  ratify: (action: string) => proposal({ type: 'ratify', action }),
  ballot: (proposal: string, choice: 0 | 1 | 2, reason?: string) =>
    enc({ kind: Kind.Ballot, proposal, choice, reason }),
  close: (proposal: string) => enc({ kind: Kind.Close, proposal, lockboxes: none }),
  comment: (proposal: string, text = 'I agree') => enc({ kind: Kind.Comment, proposal, text }),
  delegate: (scope: ProposalKind | 'all', to: string) => enc({ kind: Kind.Delegate, scope, to }),
  revoke: (scope: ProposalKind | 'all') => enc({ kind: Kind.RevokeDelegation, scope }),
  outcome: (proposal: string, text = 'Done', review = T0 + 30 * DAY) =>
    enc({ kind: Kind.Outcome, proposal, text, review }),
  mentor: (mentee: string, mentor: string) => enc({ kind: Kind.Mentor, mentee, mentor }),
  helped: (target: string) => enc({ kind: Kind.Helped, target, post: none }),
  research: (until: number, tables: ResearchTable[] = ['proposals', 'ballots']) =>
    proposal({ type: 'research', study: 'A study of belonging', tables, until }),
  consent: (study: string | undefined, consent: boolean) =>
    enc({ kind: Kind.Consent, study, consent }),
  mute: (member: string, duration = DAY) =>
    enc({ kind: Kind.Mute, member, duration, reason: 'harassment', note: none }),
  moderation: (o: { rt?: number; mods?: string[]; resp?: string[] }) =>
    proposal({
      type: 'moderation',
      text: 'Be gentle',
      threshold: o.rt,
      moderators: o.mods,
      responders: o.resp,
      checkInWait: none,
      unanswered: none
    }),
  retire: (member: string, keep: string[]) => proposal({ type: 'retire', member, keep }),
  appeal: (target: string) => proposal({ type: 'appeal', target, text: 'Please look again' }),
  emergency: (action: 'hide' | 'mute', target: string, duration = DAY) =>
    enc({ kind: Kind.Emergency, action, target, duration, reason: 'keeping the space safe' }),
  settings: (name?: string, description?: string) =>
    enc({ kind: Kind.Settings, name, description }),
  deviceAdd: (groupId: Uint8Array, member: Device, device: Device) =>
    enc({
      kind: Kind.DeviceAdd,
      device: device.id,
      x25519: x25519(9),
      proof: sign(device.secret, deviceProofMessage(groupId, member.pub))
    }),
  /** A device adding itself to `member` with `by`'s authorization (a restored backup) [ID-5]. */
  recover: (groupId: Uint8Array, member: Device, device: Device, by: Device) =>
    enc({
      kind: Kind.DeviceAdd,
      device: device.id,
      x25519: x25519(9),
      proof: sign(device.secret, deviceProofMessage(groupId, member.pub)),
      recovery: {
        by: by.id,
        auth: sign(by.secret, deviceAuthMessage(groupId, member.pub, device.pub))
      }
    })
};

function proposal(body: ProposalBody): CborMap {
  return enc({ kind: Kind.Propose, proposal: body });
}

export { Kind };

import { derive, Ledger } from '../../src/lib/core/governance/derive';
import type { AuditRecord, GroupState } from '../../src/lib/core/governance/state';

/**
 * A group history built by hand: every write takes the current heads as `prev` unless told
 * otherwise (to make concurrent branches), and the clock moves forward one minute per write.
 */
export class Scenario {
  readonly entries = new Map<string, Uint8Array>();
  heads: string[] = [];
  time = T0;
  readonly founder: Device;
  readonly groupId: Uint8Array;
  readonly genesis: string;

  constructor(founders: [Device, Tier][] = [], founder = new Device(0), treasury = 100) {
    this.founder = founder;
    const { groupId, nonce } = newGroupId(founder);
    this.groupId = groupId;
    this.genesis = this.write(
      founder,
      Kind.Genesis,
      P.genesis(groupId, nonce, founders, treasury, 'Circle', founder.xPub)
    );
  }

  write(
    dev: Device,
    kind: number,
    payload: CborMap,
    opts: { prev?: string[]; time?: number; seq?: number; backlink?: string | null } = {}
  ): string {
    this.time += 60;
    const prev = opts.prev ?? this.heads;
    const { id, bytes } = dev.write(
      this.groupId,
      kind,
      payload,
      prev,
      opts.time ?? this.time,
      opts
    );
    this.entries.set(id, bytes);
    this.heads = [...this.heads.filter((h) => !prev.includes(h)), id];
    return id;
  }

  /** Adds raw bytes (forged or foreign entries). */
  raw(bytes: Uint8Array): void {
    this.entries.set(toHex(bytes.slice(0, 4)) + this.entries.size, bytes);
  }

  state(): GroupState {
    return derive(this.entries.values(), { groupId: this.groupId });
  }

  ledger(): Ledger {
    const l = new Ledger({ groupId: this.groupId });
    l.addAll(this.entries.values());
    return l;
  }

  verdict(id: string, state = this.state()): AuditRecord | undefined {
    return state.audit.find((a) => a.id === id);
  }

  /** Admits a new member by application and a passing vote of the given voters. */
  admit(dev: Device, voters: Device[], closer = voters[0]!): string {
    const application = this.write(dev, Kind.Apply, P.apply('I would like to join.', dev.xPub));
    const proposal = this.write(closer, Kind.Propose, P.admit(application));
    for (const v of voters) this.write(v, Kind.Ballot, P.ballot(proposal, 1));
    return this.write(closer, Kind.Close, P.close(proposal));
  }
}

/** The usual test group: a leader (the founder), two seniors (a, b) and a regular member (c). */
export function standardGroup() {
  const a = new Device(1);
  const b = new Device(2);
  const c = new Device(3);
  const s = new Scenario([
    [a, 'senior'],
    [b, 'senior'],
    [c, 'regular']
  ]);
  return { s, a, b, c, leader: s.founder };
}
