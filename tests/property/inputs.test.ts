import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  documentIdFromInput,
  groupLink,
  looksLikeDocumentId
} from '../../src/lib/core/group/links';
import { parsePseudonym } from '../../src/lib/core/identity/pseudonym';

const base58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const documentId = fc.string({ unit: fc.constantFrom(...base58), minLength: 26, maxLength: 28 });
const origin = fc
  .webUrl({ withQueryParameters: false, withFragments: false })
  .map((u) => new URL(u).origin);

describe('inputs people paste or type', () => {
  it('[LINK-2] any group link, automerge: URL or padded id gives back the id', () => {
    fc.assert(
      fc.property(documentId, origin, fc.constantFrom('', ' ', '\n', '\t '), (id, o, pad) => {
        expect(documentIdFromInput(pad + groupLink(o, id) + pad)).toBe(id);
        expect(documentIdFromInput(`${pad}automerge:${id}${pad}`)).toBe(id);
        expect(documentIdFromInput(pad + id + pad)).toBe(id);
      })
    );
  });

  it('[LINK-2] arbitrary text never throws and yields nothing or a well-formed id', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const got = documentIdFromInput(text);
        expect(got === undefined || looksLikeDocumentId(got)).toBe(true);
      })
    );
  });

  it('[ID-1] parsing a pseudonym is idempotent and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        const once = parsePseudonym(text);
        if (once.ok) expect(parsePseudonym(once.value)).toEqual(once);
      })
    );
  });
});
