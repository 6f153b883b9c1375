/**
 * Where to wake a member's phone [PUSH-14]: each device says, in the group's own ledger, its push
 * handle for the current key epoch and the relay it registered at, sealed with the group key.
 *
 * Attacks first: an outsider (or the relay) reading which device is in which group from the
 * document; a handle published in the clear; a non-member's entry steering wakes to a handle of
 * their choosing; a removed member's old handle still being woken after the key rotated.
 */
import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { GroupSession } from '../../src/lib/core/group/session';
import { openWake, pushHandle, sealWake } from '../../src/lib/core/notify/wake';
import { toBase64Url } from '../../src/lib/core/encoding/base64url';
import { entryId } from '../../src/lib/core/ledger/envelope';
import { crowd, Net } from '../kit/session-kit';
import { Device, Kind, map, standardGroup, T0 } from '../kit/ledger-kit';

const RELAY = 'wss://relay.example.org/sync';
const secretOf = (n: number) => new Uint8Array(32).fill(n);
const verdictOf = (s: GroupSession, id: string) => s.state.audit.find((a) => a.id === id);

function circle() {
  const net = new Net();
  const { groupId, sessions } = crowd(net, 3);
  return { net, groupId, sessions: sessions as [GroupSession, GroupSession, GroupSession] };
}

describe('push handles in the ledger', () => {
  it('[PUSH-14] a member says where to wake their phone; another member finds the handle, the relay and the key to seal to, and a wake sealed so opens on that phone only', () => {
    const { net, groupId, sessions } = circle();
    const [founder, a, b] = sessions;
    const said = a.publishPush(secretOf(1), RELAY, T0 + 100);
    expect(said).toHaveLength(1);
    net.put(said);
    net.sync(...sessions);
    expect(verdictOf(founder, entryId(said[0]!))?.verdict).toBe('applied');
    const targets = founder.wakeTargets([a.me, b.me]);
    expect(targets).toHaveLength(1);
    const t = targets[0]!;
    expect(t.device).toBe(a.device.id);
    expect(t.relay).toBe(RELAY);
    expect(toBase64Url(t.handle)).toBe(
      toBase64Url(pushHandle(secretOf(1), groupId, founder.state.currentEpoch))
    );
    const sealed = sealWake({
      message: { kind: 'checkin', group: '2xY9abcDEFgh', path: '/group#2xY9abcDEFgh', at: T0 },
      recipientX25519: t.x25519,
      handle: t.handle,
      ephemeralSecret: x25519.utils.randomSecretKey()
    });
    expect(openWake({ sealed, handle: t.handle, recipientSecret: a.device.xSecret })?.kind).toBe(
      'checkin'
    );
    expect(
      openWake({ sealed, handle: t.handle, recipientSecret: b.device.xSecret })
    ).toBeUndefined();
    // Nobody wakes themselves.
    expect(a.wakeTargets([a.me])).toEqual([]);
  });

  it('[PUSH-14] the entry tells a reader without the group key nothing: neither the handle nor the relay is in its bytes', () => {
    const { sessions } = circle();
    const [, a] = sessions;
    const [bytes] = a.publishPush(secretOf(2), RELAY, T0 + 100);
    const handle = a.pushHandleNow(secretOf(2));
    const text = Buffer.from(bytes!).toString('latin1');
    expect(text).not.toContain(toBase64Url(handle));
    expect(text).not.toContain('relay.example.org');
    expect(Buffer.from(bytes!).includes(Buffer.from(handle))).toBe(false);
  });

  it('[PUSH-14] said once per key epoch: the same again writes nothing; after a removal rotates the key the old handle is not woken until the phone says its new one', () => {
    const { net, sessions } = circle();
    const [founder, a, b] = sessions;
    net.put(a.publishPush(secretOf(3), RELAY, T0 + 100));
    net.sync(...sessions);
    expect(a.publishPush(secretOf(3), RELAY, T0 + 110)).toEqual([]);
    // b is removed: the key rotates.
    net.put(founder.propose({ type: 'remove', member: b.me }, T0 + 200));
    net.sync(...sessions);
    const p = Object.values(founder.state.proposals).find((x) => x.kind === 'remove')!;
    for (const s of [founder, a]) net.put(s.vote(p.id, 1, '', T0 + 210));
    net.sync(founder);
    net.put(founder.close(p.id, T0 + 8 * 86_400));
    net.sync(...sessions);
    expect(founder.state.currentEpoch).toBe(2);
    expect(founder.wakeTargets([a.me])).toEqual([]);
    const again = a.publishPush(secretOf(3), RELAY, T0 + 8 * 86_400 + 60);
    expect(again).toHaveLength(1);
    net.put(again);
    net.sync(...sessions);
    const [t] = founder.wakeTargets([a.me]);
    expect(toBase64Url(t!.handle)).toBe(toBase64Url(a.pushHandleNow(secretOf(3))));
    // The removed member reads neither the new handle nor any later one.
    expect(b.wakeTargets([a.me])).toEqual([]);
    expect(b.publishPush(secretOf(4), RELAY, T0 + 9 * 86_400)).toEqual([]);
  });

  it('[PUSH-14] an outsider’s entry, a handle in the clear and one sealed with an epoch the group never had are refused', () => {
    const { s, a } = standardGroup();
    const sealedLooking = [1, new Uint8Array(64).fill(7)];
    const outsider = s.write(new Device(9_100), Kind.Push, map({ h: sealedLooking }));
    const clear = s.write(a, Kind.Push, map({ h: '{"h":"AAAAAAAAAAAAAAAAAAAAAA","r":"wss://x"}' }));
    const junk = s.write(a, Kind.Push, map({ h: sealedLooking }));
    const st = s.state();
    expect(st.audit.find((x) => x.id === outsider)?.verdict).not.toBe('applied');
    expect(st.audit.find((x) => x.id === clear)?.reason).toBe('bad-payload');
    // Sealed with a key epoch the group never had: refused too.
    expect(st.audit.find((x) => x.id === junk)?.reason).toBe('unknown-epoch');
    expect(st.push).toEqual({});
  });

  it('[PUSH-14] a member’s sealed text that is not a handle and a relay address (`javascript:`) is never a target', () => {
    const { net, sessions } = circle();
    const [founder, a] = sessions;
    net.put(a.publishPush(secretOf(5), RELAY, T0 + 100));
    net.sync(...sessions);
    expect(founder.wakeTargets([a.me])).toHaveLength(1);
    // A relay address that is not one: never a target.
    const bad = a.publishPush(secretOf(5), 'javascript:alert(1)', T0 + 120);
    net.put(bad);
    net.sync(...sessions);
    expect(founder.wakeTargets([a.me])).toEqual([]);
  });
});
