import { describe, expect, it } from 'vitest';
import { verifyStrict as verify } from '../../src/lib/core/crypto/ed25519';
import type { GroupSession } from '../../src/lib/core/group/session';
import { entryId, signedMessage, type Entry } from '../../src/lib/core/ledger/envelope';
import { activeMute, responders } from '../../src/lib/core/governance/safety';
import { isModerator, readThread, threadTip } from '../../src/lib/core/space/thread';
import { T0 } from '../kit/ledger-kit';
import { found, join, Net } from '../kit/session-kit';

describe('Moderation in layers', () => {
  it('[SAFE-17] reports from three different members hide a post pending review; one member counts once; reasons, not words', () => {
    const { founder, sam, ana, lee, thread, add, tip, read } = group();
    const post = add(sam.post(thread, tip(sam), { text: 'buy my course' }, T0 + 400));
    add(ana.report(thread, tip(ana), post, 'spam', T0 + 410));
    add(ana.report(thread, tip(ana), post, 'spam', T0 + 411)); // again: counted once
    expect(read(lee).posts[0]).toMatchObject({ standing: 'visible', reporters: [ana.me] });
    add(lee.report(thread, tip(lee), post, 'spam', T0 + 420));
    expect(read(lee).posts[0]!.standing).toBe('visible');
    // The author cannot report their own post to get it hidden (nor is that a report).
    const own = add(sam.report(thread, tip(sam), post, 'other', T0 + 425));
    expect(read(lee).posts[0]!.standing).toBe('visible');
    add(founder.report(thread, tip(founder), post, 'harassment', T0 + 430));
    const seen = read(sam);
    expect(seen.posts[0]).toMatchObject({
      standing: 'pending-review',
      reportReasons: ['spam', 'spam', 'harassment']
    });
    expect(seen.posts[0]!.reporters.sort()).toEqual([ana.me, lee.me, founder.me].sort());
    const reasons = Object.fromEntries(seen.ignored.map((i) => [i.id, i.reason]));
    expect(reasons[own]).toBe('not-entitled');
    expect(Object.values(reasons)).toContain('duplicate');
    // A group with a stricter policy hides at two.
    add(sam.post(thread, tip(sam), { text: 'second' }, T0 + 440));
    const second = read(sam).posts[1]!.id;
    add(ana.report(thread, tip(ana), second, 'off-topic', T0 + 450));
    add(lee.report(thread, tip(lee), second, 'off-topic', T0 + 451));
    expect(read(sam, 2).posts[1]!.standing).toBe('pending-review');
    expect(read(sam).posts[1]!.standing).toBe('visible');
  });

  it('[SAFE-18] a moderator removes, hides behind a warning, warns with a note, reinstates; each is a signed entry in the public log; a member who does not moderate is ignored', () => {
    const { founder, sam, ana, lee, thread, add, tip, read } = group();
    const post = add(sam.post(thread, tip(sam), { text: 'MARK-CONTENT' }, T0 + 400));
    for (const [s, t] of [
      [ana, 410],
      [lee, 411],
      [founder, 412]
    ] as const)
      add(s.report(thread, tip(s), post, 'harassment', T0 + t));
    expect(read(ana).posts[0]!.standing).toBe('pending-review');

    // Ana is not a moderator: her "reinstate" changes nothing.
    const notMine = add(
      ana.moderate(thread, tip(ana), { post, act: 'reinstate', reason: 'other' }, T0 + 420)
    );
    const r0 = read(lee);
    expect(r0.posts[0]!.standing).toBe('pending-review');
    expect(r0.ignored.find((i) => i.id === notMine)?.reason).toBe('not-moderator');

    add(
      founder.moderate(
        thread,
        tip(founder),
        { post, act: 'hide', reason: 'harassment', note: 'Contains a personal attack' },
        T0 + 430
      )
    );
    const r1 = read(lee);
    expect(r1.posts[0]!.standing).toBe('hidden');
    expect(lee.open(r1.posts[0]!.decision!.note!)).toBe('Contains a personal attack');

    add(
      founder.moderate(
        thread,
        tip(founder),
        { post, act: 'remove', reason: 'harassment' },
        T0 + 440
      )
    );
    expect(read(lee).posts[0]!.standing).toBe('removed');

    add(
      founder.moderate(
        thread,
        tip(founder),
        { post, act: 'reinstate', reason: 'other', note: undefined },
        T0 + 450
      )
    );
    // Reinstated: earlier reports are settled; new ones count again from zero.
    const r2 = read(lee);
    expect(r2.posts[0]).toMatchObject({ standing: 'visible', reporters: [] });
    add(
      founder.moderate(
        thread,
        tip(founder),
        { post, act: 'warn', reason: 'harassment', note: 'Please keep replies kind' },
        T0 + 460
      )
    );
    const r3 = read(sam);
    expect(r3.posts[0]!.standing).toBe('visible');
    expect(sam.open(r3.posts[0]!.decision!.note!)).toBe('Please keep replies kind');
    // The log: who, what, why — and no content.
    expect(r3.log.map((l) => [l.act, l.reason, l.by])).toEqual([
      ['hide', 'harassment', founder.me],
      ['remove', 'harassment', founder.me],
      ['reinstate', 'other', founder.me],
      ['warn', 'harassment', founder.me]
    ]);
    expect(JSON.stringify(r3.log.map(({ note: _, ...rest }) => rest))).not.toContain(
      'MARK-CONTENT'
    );
    // Another member's device reads the same.
    expect(read(ana).posts.map((p) => p.standing)).toEqual(r3.posts.map((p) => p.standing));
  });
});

