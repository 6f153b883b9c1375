import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { derive } from '../../src/lib/core/governance/derive';
import type { GroupSession } from '../../src/lib/core/group/session';
import { entryId } from '../../src/lib/core/ledger/envelope';
import { Device, DAY, Kind, P, T0 } from '../kit/ledger-kit';
import { crowd, Net } from '../kit/session-kit';

/**
 * Writer ⇔ reader [APP-1, RED-25]: whatever a phone has seen — many concurrent heads, junk from
 * outsiders (dated ahead, built on old heads), partitions — every entry GroupSession writes for an
 * honest action is applied by a fresh reader that holds what the writer held. Actions are only
 * those the app offers in that state (a vote on an open proposal one may vote on, a proposal, a
 * consent, a delegation to a member), so a refusal would be the group's own rules refusing an
 * honest action without the app having said why.
 */
type Step =
  | { t: 'act'; who: number; what: number; arg: number }
  | { t: 'junk'; n: number; old: boolean }
  | { t: 'sync'; mask: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('act' as const),
      who: fc.nat(7),
      what: fc.nat(5),
      arg: fc.nat(20)
    })
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('junk' as const), n: fc.nat(20), old: fc.boolean() })
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sync' as const), mask: fc.nat(255) }) }
);

function act(s: GroupSession, what: number, arg: number, now: number): Uint8Array[] {
  const st = s.state;
  const open = Object.values(st.proposals).filter(
    (p) => p.status === 'voting' && s.me in p.electorate
  );
  const others = Object.values(st.members).filter((m) => m.status === 'active' && m.id !== s.me);
  switch (what) {
    case 0:
      return s.propose({ type: 'general', text: `idea ${arg}` }, now);
    case 1:
    case 2: {
      const p = open[arg % Math.max(1, open.length)];
      return p ? s.vote(p.id, (arg % 3) as 0 | 1 | 2, '', now) : s.consent(null, true, now);
    }
    case 3: {
      const to = others[arg % Math.max(1, others.length)];
      return to ? s.delegate('all', to.id, now) : [];
    }
    case 4: {
      const p = open[arg % Math.max(1, open.length)];
      return p ? s.comment(p.id, `comment ${arg}`, now) : [];
    }
    default:
      return s.consent(null, arg % 2 === 0, now);
  }
}

describe('writer ⇔ reader', () => {
  it('[RED-25] [APP-1] every entry a phone writes for an honest action is applied by a fresh reader of what that phone held', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 10, maxLength: 60 }), (steps) => {
        const net = new Net();
        const { groupId, sessions } = crowd(net, 8);
        // Each phone holds its own set of entries; `sync` shares them within a partition.
        const held = sessions.map(() => new Map(net.entries));
        let now = T0;
        let junkSeq = 0;
        for (const st of steps) {
          now += 60;
          if (st.t === 'act') {
            const i = st.who % sessions.length;
            const s = sessions[i]!;
            const written = act(s, st.what, st.arg, now);
            if (written.length === 0) continue;
            for (const b of written) held[i]!.set(entryId(b), b);
            const reader = derive(held[i]!.values(), { groupId });
            for (const b of written) {
              const r = reader.audit.find((a) => a.id === entryId(b));
              expect(r, `written by ${i}`).toMatchObject({ verdict: 'applied' });
            }
          } else if (st.t === 'junk') {
            // An outsider signs entries dated a year ahead on the heads a phone has (or on the
            // genesis), ids sorting anywhere, and gives them to that phone.
            const i = st.n % sessions.length;
            const heads = st.old ? [sessions[0]!.state.audit[0]!.id] : sessions[i]!.state.heads;
            for (let k = 0; k < 4 + (st.n % 16); k++) {
              const j = new Device(50_000 + junkSeq++).write(
                groupId,
                Kind.Consent,
                P.consent(undefined, true),
                heads,
                now + 365 * DAY
              );
              held[i]!.set(j.id, j.bytes);
              sessions[i]!.addAll([j.bytes]);
            }
          } else {
            const group = sessions.map((_, i) => i).filter((i) => (st.mask >> i) & 1);
            const pool = new Map<string, Uint8Array>();
            for (const i of group) for (const [id, b] of held[i]!) pool.set(id, b);
            for (const i of group) {
              for (const [id, b] of pool) held[i]!.set(id, b);
              sessions[i]!.addAll(pool.values());
            }
          }
        }
        // Nobody honest was ever frozen.
        const all = new Map<string, Uint8Array>();
        for (const h of held) for (const [id, b] of h) all.set(id, b);
        const final = derive(all.values(), { groupId });
        const honest = new Set(sessions.map((s) => s.device.id));
        const broken = final.audit.filter(
          (a) =>
            a.author !== null &&
            honest.has(a.author) &&
            ['bad-seq', 'bad-backlink', 'frozen-device', 'equivocation'].includes(a.reason ?? '')
        );
        expect(broken).toEqual([]);
      }),
      { numRuns: Number(process.env.WRITER_READER_RUNS ?? 40) }
    );
  }, 300_000);
});
