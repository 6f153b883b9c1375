import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../src/lib/core/crypto/cbor';
import { type GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys } from '../../src/lib/core/group/signer';
import {
  Handshake,
  isActiveMemberDevice,
  type HandshakeOptions,
  type NearbyGroup,
  type Step
} from '../../src/lib/core/nearby/handshake';
import { seed } from '../kit/ledger-kit';
import { found, join, Net, rng } from '../kit/session-kit';

/**
 * Two phones in a room prove membership before anything syncs [NEAR-3]. Real groups, made and
 * joined through GroupSession; each phone checks the other against its own derived state.
 */

const DOC_1 = '2bnZLeNqU1dAaPmZ5KmkJMjLwoVs';
const DOC_2 = '3ZrS8sK6aSiCHJnGzpgNVmdvKEJZ';
const DOC_3 = '4NMNnkA3ZSwyQ8XahkhNmFabz7G5';

/** Rowan (device 100) founds a group and admits Sam (device 7); Kim (device 9) only applies. */
function circle() {
  const net = new Net();
  const { groupId, founder } = found(net);
  const { applicant: sam } = join(net, groupId, founder, 7, 'Sam');
  net.sync(founder, sam);
  return { net, groupId, founder, sam };
}

const group = (documentId: string, s: GroupSession): NearbyGroup => ({
  documentId,
  isMemberDevice: (d) => isActiveMemberDevice(s.state, d)
});

const fingerprints = { host: new Uint8Array(32).fill(1), guest: new Uint8Array(32).fill(2) };
const session = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9);

function phone(
  role: 'host' | 'guest',
  secret: Uint8Array,
  groups: NearbyGroup[],
  o: Partial<HandshakeOptions> = {}
) {
  return new Handshake({
    role,
    session,
    fingerprints,
    secret,
    groups,
    nonce: rng(role === 'host' ? 50 : 51)(32),
    ...o
  });
}

interface Outcome {
  host?: Step;
  guest?: Step;
  /** Every message each side sent, in order. */
  sent: { host: Uint8Array[]; guest: Uint8Array[] };
}

/** Runs both ends against each other until each is done or has failed. */
function talk(host: Handshake, guest: Handshake): Outcome {
  const sent = { host: [host.start()], guest: [guest.start()] };
  const queue: ['host' | 'guest', Uint8Array][] = [
    ['guest', sent.host[0]!],
    ['host', sent.guest[0]!]
  ];
  const out: Outcome = { sent };
  while (queue.length > 0) {
    const [to, bytes] = queue.shift()!;
    const me = to === 'host' ? host : guest;
    if (me.finished) continue;
    const step = me.receive(bytes);
    for (const m of step.send) {
      sent[to].push(m);
      queue.push([to === 'host' ? 'guest' : 'host', m]);
    }
    if (step.done || step.error) out[to] = step;
  }
  return out;
}