/** Passes a proposal the founder (the only full member, so the whole electorate) votes for. */
function pass(net: Net, founder: GroupSession, proposer: GroupSession, at: number) {
  const all = () => Object.values(founder.state.proposals).filter((p) => p.status === 'voting');
  const before = new Set(all().map((p) => p.id));
  net.sync(founder);
  const proposal = all().find((p) => !before.has(p.id)) ?? all().at(-1)!;
  void proposer;
  net.put(founder.vote(proposal.id, 1, '', at));
  net.sync(founder);
  net.put(founder.close(proposal.id, at + 10));
  return proposal.id;
}

/**
 * A group of four — the founder (a leader, so a moderator) and three new members — with one
 * thread; the ledger in a Net so proposals can pass.
 */
function group() {
  const net = new Net();
  const { groupId, founder } = found(net);
  const sam = join(net, groupId, founder, 220, 'Sam').applicant;
  const ana = join(net, groupId, founder, 221, 'Ana').applicant;
  const lee = join(net, groupId, founder, 222, 'Lee').applicant;
  net.put(founder.openThread('4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U', { title: 't', topic: '' }, T0 + 300));
  net.sync(founder, sam, ana, lee);
  const thread = Object.keys(founder.state.threads)[0]!;
  const entries = new Map<string, Uint8Array>();
  const add = (bytes: Uint8Array) => {
    entries.set(entryId(bytes), bytes);
    return entryId(bytes);
  };
  const tip = (s: GroupSession) => threadTip(entries, s.device.id);
  const read = (s: GroupSession, threshold?: number) =>
    readThread({
      state: s.state,
      thread,
      entries,
      verify: (e: Entry) => verify(e.author, signedMessage(s.groupId, e.body), e.signature),
      ...(threshold ? { reportThreshold: threshold } : {})
    });
  const everyone = [founder, sam, ana, lee];
  const sync = () => net.sync(...everyone);
  const reason = (s: GroupSession, id: string) =>
    s.state.audit.find((a) => a.id === id)?.reason ?? null;
  return { net, founder, sam, ana, lee, thread, add, tip, read, sync, reason };
}

const last = (list: Uint8Array[]) => entryId(list[list.length - 1]!);

