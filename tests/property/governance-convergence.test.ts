import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate, type Command } from '../kit/simulation';

const command = (peers: number): fc.Arbitrary<Command> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        t: fc.constant('act' as const),
        peer: fc.nat(peers - 1),
        action: fc.nat(40),
        arg: fc.nat(40),
        choice: fc.nat(12)
      })
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('sync' as const),
        from: fc.nat(peers - 1),
        to: fc.nat(peers - 1),
        seed: fc.nat()
      })
    },
    {
      weight: 5,
      arbitrary: fc.record({
        t: fc.constant('gossip' as const),
        among: fc.nat(127),
        seed: fc.nat()
      })
    },
    {
      weight: 2,
      arbitrary: fc.record({
        t: fc.constant('meeting' as const),
        closer: fc.nat(peers - 1),
        choices: fc.nat(),
        seed: fc.nat()
      })
    },
    {
      weight: 1,
      arbitrary: fc.record({
        t: fc.constant('tick' as const),
        peer: fc.nat(peers - 1),
        hours: fc.integer({ min: 1, max: 24 * 9 })
      })
    }
  );

export const scenario = fc
  .integer({ min: 3, max: 7 })
  .chain((peers) =>
    fc.tuple(fc.constant(peers), fc.array(command(peers), { minLength: 20, maxLength: 100 }))
  );

const RUNS = Number(process.env.GOVERNANCE_RUNS ?? 300);

describe('governance convergence', () => {
  it(
    '[LED-10][LED-11] 3–7 peers with partitions, reordering and duplicates reach identical states, equal to a full derive',
    () => {
      fc.assert(
        fc.property(scenario, ([peers, commands]) => {
          const out = simulate(peers, commands);
          expect(new Set(out.hashes).size).toBe(1);
          expect(out.hashes[0]).toBe(out.fullHash);
        }),
        { numRuns: RUNS }
      );
    },
    Math.max(900_000, RUNS * 400)
  );

  it('[LED-10] the generator exercises real governance (fixed seed: admissions, closes, executions)', () => {
    // A coverage check, not a property: on a fixed sample so it cannot fail by chance.
    const sample = fc.sample(scenario, { seed: 20261122, numRuns: 200 });
    let closed = 0;
    let admitted = 0;
    let muted = 0;
    let appealed = 0;
    let restored = 0;
    let removedDevice = 0;
    for (const [peers, commands] of sample) {
      const st = simulate(peers, commands).state;
      if (Object.values(st.proposals).some((p) => p.closedBy)) closed++;
      if (Object.values(st.proposals).some((p) => p.kind === 'admit' && p.status === 'passed'))
        admitted++;
      if (Object.keys(st.mutes).length > 0) muted++;
      if (Object.values(st.proposals).some((p) => p.kind === 'appeal')) appealed++;
      const applied = (kind: string) =>
        st.audit.some((a) => a.kind === kind && a.verdict === 'applied');
      if (applied('DeviceAdd')) restored++;
      if (applied('DeviceRemove')) removedDevice++;
    }
    expect(closed).toBeGreaterThan(10);
    expect(admitted).toBeGreaterThan(0);
    // Moderation [SAFE-22, SAFE-23] is in the mix too.
    expect(muted).toBeGreaterThan(0);
    expect(appealed).toBeGreaterThan(0);
    // Devices added from backups, concurrently with their member's other writes, and removed [ID-5].
    expect(restored).toBeGreaterThan(10);
    expect(removedDevice).toBeGreaterThan(0);
  }, 300_000);
});
