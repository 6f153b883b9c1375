import { describe, expect, it } from 'vitest';
import { verifyStrict as verify } from '../../src/lib/core/crypto/ed25519';
import { GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys } from '../../src/lib/core/group/signer';
import {
  coveredFor,
  readThread,
  replyTree,
  threadTip,
  withheldFrom
} from '../../src/lib/core/space/thread';
import { entryId, signedMessage, type Entry } from '../../src/lib/core/ledger/envelope';
import { seed, T0 } from '../kit/ledger-kit';
import { found, join, Net, rng } from '../kit/session-kit';

/** A thread document, as a map of entry id → envelope bytes. */
class ThreadDoc {
  readonly entries = new Map<string, Uint8Array>();
  add(bytes: Uint8Array) {
    this.entries.set(entryId(bytes), bytes);
    return entryId(bytes);
  }
  tip(s: GroupSession) {
    return threadTip(this.entries, s.device.id);
  }
}

function setup() {
  const net = new Net();
  const { groupId, founder } = found(net);
  const { applicant: sam } = join(net, groupId, founder, 220, 'Sam');
  net.put(
    founder.openThread(
      '4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      { title: 'MARK-TITLE Hard evenings', topic: 'evenings', cw: 'talk of loss' },
      T0 + 300
    )
  );
  net.sync(founder, sam);
  const thread = Object.keys(founder.state.threads)[0]!;
  const verifier = (s: GroupSession) => (e: Entry) =>
    verify(e.author, signedMessage(s.groupId, e.body), e.signature);
  return { net, groupId, founder, sam, thread, verifier, doc: new ThreadDoc() };
}

