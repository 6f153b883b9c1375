import { describeExecution } from '../../src/lib/core/governance/state';
import { describe, expect, it } from 'vitest';
import { derive, stateHash } from '../../src/lib/core/governance/derive';
import { DAY, Device, Kind, P, Scenario } from '../kit/ledger-kit';

describe('governance basics', () => {
  it('[GOV-1] a genesis founds the group: founder is leader, co-founders get their tiers', () => {
    const a = new Device(1);
    const s = new Scenario([[a, 'senior']]);
    const st = s.state();
    expect(st.name).toBe('Circle');
    expect(st.members[s.founder.id]?.tier).toBe('leader');
    expect(st.members[a.id]?.tier).toBe('senior');
    expect(st.rules).toMatchObject({ text: 'Be kind.', version: 1 });
    expect(st.treasury.balance).toBe(100);
    expect(st.audit.every((r) => r.verdict === 'applied')).toBe(true);
  });

  it('[GOV-8][GOV-3] an admission passes by vote and the reducer executes it at the close', () => {
    const a = new Device(1);
    const newcomer = new Device(2);
    const s = new Scenario([[a, 'senior']]);
    const close = s.admit(newcomer, [s.founder, a]);
    const st = s.state();
    const m = st.members[newcomer.id]!;
    expect(m).toMatchObject({ tier: 'new', admittedBy: close, status: 'active' });
    expect(m.probationEnd).toBe(m.admittedAt + 30 * DAY);
    const proposal = Object.values(st.proposals)[0]!;
    expect(proposal).toMatchObject({
      status: 'passed',
      execution: { code: 'admitted' },
      closedBy: close
    });
    expect(describeExecution(proposal.execution!)).toBe('admitted as a new member');
    expect(proposal.tally).toMatchObject({ yes: 6, no: 0, quorumReached: true, passed: true });
  });

  it('[GOV-6] a close before the deadline that could still change is ignored (not-decided)', () => {
    const a = new Device(1);
    const b = new Device(2);
    const s = new Scenario([
      [a, 'senior'],
      [b, 'senior']
    ]);
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    s.write(s.founder, Kind.Ballot, P.ballot(p, 1));
    const early = s.write(s.founder, Kind.Close, P.close(p));
    expect(s.verdict(early)?.reason).toBe('not-decided');
    // Once witnessed time passes the deadline, it can be closed.
    s.time += 8 * DAY;
    s.write(a, Kind.Comment, P.comment(p));
    s.write(b, Kind.Comment, P.comment(p));
    const late = s.write(s.founder, Kind.Close, P.close(p));
    const st = s.state();
    expect(s.verdict(late, st)?.verdict).toBe('applied');
    expect(st.proposals[p]?.status).toBe('failed'); // 3 of 9 weight: no quorum (40%)
  });

  it('[LED-10] the same entries in any order give the same state hash', () => {
    const a = new Device(1);
    const s = new Scenario([[a, 'senior']]);
    s.admit(new Device(2), [s.founder, a]);
    const list = [...s.entries.values()];
    const h1 = stateHash(s.state());
    expect(stateHash(derive([...list].reverse(), { groupId: s.groupId }))).toBe(h1);
  });
});

describe('A derive in slices', () => {
  it('[SNK-5] a derive that pauses between slices (so a slow phone can paint) gives the same state as one in a single go', async () => {
    const { bigGroup } = await import('../kit/big-group');
    const { Ledger } = await import('../../src/lib/core/governance/derive');
    const g = bigGroup(700);
    const whole = new Ledger({ groupId: g.groupId });
    whole.addAll(g.entries);
    const sliced = new Ledger({ groupId: g.groupId });
    let pauses = 0;
    await sliced.addAllSliced(g.entries, () => {
      pauses++;
      return Promise.resolve();
    });
    expect(pauses).toBeGreaterThan(3);
    expect(stateHash(sliced.state)).toBe(stateHash(whole.state));
    // Nothing new: no derive, no pause.
    await sliced.addAllSliced(g.entries, () => {
      pauses++;
      return Promise.resolve();
    });
    expect(stateHash(sliced.state)).toBe(stateHash(whole.state));
  });
});
