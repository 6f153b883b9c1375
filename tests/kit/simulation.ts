/**
 * A deterministic multi-peer simulation of a group: each peer is one device with its own view of
 * the ledger (an incremental Ledger), its own clock, and syncs with others only when told to, in a
 * shuffled order and with duplicates. Used by the convergence property test and the soak run.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { keyId, openLockbox } from '../../src/lib/core/crypto/box';
import { derive, Ledger, stateHash } from '../../src/lib/core/governance/derive';
import type { GroupState } from '../../src/lib/core/governance/state';
import { hexToBytes, toHex } from '../../src/lib/core/encoding/hex';
import { Device, Kind, map, newGroupId, P, T0 } from './ledger-kit';

export type Command =
  | { t: 'act'; peer: number; action: number; arg: number; choice: number }
  | { t: 'sync'; from: number; to: number; seed: number }
  | { t: 'gossip'; among: number; seed: number }
  | { t: 'meeting'; closer: number; choices: number; seed: number }
  | { t: 'tick'; peer: number; hours: number }
  // Attackers [RED-26]: an outsider flooding entries (dated ahead, on old or current heads); a
  // member lying about time; a member equivocating; a member sealing junk lockboxes.
  | { t: 'junk'; to: number; n: number; old: boolean; seed: number }
  | { t: 'lie'; peer: number; days: number }
  | { t: 'fork'; peer: number }
  | { t: 'junkbox'; peer: number };

interface Peer {
  /** The member's identity key (their member id); it writes until the group retires it [ID-7]. */
  identity: Device;
  /** The device this peer writes with: the identity, or after a retirement the phone it kept. */
  device: Device;
  ledger: Ledger;
  known: Map<string, Uint8Array>;
  clock: number;
  /** Devices this member restored from a backup, each adding itself [ID-5]. */
  restored: Device[];
  /** Set once this peer attacked: the honest-device checks leave it out. */
  attacker: boolean;
}

export interface Outcome {
  hashes: string[];
  fullHash: string;
  state: GroupState;
  entries: number;
  /** Entries of honest peers' devices the group judged a broken chain (must be none). */
  frozen: string[];
  /** Honest active members' devices that cannot open the current key at the end (must be none). */
  keyless: string[];
  /** Attacks made (for the coverage check). */
  attacks: number;
}

/** The real key of an epoch, as honest peers make it (the simulation's own "randomness"). */
const realKey = (epoch: number) => sha256(Uint8Array.of(0x6b, epoch & 0xff, epoch >> 8));

const CHAIN_BROKEN = ['bad-seq', 'bad-backlink', 'frozen-device', 'equivocation'];

