import { describe, expect, it } from 'vitest';
import { verifyStrict as verify } from '../../src/lib/core/crypto/ed25519';
import type { GroupSession } from '../../src/lib/core/group/session';
import { entryId, signedMessage, type Entry } from '../../src/lib/core/ledger/envelope';
import { readThread, threadTip } from '../../src/lib/core/space/thread';
import { T0 } from '../kit/ledger-kit';
import { found, join, Net } from '../kit/session-kit';

/** A group of four: the founder (a leader, so a moderator) and three new members. */
function setup() {
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
  return { founder, sam, ana, lee, thread, add, tip, read };
}

describe('Moderation in layers', () => {
  it('[SAFE-17] reports from three different members hide a post pending review; one member counts once; reasons, not words', () => {
    const { founder, sam, ana, lee, thread, add, tip, read } = setup();
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
    const { founder, sam, ana, lee, thread, add, tip, read } = setup();
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
