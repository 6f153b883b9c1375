/**
 * A deterministic multi-peer simulation of a group: each peer is one device with its own view of
 * the ledger (an incremental Ledger), its own clock, and syncs with others only when told to, in a
 * shuffled order and with duplicates. Used by the convergence property test and the soak run.
 */
import { derive, Ledger, stateHash } from '../../src/lib/core/governance/derive';
import type { GroupState } from '../../src/lib/core/governance/state';
import { hexToBytes } from '../../src/lib/core/encoding/hex';
import { Device, Kind, map, newGroupId, P, T0 } from './ledger-kit';

export type Command =
  | { t: 'act'; peer: number; action: number; arg: number; choice: number }
  | { t: 'sync'; from: number; to: number; seed: number }
  | { t: 'gossip'; among: number; seed: number }
  | { t: 'meeting'; closer: number; choices: number; seed: number }
  | { t: 'tick'; peer: number; hours: number };

interface Peer {
  device: Device;
  ledger: Ledger;
  known: Map<string, Uint8Array>;
  clock: number;
  /** Devices this member restored from a backup, each adding itself [ID-5]. */
  restored: Device[];
}

export interface Outcome {
  hashes: string[];
  fullHash: string;
  state: GroupState;
  entries: number;
}

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
  const peers: Peer[] = devices.map((device) => {
    const ledger = new Ledger({ groupId });
    ledger.add(genesis.bytes);
    return {
      device,
      ledger,
      known: new Map([[genesis.id, genesis.bytes]]),
      clock: T0,
      restored: []
    };
  });

  const deliver = (to: Peer, id: string, bytes: Uint8Array) => {
    to.known.set(id, bytes);
    to.ledger.add(bytes);
  };

  for (const c of commands) {
    if (c.t === 'tick') {
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

  // Full exchange: everyone receives everything, in their own shuffled order.
  const all = new Map<string, Uint8Array>();
  for (const p of peers) for (const [id, bytes] of p.known) all.set(id, bytes);
  peers.forEach((p, i) => {
    for (const [id, bytes] of shuffle(
      [...all].filter(([id]) => !p.known.has(id)),
      i + 1
    ))
      deliver(p, id, bytes);
  });
  const full = derive(shuffle([...all.values()], 99), { groupId });
  return {
    hashes: peers.map((p) => stateHash(p.ledger.state)),
    fullHash: stateHash(full),
    state: full,
    entries: all.size
  };
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
  const me = p.device;
  const member = st.members[me.id];
  // An application is an outsider's entry, never a head: a proposal to admit names it [LED-14].
  const write = (kind: number, payload: ReturnType<typeof P.apply>, refs: string[] = []) =>
    me.write(groupId, kind, payload, [...st.heads, ...refs], p.clock);
  const pick = <T>(xs: T[]): T | undefined => (xs.length ? xs[c.arg % xs.length] : undefined);
  if (!member || member.status !== 'active') {
    const open = Object.values(st.applications).some(
      (a) => a.applicant === me.id && a.status === 'open'
    );
    return open ? undefined : write(Kind.Apply, P.apply());
  }
  const active = Object.values(st.members).filter((m) => m.status === 'active');
  const voting = Object.values(st.proposals).filter((x) => x.status === 'voting');
  const openApps = Object.values(st.applications).filter((a) => a.status === 'open');
  const other = pick(active.filter((m) => m.id !== me.id));
  // Vote on the oldest open proposal I can vote on and have not yet; mostly yes, sometimes no or
  // abstain, so tallies both pass and fail.
  const vote = () => {
    const unvoted = voting
      .filter((x) => me.id in x.electorate && !x.ballots.some((v) => v.member === me.id))
      .sort((x, y) => x.start - y.start || (x.id < y.id ? -1 : 1));
    const prop = unvoted[0] ?? pick(voting);
    const choice = ([1, 1, 1, 0, 2, 1] as const)[c.choice % 6]!;
    return prop ? write(Kind.Ballot, P.ballot(prop.id, choice)) : undefined;
  };
  // Like a real group, members work through a couple of proposals at a time.
  const busy = voting.length >= 2;
  switch (c.action % 10) {
    case 0: {
      if (busy) return vote();
      const app = pick(openApps);
      return app
        ? write(Kind.Propose, P.admit(app.id), [app.id])
        : write(Kind.Propose, P.propose('general'));
    }
    case 1:
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
          P.moderation({ rt: 1 + (c.arg % 5), mods: other ? [other.id] : [], resp: [me.id] })
        );
      if (c.choice % 7 === 5 && !busy) {
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
      if (c.choice >= 11 && mine.length > 0)
        return write(Kind.DeviceRemove, map({ d: hexToBytes(pick(mine)!) }));
      if (c.choice >= 10) {
        const n = parseInt(me.id.slice(0, 4), 16) % 1_000;
        const fresh = new Device(1_000 * (p.restored.length + 1) + n);
        p.restored.push(fresh);
        return fresh.write(
          groupId,
          Kind.DeviceAdd,
          P.recover(groupId, me, fresh, me),
          st.heads,
          p.clock
        );
      }
      const target = pick(st.audit.filter((r) => r.verdict === 'applied' && r.author !== me.id));
      return target ? write(Kind.Helped, P.helped(target.id), [target.id]) : vote();
    }
  }
}