describe('nearby handshake: members prove it before anything syncs', () => {
  it('[NEAR-3] two members of a group share it, and only the groups both are members of', () => {
    const { founder, sam } = circle();
    // Rowan also has a group of their own; Sam has another with someone else.
    const net2 = new Net();
    const other = found(net2);
    const rowan = deviceKeys(seed(100)).secret;
    const samKey = deviceKeys(seed(7)).secret;
    const out = talk(
      phone('host', rowan, [group(DOC_1, founder), group(DOC_2, other.founder)]),
      phone('guest', samKey, [group(DOC_1, sam), group(DOC_3, other.founder)])
    );
    expect(out.host?.done).toEqual({
      shared: [DOC_1],
      refused: [],
      device: deviceKeys(seed(7)).id
    });
    expect(out.guest?.done).toEqual({
      shared: [DOC_1],
      refused: [],
      device: deviceKeys(seed(100)).id
    });
  });

  it('[NEAR-3] a stranger who scanned the code is offered nothing and learns no document id', () => {
    const { founder } = circle();
    const rowan = deviceKeys(seed(100)).secret;
    const stranger = deviceKeys(seed(555)).secret;
    const net2 = new Net();
    const theirs = found(net2);
    const out = talk(
      phone('host', rowan, [group(DOC_1, founder)]),
      phone('guest', stranger, [group(DOC_2, theirs.founder)])
    );
    expect(out.host?.done).toEqual({ shared: [], refused: [], device: undefined });
    expect(out.guest?.done).toEqual({ shared: [], refused: [], device: undefined });
    // Nothing Rowan sent names the document.
    const all = Buffer.concat(out.sent.host).toString('latin1');
    expect(all).not.toContain(DOC_1);
  });

  it('[NEAR-3] someone who holds the group but is not a member (an applicant, a removed member) gets nothing', () => {
    const { net, founder, sam } = circle();
    // Kim was never admitted (an applicant, say): Kim's phone holds the document all the same.
    const kimKeys = deviceKeys(seed(9));
    // Kim holds the group and says they are a member (their own copy is edited to say so).
    const liar: NearbyGroup = { documentId: DOC_1, isMemberDevice: () => true };
    const out = talk(
      phone('host', deviceKeys(seed(100)).secret, [group(DOC_1, founder)]),
      phone('guest', kimKeys.secret, [liar])
    );
    expect(out.host?.done).toEqual({ shared: [], refused: [DOC_1], device: undefined });
    expect(out.guest?.done).toEqual({ shared: [], refused: [DOC_1], device: undefined });
    // Sam, removed by the group, holds the group too.
    net.sync(founder);
    const removal = founder.propose({ type: 'remove', member: sam.me }, 1_780_001_000);
    net.put(removal);
    net.sync(founder);
    const p = Object.values(founder.state.proposals).find(
      (x) => x.kind === 'remove' && x.status === 'voting'
    )!;
    net.put(founder.vote(p.id, 1, '', 1_780_001_010));
    net.sync(founder);
    net.put(founder.close(p.id, 1_780_001_020));
    net.sync(founder);
    expect(founder.state.members[sam.me]?.status).toBe('removed');
    const removed = talk(
      phone('host', deviceKeys(seed(100)).secret, [group(DOC_1, founder)]),
      phone('guest', deviceKeys(seed(7)).secret, [liar])
    );
    expect(removed.host?.done?.shared).toEqual([]);
  });

  it('[NEAR-3] a member’s public key with a signature made by another key is refused', () => {
    const { founder } = circle();
    const samPublic = deviceKeys(seed(7)).publicKey;
    const mallory = deviceKeys(seed(666));
    const h = phone('host', deviceKeys(seed(100)).secret, [group(DOC_1, founder)]);
    // Mallory holds the document and plays the protocol, claiming to be a member.
    const g = phone('guest', mallory.secret, [{ documentId: DOC_1, isMemberDevice: () => true }]);
    const gGroups = g.receive(h.start()).send[0]!;
    const hGroups = h.receive(g.start()).send[0]!;
    const hProofs = h.receive(gGroups).send[0]!;
    const gProofs = g.receive(hGroups).send[0]!;
    // Sam's public key put in place of Mallory's, Mallory's signature left as it is.
    const forged = Buffer.from(gProofs);
    const at = forged.indexOf(Buffer.from(mallory.publicKey));
    expect(at).toBeGreaterThan(0);
    forged.set(samPublic, at);
    const ready = h.receive(new Uint8Array(forged));
    const said = decodeCbor(ready.send[0]!) as Map<string, unknown>;
    expect(said.get('t')).toBe('ready');
    expect(said.get('shared')).toEqual([]);
    g.receive(hProofs);
    const gReady = g.receive(ready.send[0]!);
    expect(gReady.done).toEqual({ shared: [], refused: [DOC_1], device: undefined });
  });

  it('[NEAR-5] a proof recorded on one connection does not open another; reflecting a phone’s own messages proves nothing', () => {
    const { founder, sam } = circle();
    const rowan = deviceKeys(seed(100)).secret;
    const samKey = deviceKeys(seed(7)).secret;
    // A real exchange, recorded.
    const first = talk(
      phone('host', rowan, [group(DOC_1, founder)]),
      phone('guest', samKey, [group(DOC_1, sam)])
    );
    expect(first.host?.done?.shared).toEqual([DOC_1]);
    // Later, Mallory replays Sam's messages to Rowan on a new connection (new nonces).
    const replayed = phone('host', rowan, [group(DOC_1, founder)], {
      nonce: rng(77)(32)
    });
    replayed.start();
    let last: Step | undefined;
    for (const m of first.sent.guest) {
      if (replayed.finished) break;
      last = replayed.receive(m);
    }
    expect(last?.done?.shared ?? []).toEqual([]);
    // Reflection: Rowan's own messages sent back to Rowan.
    const host = phone('host', rowan, [group(DOC_1, founder)]);
    const hello = host.start();
    const groups = host.receive(hello).send;
    const proofs = host.receive(groups[0]!).send;
    const ready = host.receive(proofs[0]!);
    expect(ready.send[0]).toBeDefined();
    const end = host.receive(ready.send[0]!);
    expect(end.done?.shared).toEqual([]);
  });
});

