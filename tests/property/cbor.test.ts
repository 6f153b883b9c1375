import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborError, decodeCbor, encodeCbor, type CborValue } from '../../src/lib/core/crypto/cbor';

const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
    fc.string({ maxLength: 20 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.oneof(fc.nat(1000), fc.string({ maxLength: 6 })), tie('v')), {
        maxLength: 4
      })
      .map((pairs) => new Map(pairs))
  )
})).v;

describe('deterministic CBOR', () => {
  it('[LED-2] every value round-trips, and its encoding is the only one the decoder accepts', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCbor(v);
        const back = decodeCbor(bytes);
        expect(encodeCbor(back)).toEqual(bytes);
      }),
      { numRuns: 500 }
    );
  });

  it('[LED-2] random bytes either decode to a value that re-encodes to the same bytes, or throw CborError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(CborError);
        }
      }),
      { numRuns: 2000 }
    );
  });

  it('[LED-2] refuses non-shortest integers, unsorted or duplicate keys, floats, tags, indefinite lengths and deep nesting', () => {
    const bad = [
      [0x18, 0x01], // 1 as a one-byte integer
      [0xa2, 0x02, 0x00, 0x01, 0x00], // keys 2, 1: unsorted
      [0xa2, 0x01, 0x00, 0x01, 0x00], // duplicate key
      [0xf9, 0x3c, 0x00], // half float
      [0xc1, 0x00], // tag
      [0x9f, 0xff], // indefinite array
      [0x62, 0xc3, 0x28], // invalid UTF-8
      [...new Array<number>(20).fill(0x81), 0x00] // nesting deeper than 16
    ];
    for (const b of bad)
      expect(() => decodeCbor(Uint8Array.from(b)), JSON.stringify(b)).toThrow(CborError);
  });
});