describe('Support threads', () => {
  it('[SPACE-1] a thread is listed in the ledger with a sealed title, topic and content warning', () => {
    const { founder, sam, thread, groupId, net } = setup();
    const t = founder.state.threads[thread]!;
    expect(t.doc).toBe('4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U');
    expect(sam.open(t.title)).toBe('MARK-TITLE Hard evenings');
    expect(sam.open(t.topic)).toBe('evenings');
    expect(sam.open(t.cw!)).toBe('talk of loss');
    const outsider = new GroupSession({ groupId, device: deviceKeys(seed(998)), random: rng(8) });
    net.sync(outsider);
    expect(outsider.open(t.title)).toBeUndefined();
    for (const bytes of net.entries.values())
      expect(Buffer.from(bytes).toString('latin1')).not.toContain('MARK-TITLE');
  });

  it('[SPACE-2] posts, replies and reactions live in the thread’s own document, sealed and signed; every device reads them the same way', () => {
    const { founder, sam, thread, doc, verifier } = setup();
    const first = doc.add(
      founder.post(thread, doc.tip(founder), { text: 'MARK-POST tonight is hard' }, T0 + 400)
    );
    const reply = doc.add(
      sam.post(
        thread,
        doc.tip(sam),
        { text: 'I hear you', replyTo: first, cw: 'mentions grief' },
        T0 + 410
      )
    );
    doc.add(sam.react(thread, doc.tip(sam), first, 'hug', T0 + 420));
    doc.add(sam.react(thread, doc.tip(sam), first, 'hug', T0 + 421)); // twice: counted once
    doc.add(founder.react(thread, doc.tip(founder), reply, 'heart', T0 + 430));
    const seen = readThread({
      state: sam.state,
      thread,
      entries: doc.entries,
      verify: verifier(sam)
    });
    expect(seen.posts.map((p) => [p.id, p.replyTo])).toEqual([
      [first, undefined],
      [reply, first]
    ]);
    expect(seen.posts.map((p) => sam.open(p.text))).toEqual([
      'MARK-POST tonight is hard',
      'I hear you'
    ]);
    expect(sam.open(seen.posts[1]!.cw!)).toBe('mentions grief');
    expect(seen.posts[0]!.reactions.hug).toEqual([sam.me]);
    expect(seen.posts[1]!.reactions.heart).toEqual([founder.me]);
    expect(seen.ignored.map((i) => i.reason)).toEqual(['duplicate']);
    // The same on the founder's device, whatever the order entries arrived in.
    const reversed = new Map([...doc.entries].reverse());
    const other = readThread({
      state: founder.state,
      thread,
      entries: reversed,
      verify: verifier(founder)
    });
    expect(other.posts.map((p) => p.id)).toEqual(seen.posts.map((p) => p.id));
    for (const bytes of doc.entries.values())
      expect(Buffer.from(bytes).toString('latin1')).not.toContain('MARK-POST');
  });

  it('[SPACE-2] what a thread refuses: forged, non-member, wrong thread, equivocation, reactions to nothing', () => {
    const { founder, sam, thread, doc, verifier, groupId, net } = setup();
    const ok = doc.add(founder.post(thread, doc.tip(founder), { text: 'hello' }, T0 + 400));
    // A flipped signature byte (under its own id).
    const forged = Uint8Array.from(sam.post(thread, doc.tip(sam), { text: 'x' }, T0 + 401));
    forged[3] = (forged[3] ?? 0) ^ 1;
    const forgedId = doc.add(forged);
    // An outsider (not a member) who somehow has nothing to seal with cannot post at all; one
    // who signs a plain post is refused as not a member.
    const outsider = new GroupSession({ groupId, device: deviceKeys(seed(997)), random: rng(7) });
    net.sync(outsider);
    expect(() => outsider.post(thread, null, { text: 'hi' }, T0 + 402)).toThrow();
    // A post for another thread.
    const wrong = doc.add(sam.post('ab'.repeat(32), doc.tip(sam), { text: 'elsewhere' }, T0 + 403));
    // Two different entries in one place of Sam's chain.
    const tip = doc.tip(sam);
    const a = doc.add(sam.post(thread, tip, { text: 'one' }, T0 + 404));
    const b = doc.add(sam.post(thread, tip, { text: 'two' }, T0 + 405));
    const nothing = doc.add(
      founder.react(thread, doc.tip(founder), 'cd'.repeat(32), 'heart', T0 + 406)
    );
    const r = readThread({ state: sam.state, thread, entries: doc.entries, verify: verifier(sam) });
    expect(r.posts.map((p) => p.id)).toEqual([ok]);
    const reasons = Object.fromEntries(r.ignored.map((i) => [i.id, i.reason]));
    expect(reasons[forgedId]).toBe('bad-signature');
    expect(reasons[wrong]).toBe('wrong-thread');
    expect(reasons[a]).toBe('equivocation');
    expect(reasons[b]).toBe('equivocation');
    expect(reasons[nothing]).toBe('unknown-post');
  });

  it('[SPACE-2] a removed member’s posts are hidden (a thread cannot tell their old posts from new ones)', () => {
    const { founder, sam, thread, doc, verifier, net } = setup();
    doc.add(sam.post(thread, doc.tip(sam), { text: 'while a member' }, T0 + 400));
    net.put(founder.propose({ type: 'remove', member: sam.me }, T0 + 500));
    net.sync(founder);
    const removal = Object.values(founder.state.proposals).find((p) => p.kind === 'remove')!;
    net.put(founder.vote(removal.id, 1, '', T0 + 510));
    net.sync(founder);
    net.put(founder.close(removal.id, T0 + 520));
    net.sync(founder, sam);
    const r = readThread({
      state: founder.state,
      thread,
      entries: doc.entries,
      verify: verifier(founder)
    });
    expect(r.posts).toEqual([]);
    expect(r.ignored.map((i) => i.reason)).toEqual(['not-member']);
  });

  it('[SPACE-3] "this helped" on a post earns its author reputation through the ledger; a forged or own post earns nothing', () => {
    const { founder, sam, thread, doc, verifier, net } = setup();
    const id = doc.add(sam.post(thread, doc.tip(sam), { text: 'what helped me' }, T0 + 400));
    const post = readThread({
      state: founder.state,
      thread,
      entries: doc.entries,
      verify: verifier(founder)
    }).posts[0]!;
    const before = founder.state.reputation[sam.me]?.total ?? 0;
    net.put(founder.helpedPost(id, post.envelope, T0 + 410));
    net.sync(founder, sam);
    expect(founder.state.reputation[sam.me]!.total).toBeGreaterThan(before);
    // Marking one's own post, twice, or with an envelope that is not that post: nothing.
    const own = sam.helpedPost(id, post.envelope, T0 + 420);
    const again = founder.helpedPost(id, post.envelope, T0 + 430);
    const forged = Uint8Array.from(post.envelope);
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
    const bad = founder.helpedPost(entryId(forged), forged, T0 + 440);
    const mismatch = founder.helpedPost('ab'.repeat(32), post.envelope, T0 + 450);
    net.put([...own, ...again, ...bad, ...mismatch]);
    net.sync(founder);
    const reason = (bytes: Uint8Array[]) =>
      founder.state.audit.find((a) => a.id === entryId(bytes.at(-1)!))?.reason;
    expect(reason(own)).toBe('self-mark');
    expect(reason(again)).toBe('duplicate-mark');
    expect(reason(bad)).toBe('bad-signature');
    expect(reason(mismatch)).toBe('unknown-target');
  });
});

