import { describe, expect, it } from 'vitest';
import {
  emergenciesInForce,
  lineDiff,
  pausedUntil,
  voteProgress
} from '../../src/lib/core/group/explain';
import type { GroupState } from '../../src/lib/core/governance/state';
import { progressWords } from '../../src/lib/ui/words';
import {
  CATEGORIES,
  KIND_RULE_TEMPLATES,
  RULE_TEMPLATES,
  rulesFromTemplates,
  templatesFor
} from '../../src/lib/core/group/templates';
import { readFileSync } from 'node:fs';
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

  it('[APP-5] eating disorders, addiction recovery, grief and trauma groups are offered the safety rules they need, after the general ones; other kinds only the general ones; every rule has its words in every language', () => {
    const ids = (kind: string | undefined) => templatesFor(kind).map((t) => t.id);
    const general = RULE_TEMPLATES.map((t) => t.id);
    expect(ids('Eating disorders')).toEqual([...general, 'ed_numbers', 'ed_advice']);
    expect(ids('Addiction recovery')).toEqual([...general, 'add_use', 'add_slips']);
    expect(ids('Grief and loss')).toEqual([...general, 'grief_time', 'grief_dates']);
    expect(ids('PTSD recovery')).toEqual([...general, 'trauma_cw', 'trauma_ask', 'trauma_pause']);
    for (const other of [
      'Anxiety support',
      'Goal setting',
      '',
      undefined,
      'constructor',
      '__proto__'
    ])
      expect(ids(other)).toEqual(general);
    // What each asks, in the words a member reads.
    const ed = rulesFromTemplates(ids('Eating disorders'), '', templatesFor('Eating disorders'));
    expect(ed).toMatch(/^5\. No numbers: .*weights, calories, sizes/m);
    expect(ed).toMatch(/^6\. No diet or exercise advice: .*compare bodies/m);
    const recovery = templatesFor('Addiction recovery');
    expect(rulesFromTemplates(['add_use'], '', recovery)).toMatch(
      /never help anyone get alcohol or drugs/
    );
    // Every kind named is a kind the founder can pick; every rule has its messages, and the
    // English message is the core's own text (the words sealed into an English group).
    const kinds = Object.values(CATEGORIES).flat() as string[];
    for (const kind of Object.keys(KIND_RULE_TEMPLATES)) expect(kinds).toContain(kind);
    for (const lang of ['en', 'es', 'ar']) {
      const words = JSON.parse(readFileSync(`messages/${lang}.json`, 'utf8')) as Record<
        string,
        string
      >;
      for (const t of [...RULE_TEMPLATES, ...Object.values(KIND_RULE_TEMPLATES).flat()]) {
        expect(words[`rule_${t.id}_title`], `${lang} ${t.id}`).toBeTruthy();
        expect(words[`rule_${t.id}_text`], `${lang} ${t.id}`).toBeTruthy();
        if (lang === 'en') {
          expect(words[`rule_${t.id}_title`]).toBe(t.title);
          expect(words[`rule_${t.id}_text`]).toBe(t.text);
        }
      }
    }
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
      yesNeeded: 1,
      // In people [#24]: 0 of 4 have voted; weight 5 needs at least two of them (3 + 3 ≥ 5).
      voted: 0,
      members: 4,
      quorumPeople: 2,
      yesPeople: 1
    });
    expect(v.closable).toBe(false);
    s.write(c, Kind.Ballot, P.ballot(p, 0));
    s.write(a, Kind.Ballot, P.ballot(p, 1));
    st = s.state();
    v = voteProgress(st.proposals[p]!, st.groupTime);
    // yes 3, no 2: passing (3 > 50% of 5); 5 taken part reaches the quorum.
    expect(v).toMatchObject({
      participation: 5,
      quorumNeeded: 0,
      yesNeeded: 0,
      passingNow: true,
      voted: 2,
      members: 4,
      quorumPeople: 0,
      yesPeople: 0
    });
    expect(v.closable).toBe(false); // 6 more weight could still vote no
    s.write(b, Kind.Ballot, P.ballot(p, 1));
    st = s.state();
    expect(voteProgress(st.proposals[p]!, st.groupTime).closable).toBe(true); // 6 vs 2 + 3 left
    expect(voteProgress(st.proposals[p]!, T0 + 30 * DAY).secondsLeft).toBe(0);
  });

  it('[APP-6] vote progress in people: a one-member group reads "0 of 1" and "at least 1", never weights as heads; a vote that the members left cannot carry says so', () => {
    const one = (
      ballots: { member: string; choice: number }[],
      electorate: Record<string, number>,
      tally: object | null = null
    ) =>
      voteProgress(
        {
          rules: { method: 'majority', quorum: 50, threshold: 50 },
          electorate,
          ballots,
          tally,
          status: 'voting',
          deadline: 100
        } as unknown as Parameters<typeof voteProgress>[0],
        0
      );
    // The founder alone, weight 3: the old words said "0 of 3 … 2 more needed".
    expect(one([], { founder: 3 })).toMatchObject({
      voted: 0,
      members: 1,
      quorumNeeded: 2,
      quorumPeople: 1,
      yesPeople: 1
    });
    const words = progressWords(
      { status: 'voting', rules: { method: 'majority', quorum: 50, threshold: 50 } } as never,
      one([], { founder: 3 })
    );
    expect(words[0]).toBe(
      'Members who have voted: 0 of 1. Votes of longer-standing members weigh more.'
    );
    expect(words[1]).toMatch(/^Members who still need to vote for it to count: at least 1 /);
    expect(words.slice(0, 3).join(' ')).not.toMatch(/\b[23]\b/);
    // One heavy "no" that the one member left cannot outweigh.
    const stuck = one(
      [{ member: 'a', choice: 0 }],
      { a: 3, b: 1 },
      { yes: 0, no: 3, abstain: 0, electorateWeight: 4, participation: 3, passed: false }
    );
    expect(stuck).toMatchObject({ voted: 1, members: 2, yesPeople: null });
    const said = progressWords(
      { status: 'voting', rules: { method: 'majority', quorum: 50, threshold: 50 } } as never,
      { ...stuck, passingNow: false }
    );
    expect(said).toContain(
      'If it closed with the votes left, it could not pass unless someone changes their vote.'
    );
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
