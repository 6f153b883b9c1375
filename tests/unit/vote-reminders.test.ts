import { describe, expect, it } from 'vitest';
import {
  reminderPlan,
  replyRecipient,
  VOTE_REMINDER_SECONDS
} from '../../src/lib/core/notify/reminders';
import { DAY, Kind, P, standardGroup } from '../kit/ledger-kit';

describe('vote reminders', () => {
  it('[PUSH-16] one reminder a day before each open vote I may vote on and have not; withdrawn once I vote or it closes; none when already within the day', () => {
    const { s, a, b } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    let st = s.state();
    const deadline = st.proposals[p]!.deadline;
    const now = s.time;
    expect(deadline - now).toBeGreaterThan(VOTE_REMINDER_SECONDS);
    expect(reminderPlan(st, b.id, now, [])).toEqual({
      add: [{ proposal: p, at: deadline - VOTE_REMINDER_SECONDS }],
      withdraw: []
    });
    // Asked for once: nothing more.
    expect(reminderPlan(st, b.id, now, [p])).toEqual({ add: [], withdraw: [] });
    // Within the last day: the person is looking at the app now, no reminder.
    expect(reminderPlan(st, b.id, deadline - VOTE_REMINDER_SECONDS + 1, []).add).toEqual([]);
    // Not someone who may vote: nothing.
    expect(reminderPlan(st, 'ff'.repeat(32), now, []).add).toEqual([]);
    // b votes: withdrawn.
    s.write(b, Kind.Ballot, P.ballot(p, 1));
    st = s.state();
    expect(reminderPlan(st, b.id, now, [p])).toEqual({ add: [], withdraw: [p] });
    // Closed: withdrawn too.
    s.time += 8 * DAY;
    s.write(a, Kind.Close, P.close(p));
    expect(reminderPlan(s.state(), a.id, s.time, [p]).withdraw).toEqual([p]);
  });

  it('[PUSH-16] a post wakes the author of the post it replies to, else whoever opened the conversation, never its writer', () => {
    const posts = [
      { id: 'p1', author: 'sam' },
      { id: 'p2', author: 'ana' }
    ];
    const base = { me: 'rowan', opener: 'sam', posts };
    expect(replyRecipient({ ...base, replyTo: 'p2' })).toBe('ana');
    expect(replyRecipient({ ...base, replyTo: undefined })).toBe('sam');
    expect(replyRecipient({ ...base, me: 'ana', replyTo: 'p2' })).toBeUndefined();
    expect(replyRecipient({ ...base, me: 'sam', replyTo: undefined })).toBeUndefined();
    // A reply to a post this phone has not got: nobody (not the opener by mistake).
    expect(replyRecipient({ ...base, replyTo: 'p9' })).toBeUndefined();
  });
});
