import { describe, expect, it } from 'vitest';
import {
  documentIdFromInput,
  groupLink,
  looksLikeDocumentId,
  parseInvite
} from '../../src/lib/core/group/links';
import { parseGroupName } from '../../src/lib/core/group/name';

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

describe('group name', () => {
  it('[GRP-1] group names are trimmed and bounded', () => {
    expect(parseGroupName('  Tuesday   circle ')).toEqual({ ok: true, value: 'Tuesday circle' });
    expect(parseGroupName('   ')).toMatchObject({ ok: false, error: 'empty' });
    expect(parseGroupName('x'.repeat(61))).toMatchObject({ ok: false, error: 'too-long' });
  });
});
