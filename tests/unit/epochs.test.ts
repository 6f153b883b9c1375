import { describeExecution } from '../../src/lib/core/governance/state';
import { describe, expect, it } from 'vitest';
import { openLockbox } from '../../src/lib/core/crypto/box';
import { fromHex } from '../../src/lib/core/encoding/hex';
import { derive, stateHash } from '../../src/lib/core/governance/derive';
import type { GroupState } from '../../src/lib/core/governance/state';
import { Device, Kind, map, P, Scenario, standardGroup } from '../kit/ledger-kit';

const key = (n: number) => new Uint8Array(32).fill(n);

/** Every key this device can open for the current epoch (tries each of its lockboxes). */
function keysFor(st: GroupState, s: Scenario, d: Device, epoch = st.currentEpoch): Uint8Array[] {
  const boxes = st.epochs[epoch]?.lockboxes[d.id] ?? [];
  return boxes.flatMap((b) => {
    const k = openLockbox({
      sealed: fromHex(b.sealed)!,
      recipientSecret: d.xSecret,
      recipientDevice: d.pub,
      groupId: s.groupId,
      epoch
    });
    return k ? [k] : [];
  });
}

describe('group key epochs', () => {
  it('[ENC-4] the first lockbox set defines epoch 1; members open its key; a second key for the same epoch → wrong-key', () => {
    const { s, a, b, c } = standardGroup();
    const first = s.write(
      s.founder,
      Kind.Lockboxes,
      P.lockboxes(s.groupId, 1, key(1), [s.founder, a, b, c])
    );
    const rival = s.write(
      a,
      Kind.Lockboxes,
      P.lockboxes(s.groupId, 1, key(2), [s.founder, a, b, c])
    );
    const st = s.state();
    expect(st).toMatchObject({ currentEpoch: 1, rotationDue: false });
    expect(st.epochs[1]!.definedBy).toBe(first);
    expect(s.verdict(rival, st)?.reason).toBe('wrong-key');
    for (const d of [s.founder, a, b, c]) expect(keysFor(st, s, d)).toEqual([key(1)]);
  });

  it('[ENC-4] without a removal no new epoch may start → rotation-not-due; an unknown epoch → unknown-epoch', () => {
    const { s, a } = standardGroup();
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [s.founder, a]));
    expect(
      s.verdict(s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 2, key(2), [s.founder, a])))
        ?.reason
    ).toBe('rotation-not-due');
    expect(
      s.verdict(s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 5, key(2), [s.founder, a])))
        ?.reason
    ).toBe('unknown-epoch');
  });

  it('[ENC-5] any member heals the current epoch for a newcomer, with the same key id; old epochs are not re-shared', () => {
    const { s, a, b, c } = standardGroup();
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [s.founder, a, b, c]));
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    expect(keysFor(s.state(), s, n)).toEqual([]);
    s.write(c, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [n]));
    expect(keysFor(s.state(), s, n)).toEqual([key(1)]);
  });

  it('[ENC-6] a removal rotates the key in the same step; the removed member gets no lockbox and cannot open the new key', () => {
    const { s, a, b, c } = standardGroup();
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [s.founder, a, b, c]));
    const r = s.write(a, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const closePayload = P.close(r);
    closePayload.set('lk', P.lockboxes(s.groupId, 2, key(2), [s.founder, a, b]));
    s.write(a, Kind.Close, closePayload);
    const st = s.state();
    expect(st).toMatchObject({ currentEpoch: 2, rotationDue: false });
    expect(describeExecution(st.proposals[r]!.execution!)).toMatch(/new key epoch 2/);
    expect(keysFor(st, s, c)).toEqual([]);
    expect(keysFor(st, s, a)).toEqual([key(2)]);
    // Sealing the new key to the removed member is refused.
    expect(
      s.verdict(s.write(b, Kind.Lockboxes, P.lockboxes(s.groupId, 2, key(2), [c])))?.reason
    ).toBe('box-for-outsider');
  });

  it('[ENC-6] concurrent rotations converge on one current epoch whatever the arrival order', () => {
    const { s, a, b, c } = standardGroup();
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [s.founder, a, b, c]));
    const r = s.write(a, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    s.write(a, Kind.Close, P.close(r));
    const base = [...s.heads];
    const x = s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 2, key(20), [s.founder, a, b]), {
      prev: base
    });
    const y = s.write(b, Kind.Lockboxes, P.lockboxes(s.groupId, 2, key(21), [s.founder, a, b]), {
      prev: base
    });
    const st = s.state();
    const winner = [x, y].sort()[0]!;
    expect(st.epochs[2]!.definedBy).toBe(winner);
    expect(s.verdict([x, y].sort()[1]!, st)?.reason).toBe('wrong-key');
    const reversed = derive([...s.entries.values()].reverse(), { groupId: s.groupId });
    expect(stateHash(reversed)).toBe(stateHash(st));
  });

  it('[ENC-6] a rotation concurrent with a removal never leaves the removed member holding the current key', () => {
    for (const order of [0, 1]) {
      const { s, a, b, c } = standardGroup();
      s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [s.founder, a, b, c]));
      // First removal (of b) with its own rotation, to get a rotation in flight.
      const rb = s.write(a, Kind.Propose, P.remove(b.id));
      const rc = s.write(a, Kind.Propose, P.remove(c.id));
      for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(rb, 1));
      for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(rc, 1));
      s.write(a, Kind.Close, P.close(rb));
      const base = [...s.heads];
      // Concurrently: a rotation that still includes c, and the close removing c.
      s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 2, key(30 + order), [s.founder, a, c]), {
        prev: base
      });
      s.write(s.founder, Kind.Close, P.close(rc), { prev: base });
      const st = s.state();
      expect(st.members[c.id]!.status).toBe('removed');
      const cHoldsCurrent = keysFor(st, s, c).length > 0;
      expect(cHoldsCurrent && !st.rotationDue).toBe(false);
      // The group can always finish the rotation without c.
      s.write(
        a,
        Kind.Lockboxes,
        P.lockboxes(s.groupId, st.rotationDue ? st.currentEpoch + 1 : st.currentEpoch, key(40), [
          s.founder,
          a
        ])
      );
      const after = s.state();
      expect(after.rotationDue).toBe(false);
      expect(keysFor(after, s, c)).toEqual([]);
    }
  });
});

describe('history for newcomers', () => {
  it('[ENC-8] by default a newcomer gets no key to earlier epochs; after a vote to share history they can', () => {
    const { s, a, b, c } = standardGroup();
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [s.founder, a, b, c]));
    const r = s.write(a, Kind.Propose, P.remove(c.id));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(r, 1));
    const close = P.close(r);
    close.set('lk', P.lockboxes(s.groupId, 2, key(2), [s.founder, a, b]));
    s.write(a, Kind.Close, close);
    const n = new Device(9);
    s.admit(n, [s.founder, a, b]);
    s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 2, key(2), [n]));
    expect(
      s.verdict(s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [n])))?.reason
    ).toBe('unknown-epoch');

    const share = s.write(a, Kind.Propose, map({ k: 'governance', target: 'history', share: 1 }));
    for (const v of [s.founder, a, b]) s.write(v, Kind.Ballot, P.ballot(share, 1));
    s.write(a, Kind.Close, P.close(share));
    expect(s.state().shareHistory).toBe(true);
    s.write(a, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key(1), [n]));
    const st = s.state();
    expect(keysFor(st, s, n, 1)).toEqual([key(1)]);
    expect(keysFor(st, s, n, 2)).toEqual([key(2)]);
    expect(keysFor(st, s, c, 2)).toEqual([]);
  });
});
