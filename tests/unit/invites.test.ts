import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/lib/core/encoding/hex';
import { inviteKeyPair, signInviteProof } from '../../src/lib/core/governance/invites';
import { DAY, Device, Kind, map, P, standardGroup, T0 } from '../kit/ledger-kit';

const secret = new Uint8Array(32).fill(42);

function withInvite(opts: { singleUse?: boolean; expires?: number } = {}) {
  const g = standardGroup();
  const invite = g.s.write(
    g.a,
    Kind.Invite,
    map({
      ik: inviteKeyPair(secret).publicKey,
      exp: opts.expires ?? T0 + 7 * DAY,
      one: opts.singleUse === false ? 0 : 1
    })
  );
  return { ...g, invite };
}

function applyWith(
  g: ReturnType<typeof withInvite>,
  who: Device,
  proof: Uint8Array,
  opts: { prev?: string[] } = {}
) {
  return g.s.write(
    who,
    Kind.Apply,
    map({
      m: 'A friend told me about this group.',
      x: who.xPub,
      inv: Uint8Array.from(Buffer.from(g.invite, 'hex')),
      ip: proof
    }),
    opts
  );
}

const proofFor = (g: ReturnType<typeof withInvite>, who: Device, s = secret) =>
  signInviteProof(s, g.s.groupId, g.invite, who.pub, who.xPub);

describe('invitations', () => {
  it('[INV-1] an applicant holding the invite secret applies with a proof bound to their own keys', () => {
    const g = withInvite();
    const n = new Device(9);
    const app = applyWith(g, n, proofFor(g, n));
    const st = g.s.state();
    expect(st.applications[app]).toMatchObject({
      applicant: n.id,
      invite: g.invite,
      status: 'open'
    });
    expect(st.invites[g.invite]).toMatchObject({
      by: g.a.id,
      key: toHex(inviteKeyPair(secret).publicKey),
      usedBy: [n.id]
    });
  });

  it('[INV-2] a proof seen on the wire cannot be reused by someone else → bad-invite-proof', () => {
    const g = withInvite({ singleUse: false });
    const n = new Device(9);
    const stolen = proofFor(g, n);
    applyWith(g, n, stolen);
    const thief = new Device(10);
    expect(g.s.verdict(applyWith(g, thief, stolen))?.reason).toBe('bad-invite-proof');
    expect(
      g.s.verdict(
        applyWith(g, new Device(11), proofFor(g, new Device(11), new Uint8Array(32).fill(1)))
      )?.reason
    ).toBe('bad-invite-proof');
  });

  it('[INV-2] single-use invites work once → invite-used; expired → invite-expired; revoked → invite-revoked', () => {
    const g = withInvite();
    applyWith(g, new Device(9), proofFor(g, new Device(9)));
    const second = new Device(10);
    expect(g.s.verdict(applyWith(g, second, proofFor(g, second)))?.reason).toBe('invite-used');

    const e = withInvite({ singleUse: false, expires: T0 + DAY });
    for (const d of [e.b, e.c])
      e.s.write(d, Kind.Comment, P.comment(e.s.genesis), { time: T0 + 2 * DAY });
    const late = new Device(12);
    expect(e.s.verdict(applyWith(e, late, proofFor(e, late)))?.reason).toBe('invite-expired');

    const r = withInvite({ singleUse: false });
    r.s.write(
      r.s.founder,
      Kind.RevokeInvite,
      map({ inv: Uint8Array.from(Buffer.from(r.invite, 'hex')) })
    );
    const after = new Device(13);
    expect(r.s.verdict(applyWith(r, after, proofFor(r, after)))?.reason).toBe('invite-revoked');
  });

  it('[INV-3] only the inviter or a leader revokes; people on probation cannot invite', () => {
    const g = withInvite();
    expect(
      g.s.verdict(
        g.s.write(
          g.c,
          Kind.RevokeInvite,
          map({ inv: Uint8Array.from(Buffer.from(g.invite, 'hex')) })
        )
      )?.reason
    ).toBe('not-leader');
    const n = new Device(9);
    g.s.admit(n, [g.s.founder, g.a, g.b]);
    expect(
      g.s.verdict(
        g.s.write(
          n,
          Kind.Invite,
          map({ ik: inviteKeyPair(secret).publicKey, exp: T0 + DAY, one: 1 })
        )
      )?.reason
    ).toBe('tier-too-low');
  });

  it('[INV-3] an invited applicant is admitted by the usual vote; an application without an invite is still possible, marked as such', () => {
    const g = withInvite();
    const n = new Device(9);
    const app = applyWith(g, n, proofFor(g, n));
    const p = g.s.write(g.a, Kind.Propose, P.admit(app));
    for (const v of [g.s.founder, g.a, g.b]) g.s.write(v, Kind.Ballot, P.ballot(p, 1));
    g.s.write(g.a, Kind.Close, P.close(p));
    const st = g.s.state();
    expect(st.members[n.id]?.status).toBe('active');
    const walkIn = g.s.write(new Device(20), Kind.Apply, P.apply());
    expect(g.s.state().applications[walkIn]?.invite).toBeNull();
  });
});