describe('Mentor–mentee channel', () => {
  function withMentoring() {
    const s = setup();
    const { applicant: ada } = join(s.net, s.groupId, s.founder, 221, 'Ada');
    // The founder (a leader) mentors Sam.
    s.net.put(s.founder.mentor(s.sam.me, s.founder.me, T0 + 600));
    s.net.sync(s.founder, s.sam, ada);
    return { ...s, ada };
  }

  it('[SPACE-4] a private conversation is readable by the mentor and mentee only — not by the rest of the group', () => {
    const { founder, sam, ada, net, verifier } = withMentoring();
    net.put(
      founder.openPrivateThread(
        '5NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
        sam.me,
        { title: 'MARK-PRIVATE just us', topic: '' },
        T0 + 700
      )
    );
    net.sync(founder, sam, ada);
    const [id, t] = Object.entries(founder.state.threads).find(([, x]) => x.private)!;
    expect(founder.state.audit.filter((a) => a.verdict !== 'applied')).toEqual([]);
    expect(founder.openIn(id, t.title)).toBe('MARK-PRIVATE just us');
    expect(sam.openIn(id, t.title)).toBe('MARK-PRIVATE just us');
    expect(ada.openIn(id, t.title)).toBeUndefined();
    // Even with the group key, Ada cannot open it: it is not sealed with the group key.
    expect(ada.open(t.title)).toBeUndefined();

    const doc = new ThreadDoc();
    doc.add(sam.post(id, doc.tip(sam), { text: 'MARK-SECRET thank you' }, T0 + 710));
    const seen = readThread({
      state: founder.state,
      thread: id,
      entries: doc.entries,
      verify: verifier(founder)
    });
    expect(seen.posts.map((p) => founder.openIn(id, p.text))).toEqual(['MARK-SECRET thank you']);
    expect(seen.posts.map((p) => ada.openIn(id, p.text))).toEqual([undefined]);
    // Ada cannot write into it: she has no channel key, and a post sealed with the group key is
    // not accepted in a private channel.
    expect(() => ada.post(id, doc.tip(ada), { text: 'hi' }, T0 + 720)).toThrow();
    for (const bytes of [...doc.entries.values(), ...net.entries.values()])
      expect(Buffer.from(bytes).toString('latin1')).not.toMatch(/MARK-(PRIVATE|SECRET)/);
  });

  it('[SPACE-4] only a mentor and their own mentee may open one; lockboxes only for their devices', () => {
    const { founder, sam, ada, net } = withMentoring();
    // Ada is nobody's mentee and mentors nobody.
    const refused = ada.openPrivateThread(
      '6NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      sam.me,
      { title: 'x', topic: '' },
      T0 + 800
    );
    const alsoRefused = founder.openPrivateThread(
      '7NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
      ada.me,
      { title: 'x', topic: '' },
      T0 + 801
    );
    net.put([...refused, ...alsoRefused]);
    net.sync(founder);
    const reason = (b: Uint8Array[]) =>
      founder.state.audit.find((a) => a.id === entryId(b[0]!))?.reason;
    expect(reason(refused)).toBe('not-mentoring');
    expect(reason(alsoRefused)).toBe('not-mentoring');
  });
});

describe('a conversation laid out', () => {
  const post = (id: string, replyTo?: string) => ({ id, replyTo });
  it('[SPACE-2] replies, and replies to replies, sit under the post that started them, in order; a reply to a post not here starts its own; replies naming each other in a loop still appear once', () => {
    const { tops, replies } = replyTree([
      post('a'),
      post('b', 'a'),
      post('c'),
      post('d', 'b'),
      post('e', 'gone'),
      post('f', 'c')
    ]);
    expect(tops.map((p) => p.id)).toEqual(['a', 'c', 'e']);
    expect(replies.a?.map((p) => p.id)).toEqual(['b', 'd']);
    expect(replies.c?.map((p) => p.id)).toEqual(['f']);
    // A loop (x → y → x) written by a hostile or broken client: each post shows exactly once.
    const loop = replyTree([post('x', 'y'), post('y', 'x'), post('z', 'x')]);
    const shown = [...loop.tops, ...Object.values(loop.replies).flat()].map((p) => p.id).sort();
    expect(shown).toEqual(['x', 'y', 'z']);
    // A chain longer than 50 is cut, never walked for ever.
    const chain = Array.from({ length: 120 }, (_, i) => post(`p${i}`, i ? `p${i - 1}` : undefined));
    const long = replyTree(chain);
    expect([...long.tops, ...Object.values(long.replies).flat()]).toHaveLength(120);
  });
});

describe('who sees a post', () => {
  const me = { member: 'me', moderator: false };
  const mod = { member: 'mod', moderator: true };
  it('[SAFE-18] a removed post, or one waiting for review, is withheld from everyone but its author and the moderators', () => {
    for (const standing of ['removed', 'pending-review'] as const) {
      expect(withheldFrom({ author: 'other', standing }, me)).toBe(true);
      expect(withheldFrom({ author: 'me', standing }, me)).toBe(false);
      expect(withheldFrom({ author: 'other', standing }, mod)).toBe(false);
    }
    for (const standing of ['visible', 'hidden'] as const)
      expect(withheldFrom({ author: 'other', standing }, me)).toBe(false);
  });

  it('[SAFE-18] others’ posts start covered behind a content warning (the post’s or the conversation’s) or a moderator’s warning; one’s own never', () => {
    const sealed = { epoch: 1, data: new Uint8Array(48) };
    const plain = { author: 'other', standing: 'visible' as const, cw: undefined };
    expect(coveredFor(plain, { member: 'me', threadCw: false })).toBe(false);
    expect(coveredFor({ ...plain, cw: sealed }, { member: 'me', threadCw: false })).toBe(true);
    expect(coveredFor(plain, { member: 'me', threadCw: true })).toBe(true);
    expect(coveredFor({ ...plain, standing: 'hidden' }, { member: 'me', threadCw: false })).toBe(
      true
    );
    expect(
      coveredFor(
        { ...plain, author: 'me', standing: 'hidden', cw: sealed },
        { member: 'me', threadCw: true }
      )
    ).toBe(false);
  });
});
