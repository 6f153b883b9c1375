import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../src/lib/core/governance/derive';
import { Device, Kind, P, standardGroup } from '../kit/ledger-kit';

/** A small valid history to mutate. */
function history() {
  const { s, a, b, c } = standardGroup();
  const p = s.write(a, Kind.Propose, P.propose('general'));
  for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
  s.write(b, Kind.Close, P.close(p));
  s.write(new Device(7), Kind.Apply, P.apply());
  return { s, entries: [...s.entries.values()] };
}

const mutation = fc.oneof(
  fc.record({ t: fc.constant('flip' as const), entry: fc.nat(), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ t: fc.constant('truncate' as const), entry: fc.nat(), at: fc.nat() }),
  fc.record({ t: fc.constant('splice' as const), entry: fc.nat(), other: fc.nat(), at: fc.nat() }),
  fc.record({ t: fc.constant('random' as const), bytes: fc.uint8Array({ maxLength: 300 }) })
);

describe('derive never throws', () => {
  it('[LED-2][LED-10] valid entries mixed with bit flips, truncations, splices and random bytes: no exception, valid verdicts unchanged, junk never applied', () => {
    const { s, entries } = history();
    const cleanAudit = s.state().audit;
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 12 }), (mutations) => {
        const junk = mutations.map((m) => {
          if (m.t === 'random') return m.bytes;
          const e = entries[m.entry % entries.length]!;
          const at = m.at % e.length;
          if (m.t === 'flip') {
            const out = Uint8Array.from(e);
            out[at]! ^= 1 << m.bit;
            return out;
          }
          if (m.t === 'truncate') return e.slice(0, at);
          const other = entries[m.other % entries.length]!;
          return Uint8Array.of(...e.slice(0, at), ...other.slice(at));
        });
        const ledger = new Ledger({ groupId: s.groupId });
        expect(() => {
          for (const bytes of [...junk, ...entries]) ledger.add(bytes);
          void ledger.state;
        }).not.toThrow();
        // Junk never changes what the valid entries mean, and no junk is ever applied.
        const withJunk = new Map(ledger.state.audit.map((r) => [r.id, r]));
        for (const r of cleanAudit) expect(withJunk.get(r.id)).toEqual(r);
        const cleanIds = new Set(cleanAudit.map((r) => r.id));
        for (const r of ledger.state.audit)
          if (!cleanIds.has(r.id)) expect(r.verdict).not.toBe('applied');
      }),
      { numRuns: 300 }
    );
  });
});