function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let x = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function simulate(peerCount: number, commands: Command[]): Outcome {
  const founder = new Device(0);
  const { groupId, nonce } = newGroupId(founder);
  const devices = Array.from({ length: peerCount }, (_, i) => (i === 0 ? founder : new Device(i)));
  const cofounders = devices
    .slice(1, Math.min(3, peerCount))
    .map((d) => [d, 'senior'] as [Device, 'senior']);
  const genesis = founder.write(
    groupId,
    Kind.Genesis,
    P.genesis(groupId, nonce, cofounders),
    [],
    T0
  );
  // Verdicts are shared (each entry verified once), as one phone keeps them.
  const verdicts = new Map<string, boolean>();
  const peers: Peer[] = devices.map((device) => {
    const ledger = new Ledger({ groupId, verdicts });
    ledger.add(genesis.bytes);
    return {
      identity: device,
      device,
      ledger,
      known: new Map([[genesis.id, genesis.bytes]]),
      clock: T0,
      restored: [],
      attacker: false
    };
  });
  let attacks = 0;
  let junkKeys = 0;

  const deliver = (to: Peer, id: string, bytes: Uint8Array) => {
    to.known.set(id, bytes);
    to.ledger.add(bytes);
  };

  for (const c of commands) {
    if (c.t === 'junk') {
      const p = peers[c.to % peerCount]!;
      const heads = c.old ? [genesis.id] : p.ledger.state.heads;
      for (let k = 0; k < 1 + (c.n % 6); k++) {
        const j = new Device(70_000 + junkKeys++).write(
          groupId,
          (c.seed + k) % 3 === 0 ? Kind.Ballot : Kind.Consent,
          (c.seed + k) % 3 === 0
            ? P.ballot(Object.keys(p.ledger.state.proposals)[0] ?? genesis.id, 1)
            : P.consent(undefined, true),
          heads,
          p.clock + 400 * 86_400
        );
        deliver(p, j.id, j.bytes);
      }
      attacks++;
    } else if (c.t === 'lie') {
      const p = peers[c.peer % peerCount]!;
      p.clock += c.days * 86_400;
      p.attacker = true;
      attacks++;
    } else if (c.t === 'fork') {
      const p = peers[c.peer % peerCount]!;
      const d = p.device;
      if (d.seq === 0 || d.last === null) continue;
      // A second entry at its last seq, on the genesis only, delivered to itself.
      const last = p.ledger.entry(d.last);
      const twin = d.write(
        groupId,
        Kind.Consent,
        P.consent(undefined, false),
        [genesis.id],
        p.clock,
        {
          seq: d.seq,
          backlink: last?.backlink ?? null
        }
      );
      deliver(p, twin.id, twin.bytes);
      p.attacker = true;
      attacks++;
    } else if (c.t === 'junkbox') {
      const p = peers[c.peer % peerCount]!;
      const made = junkLockboxes(p, groupId);
      if (made) {
        deliver(p, made.id, made.bytes);
        p.attacker = true;
        attacks++;
      }
    } else if (c.t === 'tick') {
      const p = peers[c.peer % peerCount]!;
      p.clock += c.hours * 3600;
    } else if (c.t === 'meeting') {
      // Everyone is online together: sync, everyone votes on the oldest open proposal, sync, one
      // member closes what they can, sync. Between meetings peers drift apart again.
      const everyone = (seed: number) => gossip(peers, (1 << peerCount) - 1, seed, deliver);
      everyone(c.seed);
      peers.forEach((p, i) => {
        const made = act(p, { action: 3, arg: 0, choice: (c.choices >> (i * 3)) & 7 }, groupId);
        if (made) deliver(p, made.id, made.bytes);
      });
      everyone(c.seed + 1);
      const closer = peers[c.closer % peerCount]!;
      const made = act(closer, { action: 6, arg: 0, choice: 1 }, groupId);
      if (made) deliver(closer, made.id, made.bytes);
      everyone(c.seed + 2);
      maintainKeys(peers, groupId, deliver, () => everyone(c.seed + 3));
    } else if (c.t === 'gossip') {
      gossip(peers, c.among, c.seed, deliver);
    } else if (c.t === 'sync') {
      const from = peers[c.from % peerCount]!;
      const to = peers[c.to % peerCount]!;
      if (from === to) continue;
      const missing = [...from.known].filter(([id]) => !to.known.has(id));
      const withDuplicates = [...missing, ...missing.filter((_, i) => i % 3 === 0)];
      for (const [id, bytes] of shuffle(withDuplicates, c.seed)) deliver(to, id, bytes);
    } else {
      const p = peers[c.peer % peerCount]!;
      const made = act(p, c, groupId);
      if (made) deliver(p, made.id, made.bytes);
    }
  }

  // Full exchange: everyone receives everything, in their own shuffled order; then the honest
  // phones look after the keys once more (report a lockbox that opens nothing, rotate, heal).
  const exchange = (seed: number) => {
    const all = new Map<string, Uint8Array>();
    for (const p of peers) for (const [id, bytes] of p.known) all.set(id, bytes);
    peers.forEach((p, i) => {
      for (const [id, bytes] of shuffle(
        [...all].filter(([id]) => !p.known.has(id)),
        i + seed
      ))
        deliver(p, id, bytes);
    });
    return all;
  };
  exchange(1);
  maintainKeys(peers, groupId, deliver, () => exchange(3));
  const all = exchange(5);
  const full = derive(shuffle([...all.values()], 99), { groupId });
  const honest = new Map<string, Peer>();
  for (const p of peers)
    if (!p.attacker) for (const d of [p.identity, ...p.restored]) honest.set(d.id, p);
  const frozen = full.audit
    .filter((a) => a.author && honest.has(a.author) && CHAIN_BROKEN.includes(a.reason ?? ''))
    .map((a) => a.id);
  const keyless: string[] = [];
  const epoch = full.epochs[full.currentEpoch];
  // A newcomer gets the key from a member who holds it. When every holder is an attacker (who
  // may keep it to themselves, as anyone may), no honest phone can give it: only then is being
  // without it not a failure (found by the property run: a founder who sent junk lockboxes and
  // two lying members held the key; the one honest member was admitted after them).
  const holder = [...honest].some(([d]) => {
    const p = honest.get(d)!;
    const m = Object.values(full.members).find((x) => x.devices.includes(d));
    const dev = [p.identity, ...p.restored].find((x) => x.id === d)!;
    return m?.status === 'active' && opens(dev, groupId, full);
  });
  if (epoch && !full.rotationDue && holder)
    for (const m of Object.values(full.members)) {
      if (m.status !== 'active') continue;
      for (const d of m.devices) {
        const p = honest.get(d);
        if (!p) continue;
        const dev = [p.identity, ...p.restored].find((x) => x.id === d)!;
        if (!opens(dev, groupId, full)) keyless.push(d);
      }
    }
  return {
    hashes: peers.map((p) => stateHash(p.ledger.state)),
    fullHash: stateHash(full),
    state: full,
    entries: all.size,
    frozen,
    keyless,
    attacks
  };
}

