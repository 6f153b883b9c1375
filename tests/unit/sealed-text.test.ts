import { describe, expect, it } from 'vitest';
import { encryptField } from '../../src/lib/core/crypto/box';
import { openText, type Text } from '../../src/lib/core/governance/text';
import { Kind, map, P, standardGroup } from '../kit/ledger-kit';

const key = new Uint8Array(32).fill(7);
const nonce = new Uint8Array(24).fill(3);

describe('encrypted text in the ledger', () => {
  it('[ENC-7] a comment and a proposal carry sealed text; members with the key read it, the bytes never contain it', () => {
    const { s, a, b, c } = standardGroup();
    s.write(s.founder, Kind.Lockboxes, P.lockboxes(s.groupId, 1, key, [s.founder, a, b, c]));
    // The proposal text is sealed for the author's next entry (seq and kind are bound).
    const seq = a.seq + 1;
    const sealed = encryptField(key, nonce, 'MARKER-PROPOSAL meet at the library', {
      groupId: s.groupId,
      epoch: 1,
      author: a.pub,
      seq,
      kind: Kind.Propose,
      field: 'text'
    });
    const p = s.write(a, Kind.Propose, map({ k: 'general', text: [1, sealed] }));
    const st = s.state();
    const text = (st.proposals[p]!.body as { text: Text }).text;
    expect(typeof text).toBe('object');
    expect(
      openText(text, (e) => (e === 1 ? key : undefined), {
        groupId: s.groupId,
        author: a.pub,
        seq,
        kind: Kind.Propose,
        field: 'text'
      })
    ).toBe('MARKER-PROPOSAL meet at the library');
    for (const bytes of s.entries.values())
      expect(Buffer.from(bytes).toString('latin1')).not.toContain('MARKER');
  });

  it('[ENC-7] without the epoch key, or in another entry’s context, sealed text stays closed', () => {
    const { s, a } = standardGroup();
    const ctx = { groupId: s.groupId, author: a.pub, seq: 1, kind: Kind.Comment, field: 'text' };
    const sealed: Text = {
      epoch: 1,
      data: encryptField(key, nonce, 'private', { ...ctx, epoch: 1 })
    };
    expect(openText(sealed, () => undefined, ctx)).toBeUndefined();
    expect(openText(sealed, () => key, { ...ctx, seq: 2 })).toBeUndefined();
    expect(openText('plain words', () => undefined, ctx)).toBe('plain words');
  });

  it('[ENC-7] malformed sealed text (epoch 0, too short, wrong shape) → bad-payload', () => {
    const { s, a } = standardGroup();
    const p = s.write(s.founder, Kind.Propose, P.propose('general'));
    for (const text of [
      [0, new Uint8Array(60)],
      [1, new Uint8Array(10)],
      [1],
      [1, 'x'],
      new Map([['e', 1]])
    ]) {
      const payload = P.comment(p);
      payload.set('text', text);
      expect(s.verdict(s.write(a, Kind.Comment, payload))?.reason, JSON.stringify(text)).toBe(
        'bad-payload'
      );
    }
  });
});