describe('Moderation decided by the group', () => {
  it('[SAFE-21] a moderation proposal sets the report threshold and names peer moderators and responders; only active members are named', () => {
    const g = group();
    const { founder, sam, ana, lee } = g;
    expect(founder.state.safety).toEqual({
      reportThreshold: 3,
      moderators: [],
      responders: [],
      checkInWaitMinutes: 30,
      unansweredHours: 24
    });
    g.net.put(
      sam.propose(
        { type: 'moderation', text: 'MARK-POLICY be gentle', threshold: 2, moderators: [ana.me] },
        T0 + 1000
      )
    );
    g.sync();
    // A newcomer may not propose the policy (probation), so the founder does.
    expect(Object.values(founder.state.proposals).filter((p) => p.kind === 'moderation')).toEqual(
      []
    );
    g.net.put(
      founder.propose(
        {
          type: 'moderation',
          text: 'MARK-POLICY be gentle',
          threshold: 2,
          moderators: [ana.me],
          responders: [lee.me]
        },
        T0 + 1000
      )
    );
    pass(g.net, founder, founder, T0 + 1010);
    g.sync();
    for (const s of [founder, sam, ana, lee])
      expect(s.state.safety).toEqual({
        reportThreshold: 2,
        moderators: [ana.me],
        responders: [lee.me],
        checkInWaitMinutes: 30,
        unansweredHours: 24
      });
    expect(isModerator(founder.state, ana.me)).toBe(true);
    expect(isModerator(founder.state, sam.me)).toBe(false);
    expect(responders(founder.state).sort()).toEqual([founder.me, lee.me].sort());

    // The threshold is the group's: two reports now hide a post; Ana, a named moderator, acts.
    const post = g.add(sam.post(g.thread, g.tip(sam), { text: 'hello' }, T0 + 1100));
    g.add(ana.report(g.thread, g.tip(ana), post, 'spam', T0 + 1110));
    expect(g.read(lee).posts[0]!.standing).toBe('visible');
    g.add(lee.report(g.thread, g.tip(lee), post, 'spam', T0 + 1111));
    expect(g.read(lee).posts[0]!.standing).toBe('pending-review');
    g.add(ana.moderate(g.thread, g.tip(ana), { post, act: 'remove', reason: 'spam' }, T0 + 1120));
    expect(g.read(sam).posts[0]!.standing).toBe('removed');

    // Naming a member removed since: they are left out.
    const fake = 'ab'.repeat(32);
    g.net.put(
      founder.propose({ type: 'moderation', text: 'again', responders: [lee.me, fake] }, T0 + 2000)
    );
    pass(g.net, founder, founder, T0 + 2010);
    g.sync();
    expect(lee.state.safety.responders).toEqual([lee.me]);
    expect(lee.state.safety.moderators).toEqual([ana.me]); // unchanged: not named this time
  });

  it('[SAFE-30] [SAFE-31] a moderation proposal sets how long a check-in request waits and when a post counts as unanswered; out-of-range values are held to the limits or refused', () => {
    const g = group();
    const { founder, lee } = g;
    g.net.put(
      founder.propose({ type: 'moderation', text: 'p', checkInWait: 10, unanswered: 6 }, T0 + 1000)
    );
    pass(g.net, founder, founder, T0 + 1010);
    g.sync();
    expect(lee.state.safety).toMatchObject({ checkInWaitMinutes: 10, unansweredHours: 6 });
    // Below the least: held to 5 minutes and 1 hour.
    g.net.put(
      founder.propose({ type: 'moderation', text: 'q', checkInWait: 1, unanswered: 0 }, T0 + 2000)
    );
    pass(g.net, founder, founder, T0 + 2010);
    g.sync();
    expect(lee.state.safety).toMatchObject({ checkInWaitMinutes: 5, unansweredHours: 1 });
    // Over a day's wait, or a week without replies: the proposal itself is refused.
    const before = Object.keys(lee.state.proposals).length;
    g.net.put(
      founder.propose({ type: 'moderation', text: 'r', checkInWait: 24 * 60 + 1 }, T0 + 3000)
    );
    g.net.put(
      founder.propose({ type: 'moderation', text: 's', unanswered: 7 * 24 + 1 }, T0 + 3001)
    );
    g.sync();
    expect(Object.keys(lee.state.proposals).length).toBe(before);
    expect(lee.state.safety).toMatchObject({ checkInWaitMinutes: 5, unansweredHours: 1 });
  });

  it('[SAFE-22] a moderator mutes a member for a period: no thread posts or comments, votes and private channels still open; a non-moderator, oneself or a higher tier cannot be muted; 0 lifts it', () => {
    const g = group();
    const { founder, sam, ana, lee } = g;
    // Ana is no moderator: her mute is ignored.
    const byAna = ana.mute(sam.me, 24, 'harassment', '', T0 + 1000);
    const notMod = last(byAna);
    g.net.put(byAna);
    g.sync();
    expect(g.reason(founder, notMod)).toBe('not-moderator');
    // Nor may a moderator mute themselves; a newcomer moderator could not mute a leader.
    const self = founder.mute(founder.me, 24, 'other', '', T0 + 1001);
    g.net.put(self);
    g.sync();
    expect(g.reason(founder, last(self))).toBe('unknown-target');
    // Lee, named a peer moderator while still a newcomer, cannot mute the leader.
    g.net.put(founder.propose({ type: 'moderation', text: 'p', moderators: [lee.me] }, T0 + 1002));
    pass(g.net, founder, founder, T0 + 1003);
    g.sync();
    const up = lee.mute(founder.me, 1, 'other', '', T0 + 1005);
    g.net.put(up);
    g.sync();
    expect(g.reason(founder, last(up))).toBe('tier-too-low');

    const mute = founder.mute(sam.me, 24, 'harassment', 'MARK-NOTE Take a day, please', T0 + 1010);
    g.net.put(mute);
    g.sync();
    const record = lee.state.mutes[sam.me]!;
    expect(record).toMatchObject({ by: founder.me, reason: 'harassment', liftedBy: null });
    expect(record.until - record.start).toBe(24 * 3600);
    expect(sam.open(record.note!)).toBe('MARK-NOTE Take a day, please');
    expect(activeMute(lee.state, sam.me, record.start + 60)).toBeDefined();

    // A thread post during the mute is not shown; one after it ends is.
    const during = g.add(sam.post(g.thread, g.tip(sam), { text: 'during' }, record.start + 60));
    const after = g.add(sam.post(g.thread, g.tip(sam), { text: 'after' }, record.until + 1));
    const r = g.read(ana);
    expect(r.posts.map((p) => p.id)).toEqual([after]);
    expect(r.ignored.find((i) => i.id === during)?.reason).toBe('muted');

    // In the ledger: a comment is refused, a ballot counts, a new thread is refused.
    g.net.put(founder.propose({ type: 'general', text: 'picnic?' }, T0 + 1100));
    g.sync();
    const picnic = Object.values(sam.state.proposals).find((p) => p.kind === 'general')!;
    const comment = sam.comment(picnic.id, 'I disagree', T0 + 1110);
    const ballot = sam.vote(picnic.id, 2, '', T0 + 1111);
    const newThread = sam.openThread(
      '5NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      { title: 'x', topic: '' },
      T0 + 1112
    );
    g.net.put([...comment, ...ballot, ...newThread]);
    g.sync();
    expect(g.reason(lee, last(comment))).toBe('muted');
    expect(g.reason(lee, last(ballot))).toBeNull();
    expect(g.reason(lee, last(newThread))).toBe('muted');
    // Asking the responders for help is never stopped by a mute [SAFE-24].
    const ask = sam.askForCheckIn(
      '6NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      { title: 'help', topic: '' },
      T0 + 1113
    );
    g.net.put(ask);
    g.sync();
    expect(g.reason(lee, last(ask))).toBeNull();

    // Lifted early by a moderator: posting works again.
    const lift = founder.mute(sam.me, 0, 'other', '', T0 + 1200);
    g.net.put(lift);
    g.sync();
    expect(lee.state.mutes[sam.me]!.liftedBy).toBe(last(lift));
    expect(activeMute(lee.state, sam.me, record.start + 60)).toBeUndefined();
    expect(g.read(ana).posts.map((p) => p.id)).toContain(during);
    // Lifting what is not muted is refused.
    const again = founder.mute(sam.me, 0, 'other', '', T0 + 1210);
    g.net.put(again);
    g.sync();
    expect(g.reason(lee, last(again))).toBe('unknown-target');
  });

  it('[SAFE-23] an appeal by proposal — open to newcomers — lifts a mute or undoes a thread decision, and the log shows it was overturned', () => {
    const g = group();
    const { founder, sam, ana, lee } = g;
    const mute = founder.mute(sam.me, 48, 'harassment', '', T0 + 1000);
    g.net.put(mute);
    g.sync();
    // Written after the mute ends (a post during it would not be shown at all).
    const ends = lee.state.mutes[sam.me]!.until;
    const post = g.add(sam.post(g.thread, g.tip(sam), { text: 'MARK-CONTENT' }, ends + 10));
    const removal = g.add(
      founder.moderate(
        g.thread,
        g.tip(founder),
        { post, act: 'remove', reason: 'harassment' },
        ends + 20
      )
    );
    expect(g.read(ana).posts[0]!.standing).toBe('removed');

    // Sam, a newcomer and muted, appeals both.
    const a1 = sam.propose(
      { type: 'appeal', target: last(mute), text: 'It was a joke between friends' },
      T0 + 1100
    );
    g.net.put(a1);
    g.sync();
    expect(g.reason(founder, last(a1))).toBeNull();
    pass(g.net, founder, sam, T0 + 1110);
    g.sync();
    expect(lee.state.mutes[sam.me]!.liftedBy).not.toBeNull();
    expect(lee.state.overturned[last(mute)]).toBeDefined();

    const a2 = sam.propose(
      { type: 'appeal', target: removal, text: 'Please look again' },
      T0 + 1200
    );
    g.net.put(a2);
    g.sync();
    pass(g.net, founder, sam, T0 + 1210);
    g.sync();
    const r = g.read(ana);
    expect(r.posts[0]!.standing).toBe('visible');
    expect(r.log).toHaveLength(1);
    expect(r.log[0]).toMatchObject({ act: 'remove', overturnedBy: ana.state.overturned[removal] });
    // Every device agrees.
    expect(g.read(lee).posts[0]!.standing).toBe('visible');
  });
});