/**
 * The member this peer is in its own view, when active and writing from one of the member's
 * devices. Once the group retired the device it wrote with, it goes on from the phone the
 * retirement kept [ID-7].
 */
function memberOf(p: Peer) {
  const st = p.ledger.state;
  const m = st.members[p.identity.id];
  if (m?.status !== 'active') return undefined;
  if (!m.devices.includes(p.device.id)) {
    const kept = p.restored.find((d) => m.devices.includes(d.id));
    if (!kept || !st.retired[p.device.id]) return undefined;
    p.device = kept;
  }
  return m;
}

/** Whether `d` can open the current epoch's key from its lockboxes (real X25519, real key id). */
function opens(d: Device, groupId: Uint8Array, st: GroupState): boolean {
  const epoch = st.epochs[st.currentEpoch];
  if (!epoch) return false;
  return (epoch.lockboxes[d.id] ?? []).some((box) => {
    const key = openLockbox({
      sealed: hexToBytes(box.sealed),
      recipientSecret: d.xSecret,
      recipientDevice: d.pub,
      groupId,
      epoch: epoch.number
    });
    return !!key && toHex(keyId(key)) === epoch.keyId;
  });
}

/** Active members' devices the simulation knows the keys of, for lockboxes. */
function memberDevices(peers: Peer[], st: GroupState): Device[] {
  const known = new Map<string, Device>();
  for (const p of peers) for (const d of [p.identity, ...p.restored]) known.set(d.id, d);
  const out: Device[] = [];
  for (const m of Object.values(st.members))
    if (m.status === 'active') for (const d of m.devices) if (known.has(d)) out.push(known.get(d)!);
  return out.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * What honest phones do for keys [ENC-4, ENC-5, ENC-10]: one that holds lockboxes for the current
 * epoch which open nothing says so; then one member starts a due rotation with a real key; then
 * members holding the key give it to devices that lack a lockbox. `sync` shares between steps.
 */
function maintainKeys(
  peers: Peer[],
  groupId: Uint8Array,
  deliver: (to: Peer, id: string, bytes: Uint8Array) => void,
  sync: () => void
) {
  const honest = peers.filter((p) => !p.attacker);
  for (const p of honest) {
    const member = memberOf(p);
    if (!member) continue;
    // Each of the member's phones that got a box it cannot open says so when it next syncs: the
    // one this peer writes with, and any phone restored from a backup (found by the property
    // run: a junk box for a restored phone was never reported, so nobody gave it the key).
    const phones = [p.device, p.identity, ...p.restored].filter(
      (d, i, all) => all.findIndex((x) => x.id === d.id) === i && member.devices.includes(d.id)
    );
    for (const d of phones) {
      const st = p.ledger.state;
      const epoch = st.epochs[st.currentEpoch];
      if (!epoch || st.rotationDue || !epoch.lockboxes[d.id]?.length) continue;
      if (opens(d, groupId, st)) continue;
      const e = d.write(
        groupId,
        Kind.KeyReport,
        map({ e: epoch.number, k: hexToBytes(epoch.keyId) }),
        st.heads,
        p.clock
      );
      deliver(p, e.id, e.bytes);
    }
  }
  sync();
  const rotator = honest.find((p) => memberOf(p));
  if (rotator) {
    const st = rotator.ledger.state;
    if (st.rotationDue) {
      const to = memberDevices(peers, st).slice(0, 100);
      const epoch = st.currentEpoch + 1;
      if (to.length > 0) {
        const e = rotator.device.write(
          groupId,
          Kind.Lockboxes,
          P.lockboxes(groupId, epoch, realKey(epoch), to),
          st.heads,
          rotator.clock
        );
        deliver(rotator, e.id, e.bytes);
      }
    }
  }
  sync();
  for (const p of honest) {
    const st = p.ledger.state;
    if (!memberOf(p) || st.rotationDue) continue;
    const epoch = st.epochs[st.currentEpoch];
    if (!epoch || !opens(p.device, groupId, st)) continue;
    const lacking = memberDevices(peers, st).filter(
      (d) => !(epoch.lockboxes[d.id] ?? []).length || !opens(d, groupId, st)
    );
    // Devices whose boxes open nothing are healed once the group has rotated; here only new ones.
    const fresh = lacking.filter((d) => !(epoch.lockboxes[d.id] ?? []).length).slice(0, 100);
    if (fresh.length === 0) continue;
    const e = p.device.write(
      groupId,
      Kind.Lockboxes,
      P.lockboxes(groupId, epoch.number, realKey(epoch.number), fresh),
      st.heads,
      p.clock
    );
    deliver(p, e.id, e.bytes);
    break;
  }
  sync();
}

/** A member sealing junk: lockboxes of random bytes for every member device [ENC-10]. */
function junkLockboxes(p: Peer, groupId: Uint8Array) {
  const st = p.ledger.state;
  if (!memberOf(p)) return undefined;
  const devices = Object.values(st.members)
    .filter((m) => m.status === 'active')
    .flatMap((m) => m.devices)
    .slice(0, 100);
  const epoch = st.rotationDue ? st.currentEpoch + 1 : st.currentEpoch;
  const k = st.rotationDue
    ? new Uint8Array(8).fill(0x6a)
    : st.epochs[epoch] && hexToBytes(st.epochs[epoch].keyId);
  if (!k || devices.length === 0) return undefined;
  return p.device.write(
    groupId,
    Kind.Lockboxes,
    map({ e: epoch, k, b: devices.map((d) => [hexToBytes(d), new Uint8Array(80).fill(0x33)]) }),
    st.heads,
    p.clock
  );
}

/** Everyone in a subset of peers (a partition that can talk) exchanges everything, shuffled. */
function gossip(
  peers: Peer[],
  among: number,
  seed: number,
  deliver: (to: Peer, id: string, bytes: Uint8Array) => void
) {
  const group = peers.filter((_, i) => (among >> i) & 1);
  const pool = new Map<string, Uint8Array>();
  for (const p of group) for (const [id, bytes] of p.known) pool.set(id, bytes);
  group.forEach((p, i) => {
    for (const [id, bytes] of shuffle(
      [...pool].filter(([id]) => !p.known.has(id)),
      seed + i
    ))
      deliver(p, id, bytes);
  });
}

/** One governance action chosen from what makes sense in this peer's current view. */
function act(p: Peer, c: { action: number; arg: number; choice: number }, groupId: Uint8Array) {
  const st = p.ledger.state;
  const member = memberOf(p);
  const me = p.device;
  // An application is an outsider's entry, never a head: a proposal to admit names it [LED-14].
  const write = (kind: number, payload: ReturnType<typeof P.apply>, refs: string[] = []) =>
    me.write(groupId, kind, payload, [...st.heads, ...refs], p.clock);
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[c.arg % xs.length] : undefined);
  if (!member) {
    // A peer whose key the group retired, with no phone kept, is out for good [ID-7].
    if (st.retired[me.id]) return undefined;
    const open = Object.values(st.applications).some(
      (a) => a.applicant === me.id && a.status === 'open'
    );
    return open ? undefined : write(Kind.Apply, P.apply());
  }
  const active = Object.values(st.members).filter((m) => m.status === 'active');
  const voting = Object.values(st.proposals).filter((x) => x.status === 'voting');
  const openApps = Object.values(st.applications).filter((a) => a.status === 'open');
  const other = pick(active.filter((m) => m.id !== member.id));
  // Vote on the oldest open proposal I can vote on and have not yet; mostly yes, sometimes no or
  // abstain, so tallies both pass and fail.
  const vote = () => {
    const unvoted = voting
      .filter((x) => member.id in x.electorate && !x.ballots.some((v) => v.member === member.id))
      .sort((x, y) => x.start - y.start || (x.id < y.id ? -1 : 1));
    const prop = unvoted[0] ?? pick(voting);
    const choice = ([1, 1, 1, 0, 2, 1] as const)[c.choice % 6]!;
    return prop ? write(Kind.Ballot, P.ballot(prop.id, choice)) : undefined;
  };
  // Like a real group, members work through a couple of proposals at a time.
  const busy = voting.length >= 2;
  // A backup that leaked: a phone restored from it asks the group to retire every other phone
  // of the member's, keeping itself (the group votes on it like anything else) [ID-7].
  const kept = p.restored.find((d) => d.id !== me.id && member.devices.includes(d.id));
  const retire = () =>
    kept!.write(groupId, Kind.Propose, P.retire(member.id, [kept!.id]), st.heads, p.clock);
  switch (c.action % 10) {
    case 0: {
      if (kept && c.choice >= 10) return retire();
      if (busy) return vote();
      const app = pick(openApps);
      return app
        ? write(Kind.Propose, P.admit(app.id), [app.id])
        : write(Kind.Propose, P.propose('general'));
    }
    case 1:
      if (kept && c.choice >= 4) return retire();
      if (busy) return vote();
      return other && c.choice % 3 === 0
        ? write(Kind.Propose, P.remove(other.id))
        : write(Kind.Propose, P.propose('general'));
    case 2:
      if (!busy && c.choice % 5 === 4)
        return write(Kind.Propose, P.research(p.clock + 90 * 86_400));
      if (busy || !other) return vote();
      return write(
        Kind.Propose,
        P.tier(other.id, (['new', 'regular', 'senior', 'leader'] as const)[c.choice % 4]!)
      );
    case 3:
    case 4:
    case 5:
      return vote();
    case 6:
    case 7: {
      // A closer tries the proposal with the most ballots it can see (or any, at random).
      const ranked = [...voting].sort(
        (x, y) => y.ballots.length - x.ballots.length || (x.id < y.id ? -1 : 1)
      );
      const prop = c.choice % 3 === 0 ? pick(voting) : ranked[0];
      return prop ? write(Kind.Close, P.close(prop.id)) : undefined;
    }
    case 8:
      // Moderation [SAFE-21..23]: a mute (or lifting one), the group's policy, an appeal.
      if (c.choice % 7 === 1 && other)
        return write(Kind.Mute, P.mute(other.id, c.arg % 4 === 0 ? 0 : 3_600 * (1 + (c.arg % 48))));
      if (c.choice % 7 === 3 && !busy)
        return write(
          Kind.Propose,
          P.moderation({ rt: 1 + (c.arg % 5), mods: other ? [other.id] : [], resp: [member.id] })
        );
      if (c.choice % 7 >= 5 && !busy) {
        const mute = pick(Object.values(st.mutes));
        if (mute) return write(Kind.Propose, P.appeal(mute.id));
      }
      if (c.choice % 2 === 0)
        return other
          ? write(Kind.Delegate, P.delegate(c.choice % 4 ? 'all' : 'admit', other.id))
          : undefined;
      if (c.choice % 3 === 0) {
        // A member's word on research: for one study (even while it is voted on) or for all.
        const study = pick(Object.values(st.proposals).filter((x) => x.kind === 'research'));
        return write(
          Kind.Consent,
          P.consent(c.choice % 9 ? study?.id : undefined, c.arg % 2 === 0)
        );
      }
      return pick(Object.values(st.proposals))
        ? write(Kind.Comment, P.comment(pick(Object.values(st.proposals))!.id))
        : undefined;
    default: {
      // A backup restored on a new phone, which adds itself while this one goes on writing
      // (concurrently, in this peer's view only until it syncs) [ID-5]; or that phone removed.
      const mine = member.devices.filter((d) => d !== me.id);
      if ((c.choice >= 11 || c.arg % 5 === 0) && mine.length > 0)
        return write(Kind.DeviceRemove, map({ d: hexToBytes(pick(mine)!) }));
      if (c.choice >= 9) {
        const n = parseInt(p.identity.id.slice(0, 4), 16) % 1_000;
        const fresh = new Device(1_000 * (p.restored.length + 1) + n);
        p.restored.push(fresh);
        return fresh.write(
          groupId,
          Kind.DeviceAdd,
          P.recover(groupId, p.identity, fresh, me),
          st.heads,
          p.clock
        );
      }
      const target = pick(
        st.audit.filter(
          (r) => r.verdict === 'applied' && r.author !== null && !member.devices.includes(r.author)
        )
      );
      return target ? write(Kind.Helped, P.helped(target.id), [target.id]) : vote();
    }
  }
}