describe('nearby handshake: what another program may send', () => {
  const rowan = () => {
    const { founder } = circle();
    return phone('host', deviceKeys(seed(100)).secret, [group(DOC_1, founder)]);
  };
  const cbor = (o: Record<string, unknown>) => encodeCbor(new Map(Object.entries(o)) as never);

  it('[NEAR-7] bytes that are not CBOR, messages out of order and fields of the wrong kind end it as garbage, with a goodbye', () => {
    const cases: Uint8Array[] = [
      Uint8Array.of(0xff, 0x00, 0x13),
      new TextEncoder().encode('GET / HTTP/1.1'),
      cbor({ t: 'groups', tags: [] }), // before hello
      cbor({ t: 'hello', v: 1, nonce: new Uint8Array(31) }),
      cbor({ t: 'hello', v: 1 }),
      encodeCbor([1, 2, 3]),
      cbor({ x: 1 })
    ];
    for (const bytes of cases) {
      const h = rowan();
      h.start();
      const step = h.receive(bytes);
      expect(step.error).toBe('garbage');
      expect(step.send).toHaveLength(1);
      // Nothing more is taken once it failed.
      expect(h.receive(cbor({ t: 'hello', v: 1, nonce: new Uint8Array(32) })).error).toBe(
        'garbage'
      );
    }
  });

  it('[NEAR-7] after a good hello: too many tags, a proof of the wrong shape, a second hello are garbage', () => {
    const hello = cbor({ t: 'hello', v: 1, nonce: new Uint8Array(32).fill(3) });
    const later: Uint8Array[] = [
      cbor({ t: 'groups', tags: Array.from({ length: 600 }, () => new Uint8Array(16)) }),
      cbor({ t: 'groups', tags: [new Uint8Array(15)] }),
      hello
    ];
    for (const bytes of later) {
      const h = rowan();
      h.start();
      expect(h.receive(hello).error).toBeUndefined();
      expect(h.receive(bytes).error).toBe('garbage');
    }
    const h = rowan();
    h.start();
    h.receive(hello);
    h.receive(cbor({ t: 'groups', tags: [] }));
    expect(h.receive(cbor({ t: 'proofs', proofs: [[new Uint8Array(16)]] })).error).toBe('garbage');
  });

  it('[NEAR-6] another version of the protocol is told apart from garbage; a goodbye carries its reason', () => {
    const h = rowan();
    h.start();
    expect(h.receive(cbor({ t: 'hello', v: 2, nonce: new Uint8Array(32) }))).toMatchObject({
      error: 'version',
      detail: '2'
    });
    const g = rowan();
    g.start();
    expect(g.receive(cbor({ t: 'bye', why: 'stalled' }))).toMatchObject({
      error: 'bye',
      detail: 'stalled'
    });
  });
});