describe('Private channels for care and for sharing a plan', () => {
  it('[SAFE-24] a request to check in is sealed to the responders only; a responder answers and the asker sees who; a forged request naming a non-responder is refused', () => {
    const g = group();
    const { founder, sam, ana, lee } = g;
    // Lee is named a responder; the founder (a leader) responds anyway.
    g.net.put(founder.propose({ type: 'moderation', text: 'p', responders: [lee.me] }, T0 + 1000));
    pass(g.net, founder, founder, T0 + 1010);
    g.sync();
    const ask = sam.askForCheckIn(
      '6NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      { title: 'MARK-ASK', topic: '' },
      T0 + 1100
    );
    g.net.put(ask);
    g.sync();
    const care = last(ask);
    const record = ana.state.threads[care]!;
    expect(record.private).toMatchObject({ purpose: 'care' });
    expect([...record.private!.members].sort()).toEqual([sam.me, founder.me, lee.me].sort());
    // The responders and the asker read it; Ana cannot.
    expect(founder.openIn(care, record.title)).toBe('MARK-ASK');
    expect(lee.openIn(care, record.title)).toBe('MARK-ASK');
    expect(sam.openIn(care, record.title)).toBe('MARK-ASK');
    expect(ana.openIn(care, record.title)).toBeUndefined();
    expect(() => ana.post(care, null, { text: 'x' }, T0 + 1101)).toThrow();

    // Lee checks in; Sam sees Lee's words and that Lee answered.
    const entries = new Map<string, Uint8Array>();
    const put = (b: Uint8Array) => entries.set(entryId(b), b);
    put(sam.post(care, null, { text: 'Having a hard night' }, T0 + 1102));
    put(lee.post(care, threadTip(entries, lee.device.id), { text: 'I’m here. Call?' }, T0 + 1200));
    const read = readThread({
      state: sam.state,
      thread: care,
      entries,
      verify: (e: Entry) => verify(e.author, signedMessage(sam.groupId, e.body), e.signature)
    });
    expect(read.posts.map((p) => p.author)).toEqual([sam.me, lee.me]);
    expect(sam.openIn(care, read.posts[1]!.text)).toBe('I’m here. Call?');

    // A group with no responder but oneself: nothing to write.
    // (The founder is the only leader and asks: no one else responds until the group names some.)
    const alone = new Net();
    const solo = found(alone).founder;
    expect(
      solo.askForCheckIn('7NMNnkMhL8jXrdJ9jKnnP7Ra6H6U', { title: 't', topic: '' }, T0 + 10)
    ).toEqual([]);

    // Forged: Sam opens a 'care' channel with Ana, who is no responder (written by hand).
    const forged = (
      sam as unknown as {
        openChannel: GroupSession['shareWith'] & ((...a: unknown[]) => Uint8Array[]);
      }
    ).openChannel(
      '8NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      'care',
      [ana.me],
      { title: 't', topic: '' },
      T0 + 1300
    );
    g.net.put(forged);
    g.sync();
    expect(g.reason(lee, last(forged))).toBe('not-responder');
  });

  it('[SAFE-25] a safety plan shared with chosen supporters: only they and the owner hold the key', () => {
    const g = group();
    const { sam, ana, lee } = g;
    const share = sam.shareWith(
      '9NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      [ana.me],
      { title: 'MARK-PLAN', topic: '' },
      T0 + 1000
    );
    g.net.put(share);
    g.sync();
    const id = last(share);
    const record = lee.state.threads[id]!;
    expect(record.private).toMatchObject({ purpose: 'plan', members: [sam.me, ana.me] });
    expect(ana.openIn(id, record.title)).toBe('MARK-PLAN');
    expect(lee.openIn(id, record.title)).toBeUndefined();
    expect(Object.keys(record.private!.boxes).sort()).toEqual(
      [...sam.state.members[sam.me]!.devices, ...sam.state.members[ana.me]!.devices].sort()
    );
    // Nobody to share with but oneself: nothing written.
    expect(
      sam.shareWith('9NMNnkMhL8jXrdJ9jKnnP7Ra6H6U', [sam.me], { title: 'x', topic: '' }, T0 + 1001)
    ).toEqual([]);
  });
});
