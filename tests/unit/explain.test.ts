import { describe, expect, it } from 'vitest';
import {
  emergenciesInForce,
  lineDiff,
  pausedUntil,
  voteProgress
} from '../../src/lib/core/group/explain';
import type { GroupState } from '../../src/lib/core/governance/state';
import { CATEGORIES, RULE_TEMPLATES, rulesFromTemplates } from '../../src/lib/core/group/templates';
import { DAY, Kind, P, standardGroup, T0 } from '../kit/ledger-kit';

describe('what the screens say', () => {
  it('[APP-5] rules come from the chosen templates, numbered, plus the founder’s own; three kinds of groups', () => {
    expect(Object.keys(CATEGORIES)).toEqual([
      'Condition-specific',
      'Life situation',
      'Skill-building'
    ]);
    expect(RULE_TEMPLATES.map((t) => t.id)).toEqual([
      'language',
      'boundaries',
      'confidentiality',
      'crisis'
    ]);
    const text = rulesFromTemplates(['crisis', 'language'], '  No advice about medication. ');
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^1\. Supportive language: /),
      expect.stringMatching(/^2\. What to do in a crisis: /),
      '3. No advice about medication.'
    ]);
    expect(rulesFromTemplates([])).toBe('');
  });

  it('[APP-6] vote progress: weight still needed for quorum and to pass, closable once decided or past the deadline', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    let st = s.state();
    let v = voteProgress(st.proposals[p]!, st.groupTime);
    // Electorate: leader 3 + two seniors 3 + regular 2 = 11; quorum 40% → 5 (4.4 rounded up).
    expect(v).toMatchObject({
      participation: 0,
      electorateWeight: 11,
      quorumNeeded: 5,
      yesNeeded: 1
    });
    expect(v.closable).toBe(false);
    s.write(c, Kind.Ballot, P.ballot(p, 0));
    s.write(a, Kind.Ballot, P.ballot(p, 1));
    st = s.state();
    v = voteProgress(st.proposals[p]!, st.groupTime);
    // yes 3, no 2: passing (3 > 50% of 5); 5 taken part reaches the quorum.
    expect(v).toMatchObject({ participation: 5, quorumNeeded: 0, yesNeeded: 0, passingNow: true });
    expect(v.closable).toBe(false); // 6 more weight could still vote no
    s.write(b, Kind.Ballot, P.ballot(p, 1));
    st = s.state();
    expect(voteProgress(st.proposals[p]!, st.groupTime).closable).toBe(true); // 6 vs 2 + 3 left
    expect(voteProgress(st.proposals[p]!, T0 + 30 * DAY).secondsLeft).toBe(0);
  });

  it('[APP-6] the rules diff shows added and removed lines and keeps the rest', () => {
    expect(lineDiff('a\nb\nc', 'a\nc\nd')).toEqual([
      { kind: 'same', line: 'a' },
      { kind: 'removed', line: 'b' },
      { kind: 'same', line: 'c' },
      { kind: 'added', line: 'd' }
    ]);
    expect(lineDiff('', 'x')).toEqual([
      { kind: 'removed', line: '' },
      { kind: 'added', line: 'x' }
    ]);
  });
});

describe('Emergency actions on screen', () => {
  it('[GOV-11] [APP-7] in force: ratified ones, and active ones until their time is up; a paused member knows until when', () => {
    const base = { by: 'L', action: 'mute' as const, reason: 'why', start: 100, ratifiedBy: null };
    const state = {
      emergencies: {
        a: { ...base, id: 'a', target: 'S', expiresAt: 200, status: 'active' as const },
        b: { ...base, id: 'b', target: 'T', expiresAt: 150, status: 'ratified' as const },
        c: { ...base, id: 'c', target: 'S', expiresAt: 120, status: 'expired' as const },
        d: {
          ...base,
          id: 'd',
          action: 'hide' as const,
          target: 'E',
          expiresAt: 300,
          status: 'active' as const
        }
      }
    } as unknown as GroupState;
    expect(
      emergenciesInForce(state, 180)
        .map((a) => a.id)
        .sort()
    ).toEqual(['a', 'b', 'd']);
    expect(
      emergenciesInForce(state, 250)
        .map((a) => a.id)
        .sort()
    ).toEqual(['b', 'd']);
    expect(pausedUntil(state, 'S', 180)).toBe(200);
    expect(pausedUntil(state, 'S', 250)).toBe(0);
    expect(pausedUntil(state, 'T', 250)).toBe(Infinity);
    expect(pausedUntil(state, 'E', 180)).toBe(0);
  });
});
