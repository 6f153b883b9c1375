import { describe, expect, it } from 'vitest';
import {
  MAX_MENTIONS,
  mentioned,
  plannedKey,
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
      add: [{ key: p, kind: 'vote', proposal: p, at: deadline - VOTE_REMINDER_SECONDS }],
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

  it("[PUSH-21] a decision with a review date: one reminder to each active member on that date; a new date replaces it; a check-in request's second wake is not this plan's to withdraw", () => {
    const { s, a, b, c } = standardGroup();
    const p = s.write(a, Kind.Propose, P.propose('general'));
    for (const v of [s.founder, a, b, c]) s.write(v, Kind.Ballot, P.ballot(p, 1));
    s.time += 8 * DAY;
    s.write(a, Kind.Close, P.close(p));
    const review = s.time + 30 * DAY;
    s.write(a, Kind.Outcome, P.outcome(p, 'Thursdays it is', review));
    const st = s.state();
    expect(st.proposals[p]!.outcome?.review).toBe(review);
    const key = `review:${p}:${review}`;
    for (const who of [a, b, c])
      expect(reminderPlan(st, who.id, s.time, [])).toEqual({
        add: [{ key, kind: 'review', proposal: p, at: review }],
        withdraw: []
      });
    // Kept once asked; someone not a member gets none; past the date, nothing more is asked.
    expect(reminderPlan(st, b.id, s.time, [key])).toEqual({ add: [], withdraw: [] });
    expect(reminderPlan(st, 'ff'.repeat(32), s.time, []).add).toEqual([]);
    expect(reminderPlan(st, b.id, review, [key])).toEqual({ add: [], withdraw: [key] });
    // A new date: the old reminder is withdrawn and the new one asked for.
    const later = review + 10 * DAY;
    s.write(a, Kind.Outcome, P.outcome(p, 'Thursdays, then we see', later));
    expect(reminderPlan(s.state(), b.id, s.time, [key])).toEqual({
      add: [{ key: `review:${p}:${later}`, kind: 'review', proposal: p, at: later }],
      withdraw: [key]
    });
    // Wakes this plan does not make are left alone.
    expect(plannedKey(`checkin:${p}`)).toBe(false);
    expect(reminderPlan(s.state(), b.id, s.time, [`checkin:${p}`]).withdraw).toEqual([]);
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

describe('mentions', () => {
  const members = [
    { id: 'sam', name: 'Sam' },
    { id: 'samlee', name: 'Sam Lee' },
    { id: 'ana', name: 'Ána' },
    { id: 'rowan', name: 'Rowan' },
    { id: 'noor', name: 'نور' },
    { id: 'blank', name: '  ' }
  ];
  it("[PUSH-22] an @ and a member's name mentions them: the longest name that fits, case and accents aside, ending where a word ends; never the writer", () => {
    expect(mentioned('Thank you @Sam, and @sam lee too', members, 'rowan')).toEqual([
      'sam',
      'samlee'
    ]);
    expect(mentioned('@ana and @ANA again', members, 'rowan')).toEqual(['ana']);
    // A longer word is not the name; an e-mail address is not a mention of its domain's owner.
    expect(mentioned('@Samantha, @Rowan', members, 'rowan')).toEqual([]);
    expect(mentioned('write to x@rowanmail.org', members, 'sam')).toEqual([]);
    expect(mentioned('write to x@rowan.org', members, 'sam')).toEqual([]);
    expect(mentioned('(@Rowan)', members, 'sam')).toEqual(['rowan']);
    expect(mentioned('شكرا @نور', members, 'rowan')).toEqual(['noor']);
    // No @, no mention; a blank name never matches.
    expect(mentioned('Sam and Ana', members, 'rowan')).toEqual([]);
    expect(mentioned('@ ', members, 'rowan')).toEqual([]);
  });

  it('[PUSH-22] two members with one name are both mentioned; a post wakes at most five people', () => {
    const twins = [
      { id: 'a', name: 'Kim' },
      { id: 'b', name: 'Kim' }
    ];
    expect(mentioned('@Kim', twins, 'me')).toEqual(['a', 'b']);
    const many = Array.from({ length: 9 }, (_, i) => ({ id: `m${i}`, name: `Member${i}` }));
    const all = many.map((x) => `@${x.name}`).join(' ');
    expect(mentioned(all, many, 'me')).toHaveLength(MAX_MENTIONS);
    expect(mentioned(all, many, 'me')).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
  });
});
