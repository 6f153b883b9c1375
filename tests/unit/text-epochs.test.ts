import { describe, expect, it } from 'vitest';
import { encryptField } from '../../src/lib/core/crypto/box';
import type { CborMap } from '../../src/lib/core/crypto/cbor';
import { hexToBytes } from '../../src/lib/core/encoding/hex';
import type { GroupSession } from '../../src/lib/core/group/session';
import { Kind } from '../../src/lib/core/governance/types';
import { entryId, sealEntry } from '../../src/lib/core/ledger/envelope';
import { T0 } from '../kit/ledger-kit';
import { found, join, Net, rng } from '../kit/session-kit';

/** A comment sealed with a chosen epoch's key, written on top of what `s` has seen. */
function commentWithEpoch(s: GroupSession, proposal: string, epoch: number, now: number) {
  const key = s.keys().get(epoch) ?? new Uint8Array(32).fill(7);
  const tip = s.ledger.tip(s.device.id);
  const seq = (tip?.seq ?? 0) + 1;
  const data = encryptField(key, rng(epoch + 50)(24), 'written with an old key', {
    groupId: s.groupId,
    epoch,
    author: s.device.publicKey,
    seq,
    kind: Kind.Comment,
    field: 'text'
  });
  const payload: CborMap = new Map<string, never>([
    ['p', hexToBytes(proposal) as never],
    ['text', [epoch, data] as never]
  ]);
  const { bytes } = sealEntry(s.device.secret, s.groupId, {
    author: s.device.publicKey,
    seq,
    backlink: tip?.id ?? null,
    prev: s.state.heads.slice(0, 16),
    kind: Kind.Comment,
    payload,
    time: now
  });
  return bytes;
}

/** Founder, Sam and Ada; Ada is removed, so the key rotates to epoch 2. */
function groupAfterRemoval() {
  const net = new Net();
  const { groupId, founder } = found(net);
  const { applicant: sam } = join(net, groupId, founder, 210, 'Sam');
  const { applicant: ada } = join(net, groupId, founder, 211, 'Ada');
  net.put(founder.propose({ type: 'general', text: 'a topic' }, T0 + 400));
  net.sync(founder, sam, ada);
  const topic = Object.values(founder.state.proposals).find((p) => p.kind === 'general')!;
  net.put(founder.propose({ type: 'remove', member: ada.me }, T0 + 410));
  net.sync(founder);
  const removal = Object.values(founder.state.proposals).find((p) => p.kind === 'remove')!;
  net.put(founder.vote(removal.id, 1, '', T0 + 420));
  net.sync(founder);
  net.put(founder.close(removal.id, T0 + 430));
  return { net, founder, sam, ada, topic };
}

describe('[ENC-9] members seal with the newest key epoch they have seen', () => {
  it('after a removal rotated the key, a text sealed with the old key (which the removed member holds) is not used', () => {
    const { net, founder, sam, topic } = groupAfterRemoval();
    net.sync(founder, sam);
    expect(founder.state.currentEpoch).toBe(2);
    expect(sam.hasCurrentKey()).toBe(true);
    const stale = commentWithEpoch(sam, topic.id, 1, T0 + 500);
    net.put([stale]);
    net.sync(founder, sam);
    expect(founder.state.audit.find((a) => a.id === entryId(stale))?.reason).toBe('stale-epoch');
    // Written the normal way, it uses epoch 2 and is applied.
    net.put(sam.comment(topic.id, 'with the new key', T0 + 510));
    net.sync(founder);
    expect(founder.comments(topic.id).map((c) => founder.open(c.text))).toEqual([
      'with the new key'
    ]);
  });

  it('a writer who had not seen the rotation yet (concurrent with it) may still use the old key', () => {
    const { net, founder, sam, topic } = groupAfterRemoval();
    // Sam writes before receiving the removal's close: epoch 1 is the newest Sam has seen.
    const concurrent = sam.comment(topic.id, 'before I heard', T0 + 435);
    net.put(concurrent);
    net.sync(founder, sam);
    expect(founder.state.audit.find((a) => a.id === entryId(concurrent.at(-1)!))?.verdict).toBe(
      'applied'
    );
  });

  it('an epoch not yet defined in the causal past is unknown; the applicants’ epoch 0 is refused outright', () => {
    const { net, founder, sam, topic } = groupAfterRemoval();
    net.sync(founder, sam);
    const future = commentWithEpoch(sam, topic.id, 3, T0 + 520);
    net.put([future]);
    net.sync(founder, sam);
    const zero = commentWithEpoch(sam, topic.id, 0, T0 + 530);
    net.put([zero]);
    net.sync(founder);
    expect(founder.state.audit.find((a) => a.id === entryId(future))?.reason).toBe('unknown-epoch');
    // Epoch 0 is the applicants' invitation key: refused already when the payload is read.
    expect(founder.state.audit.find((a) => a.id === entryId(zero))?.reason).toBe('bad-payload');
  });
});