export interface BurstOutcome {
  /** State hashes of the observing phones and of a full derive: all equal when converged. */
  hashes: string[];
  fullHash: string;
  state: GroupState;
  entries: number;
  /** Entries of the crowd's devices judged a broken chain (must be none). */
  frozen: string[];
  /** Crowd devices that cannot open the current key (must be none). */
  keyless: string[];
  /** Entries the crowd wrote in its two bursts, and how many of them the group applied. */
  written: number;
  applied: number;
  /** Milliseconds the observers spent taking in the bursts, one batch at a time. */
  convergeMs: number;
}

/**
 * A crowd writing at once [RED-27]: `members` people, each with two devices, all holding the key;
 * every device votes on the same proposal from the same view, an outsider floods `junk` entries
 * dated a year ahead, everyone syncs, and every device writes again (naming its own last entry and
 * 15 heads of a view with hundreds). Observing phones take everything in shuffled batches.
 */
export function crowdBurst(o: { members: number; junk: number; observers: number; seed: number }) {
  const founder = new Device(0);
  const { groupId, nonce } = newGroupId(founder);
  const members = Array.from({ length: o.members }, (_, i) => (i === 0 ? founder : new Device(i)));
  const seconds = members.map((_, i) => new Device(100_000 + i));
  const entries = new Map<string, Uint8Array>();
  const verdicts = new Map<string, boolean>();
  const view = new Ledger({ groupId, verdicts });
  const put = (e: { id: string; bytes: Uint8Array }) => {
    entries.set(e.id, e.bytes);
    view.add(e.bytes);
    return e.id;
  };
  let time = T0;
  put(
    founder.write(
      groupId,
      Kind.Genesis,
      P.genesis(
        groupId,
        nonce,
        members.slice(1).map((m) => [m, 'regular']),
        100,
        'Crowd',
        founder.xPub
      ),
      [],
      time
    )
  );
  for (const [i, m] of members.entries())
    put(
      m.write(
        groupId,
        Kind.DeviceAdd,
        P.deviceAdd(groupId, m, seconds[i]!),
        view.state.heads,
        ++time
      )
    );
  const everyone = [...members, ...seconds].sort((a, b) => (a.id < b.id ? -1 : 1));
  for (let i = 0; i < everyone.length; i += 100)
    put(
      founder.write(
        groupId,
        Kind.Lockboxes,
        P.lockboxes(groupId, 1, realKey(1), everyone.slice(i, i + 100)),
        view.state.heads,
        ++time
      )
    );
  const proposal = put(
    founder.write(groupId, Kind.Propose, P.propose('general'), view.state.heads, ++time)
  );
  // What a phone names: its own last entry, then heads, 16 in all (the app's rule, APP-1).
  const prevFor = (d: Device, heads: string[]) => {
    const out = d.last ? [d.last] : [];
    for (const h of heads) if (out.length < 16 && !out.includes(h)) out.push(h);
    return out;
  };
  const written: string[] = [];
  const burst = (make: (d: Device, i: number) => { id: string; bytes: Uint8Array }) => {
    const made = everyone.map(make);
    for (const e of made) {
      entries.set(e.id, e.bytes);
      written.push(e.id);
    }
    view.addAll(made.map((e) => e.bytes));
  };
  const base = [...view.state.heads];
  burst((d, i) => d.write(groupId, Kind.Ballot, P.ballot(proposal, 1), prevFor(d, base), time + i));
  for (let k = 0; k < o.junk; k++) {
    const j = new Device(200_000 + (k % 50)).write(
      groupId,
      Kind.Consent,
      P.consent(undefined, true),
      k % 2 ? [proposal] : view.state.heads.slice(0, 16),
      time + 365 * 86_400,
      { seq: 1 + Math.floor(k / 50), backlink: null }
    );
    entries.set(j.id, j.bytes);
  }
  const wide = [...view.state.heads];
  burst((d, i) =>
    d.write(groupId, Kind.Consent, P.consent(undefined, i % 2 === 0), prevFor(d, wide), time + 600)
  );
  // Observers take everything in, shuffled, fifty at a time.
  const observers = Array.from({ length: o.observers }, () => new Ledger({ groupId, verdicts }));
  const list = [...entries.values()];
  const started = performance.now();
  observers.forEach((l, i) => {
    const order = shuffle(list, o.seed + i);
    for (let k = 0; k < order.length; k += 50) l.addAll(order.slice(k, k + 50));
    void l.state;
  });
  const convergeMs = (performance.now() - started) / o.observers;
  const full = derive(shuffle(list, o.seed + 99), { groupId, verdicts });
  const crowd = new Set(everyone.map((d) => d.id));
  const mine = full.audit.filter((a) => a.author && crowd.has(a.author));
  const ids = new Set(written);
  return {
    hashes: observers.map((l) => stateHash(l.state)),
    fullHash: stateHash(full),
    state: full,
    entries: entries.size,
    frozen: mine.filter((a) => CHAIN_BROKEN.includes(a.reason ?? '')).map((a) => a.id),
    keyless: everyone.filter((d) => !opens(d, groupId, full)).map((d) => d.id),
    written: written.length,
    applied: full.audit.filter((a) => ids.has(a.id) && a.verdict === 'applied').length,
    convergeMs
  } satisfies BurstOutcome;
}
