import { describe, expect, it } from 'vitest';
import type { ThreadRecord } from '../../src/lib/core/governance/state';
import { mayRead, newsCount, threadUnread } from '../../src/lib/core/notify/unread';
import { DAY, Device, Kind, P, standardGroup } from '../kit/ledger-kit';

const thread = (by: string, members?: string[]): ThreadRecord => ({
  id: 't1',
  by,
  doc: 'doc',
  title: 'x',
  topic: '',
  cw: null,
  time: 0,
  private: members ? { purpose: 'care', members, nonce: '', keyId: '', boxes: {} } : null
});

describe('unread marks', () => {
  it("[PUSH-23] a group's news for a member: others' proposals, comments and outcomes count; their ballots, their own writing and refused entries do not", () => {
    const { s, a, b, c } = standardGroup();
    const start = newsCount(s.state(), b.id);
    const p = s.write(a, Kind.Propose, P.propose('general'));
    expect(newsCount(s.state(), b.id)).toBe(start + 1);
    // a does not see their own proposal as news.
    expect(newsCount(s.state(), a.id)).toBe(newsCount(s.state(), b.id) - 1);
    s.write(c, Kind.Comment, P.comment(p, 'Yes please'));
    expect(newsCount(s.state(), b.id)).toBe(start + 2);
    // Ballots are not news; b's own comment is not news to b.
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.write(b, Kind.Comment, P.comment(p, 'Mine'));
    expect(newsCount(s.state(), b.id)).toBe(start + 2);
    s.time += 8 * DAY;
    s.write(a, Kind.Close, P.close(p));
    s.write(a, Kind.Outcome, P.outcome(p));
    expect(newsCount(s.state(), b.id)).toBe(start + 3);
    // A comment refused by the ledger (c is not the proposer or a leader: its outcome is refused).
    s.write(c, Kind.Outcome, P.outcome(p));
    expect(newsCount(s.state(), b.id)).toBe(start + 3);
  });

  it("[PUSH-23] an outsider's junk (proposals, comments, conversations, emergencies, applications without an invitation) raises no member's mark, however much of it", () => {
    const { s, b } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    const before = newsCount(s.state(), b.id);
    for (let i = 0; i < 50; i++) {
      const outsider = new Device(7_000 + i);
      s.write(outsider, Kind.Propose, P.propose('general'));
      s.write(outsider, Kind.Comment, P.comment(p, `junk ${i}`));
    }
    const st = s.state();
    // All hundred are in the ledger, refused as written by no member.
    expect(st.audit.filter((a) => a.reason === 'unknown-author').length).toBe(100);
    expect(newsCount(st, b.id)).toBe(before);
  });

  it('[PUSH-23] a conversation is new to whoever has never read it, unless they opened it; then it counts the posts by others since; a private one only its members read', () => {
    expect(threadUnread(thread('sam'), 'rowan', undefined, undefined)).toBe('new');
    expect(threadUnread(thread('rowan'), 'rowan', undefined, 3)).toBe(0);
    expect(threadUnread(thread('sam'), 'rowan', 2, 5)).toBe(3);
    expect(threadUnread(thread('sam'), 'rowan', 5, 5)).toBe(0);
    // Not loaded yet: no count rather than a guess.
    expect(threadUnread(thread('sam'), 'rowan', 2, undefined)).toBe(0);
    expect(mayRead(thread('sam'), 'rowan')).toBe(true);
    expect(mayRead(thread('sam', ['sam', 'kim']), 'rowan')).toBe(false);
    expect(mayRead(thread('sam', ['sam', 'rowan']), 'rowan')).toBe(true);
    expect(mayRead(undefined, 'rowan')).toBe(false);
  });
});
