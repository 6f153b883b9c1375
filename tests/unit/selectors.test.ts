import { describe, expect, it } from 'vitest';
import { commentsOn, helpedBy, proposalText } from '../../src/lib/core/governance/selectors';
import { DAY, Kind, P, standardGroup, T0 } from '../kit/ledger-kit';

describe('what screens read from a group', () => {
  it('[REP-1] "helped" marks are read per member, applied ones only: one’s own entry, or a second mark on the same, is not listed', () => {
    const { s, a, b } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const c = s.write(b, Kind.Comment, P.comment(p, 'we could meet on Sundays'));
    s.write(a, Kind.Helped, P.helped(c));
    s.write(a, Kind.Helped, P.helped(c)); // a duplicate: refused
    s.write(b, Kind.Helped, P.helped(c)); // one's own: refused
    expect(helpedBy(s.ledger(), a.id)).toEqual([c]);
    expect(helpedBy(s.ledger(), b.id)).toEqual([]);
  });

  it('[GOV-13] a proposal’s comments, in the group’s order, with their authors; comments on another proposal and refused ones are not listed', () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    const q = s.write(b, Kind.Propose, P.propose('general'));
    s.write(b, Kind.Comment, P.comment(p, 'first'), { time: T0 + DAY });
    s.write(c, Kind.Comment, P.comment(q, 'elsewhere'));
    s.write(a, Kind.Comment, P.comment(p, 'second'), { time: T0 + 2 * DAY });
    // A comment naming something that is not a proposal is refused, and not shown.
    s.write(c, Kind.Comment, P.comment(s.genesis, 'lost'));
    const list = commentsOn(s.ledger(), p);
    expect(list.map((x) => [x.author, x.text])).toEqual([
      [b.id, 'first'],
      [a.id, 'second']
    ]);
    const state = s.state();
    expect(proposalText(state.proposals[p]!)).toBe('text');
  });
});

describe('a write’s verdict', () => {
  it('[APP-13] the ledger answers what it made of one entry exactly as the audit says, for applied, refused, waiting and unreadable entries alike', () => {
    const { s, a, b } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    s.write(b, Kind.Ballot, P.ballot(p, 1));
    s.write(b, Kind.Comment, P.comment(s.genesis, 'not a proposal')); // refused
    s.write(a, Kind.Comment, P.comment(p, 'waits'), { prev: ['ab'.repeat(32)] }); // waiting
    const forged = s.entries.get(p)!.slice();
    forged[10] = forged[10]! ^ 1;
    s.raw(forged); // a bad signature
    const ledger = s.ledger();
    const audit = ledger.state.audit;
    expect(new Set(audit.map((r) => r.verdict))).toEqual(
      new Set(['applied', 'ignored', 'waiting'])
    );
    expect(audit.some((r) => r.reason === 'bad-signature')).toBe(true);
    for (const r of audit)
      expect(ledger.verdict(r.id), r.id).toEqual({ verdict: r.verdict, reason: r.reason });
    expect(ledger.verdict('00'.repeat(32))).toBeUndefined();
  });
});
