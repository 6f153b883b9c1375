import { describe, expect, it } from 'vitest';
import {
  documentIdFromInput,
  groupLink,
  looksLikeDocumentId,
  parseInvite
} from '../../src/lib/core/group/links';
import {
  newGroupDoc,
  parseGroupName,
  parseNoteText,
  readGroupDoc,
  sortNotes,
  type Note
} from '../../src/lib/core/group/notes';

// A real automerge-repo document id (28 characters).
const ID = '2xFw2ABj6WRRMWBaws8JWmeJWSzW';

describe('group links', () => {
  it('[LINK-1] the id travels in the fragment, never in the path or query', () => {
    const link = groupLink('https://relay.example/', ID);
    expect(link).toBe(`https://relay.example/group#${ID}`);
    expect(new URL(link).pathname).toBe('/group');
    expect(new URL(link).search).toBe('');
  });

  it('[LINK-2] finds the id in a full link, an automerge: URL, or a bare id with spaces', () => {
    expect(documentIdFromInput(`https://elsewhere.example/group#${ID}`)).toBe(ID);
    expect(documentIdFromInput(`automerge:${ID}`)).toBe(ID);
    expect(documentIdFromInput(`  ${ID}\n`)).toBe(ID);
  });

  it('[LINK-2] a link broken across lines by a chat app, wrapped in <> or quotes, or carrying invisible characters still opens', () => {
    const secret = 'ab'.repeat(32);
    const invite = `https://relay.example/join#${ID}.${secret}`;
    for (const pasted of [
      `https://relay.example/join#${ID}.\n${secret}`,
      `https://relay.example/join#${ID.slice(0, 12)}\r\n${ID.slice(12)}.${secret.slice(0, 40)}\n${secret.slice(40)}`,
      `<${invite}>`,
      `"${invite}"`,
      `\u200b${invite}\u200d\ufeff`
    ])
      expect(parseInvite(pasted), JSON.stringify(pasted)).toEqual({ documentId: ID, secret });
    expect(
      documentIdFromInput(`https://relay.example/group#${ID.slice(0, 9)}\n${ID.slice(9)}`)
    ).toBe(ID);
    expect(documentIdFromInput(`<automerge:${ID}>`)).toBe(ID);
    // Still refused: a secret cut short, an id with a character that is not base58.
    expect(parseInvite(`https://relay.example/join#${ID}.${secret.slice(0, 60)}`)).toBeUndefined();
    expect(documentIdFromInput(`${ID.slice(0, 27)}0`)).toBeUndefined();
  });

  it('[LINK-2] refuses what is not an id: empty, too short, characters outside base58', () => {
    for (const bad of [
      '',
      'hello',
      `${ID}0`,
      `${ID.slice(0, 10)}`,
      `https://x.example/group#`,
      'O'.repeat(22),
      `${ID}/../x`
    ]) {
      expect(documentIdFromInput(bad)).toBeUndefined();
    }
    expect(looksLikeDocumentId('l'.repeat(22))).toBe(false);
  });
});

describe('skeleton group document', () => {
  const note = (id: string, at: number): Note => ({
    id,
    author: 'aa',
    authorName: 'A',
    text: 't',
    at
  });

  it('[GRP-1] group names are trimmed and bounded', () => {
    expect(parseGroupName('  Tuesday   circle ')).toEqual({ ok: true, value: 'Tuesday circle' });
    expect(parseGroupName('   ')).toMatchObject({ ok: false, error: 'empty' });
    expect(parseGroupName('x'.repeat(61))).toMatchObject({ ok: false, error: 'too-long' });
  });

  it('[GRP-2] notes keep inner line breaks, refuse empty and over-long text', () => {
    expect(parseNoteText('  one\n\ntwo  ')).toEqual({ ok: true, value: 'one\n\ntwo' });
    expect(parseNoteText('\n\t ')).toMatchObject({ ok: false, error: 'empty' });
    expect(parseNoteText('x'.repeat(2001))).toMatchObject({ ok: false, error: 'too-long' });
  });

  it('[GRP-3] reading a document never trusts its shape', () => {
    const good = {
      ...newGroupDoc('G', 5),
      notes: [note('a', 1), { id: 3 }, null, 'x', { ...note('b', 2), at: Infinity }]
    };
    expect(readGroupDoc(good)).toEqual({ name: 'G', createdAt: 5, notes: [note('a', 1)] });
    for (const bad of [
      null,
      undefined,
      42,
      'doc',
      [],
      {},
      { schema: 'other', name: 'x' },
      { ...newGroupDoc('G', 1), name: 7 }
    ]) {
      expect(readGroupDoc(bad)).toBeUndefined();
    }
    expect(readGroupDoc({ ...newGroupDoc('G', 1), notes: 'not a list' })?.notes).toEqual([]);
  });

  it('[GRP-4] notes sort by claimed time, then id, whatever order they are stored in', () => {
    const notes = [note('c', 2), note('b', 1), note('a', 2)];
    expect(sortNotes(notes).map((n) => n.id)).toEqual(['b', 'a', 'c']);
    expect(notes.map((n) => n.id)).toEqual(['c', 'b', 'a']);
  });
});
