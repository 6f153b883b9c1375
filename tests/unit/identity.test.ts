import { describe, expect, it } from 'vitest';
import { deviceKeyPairFromSeed, keyFingerprint } from '../../src/lib/core/identity/keys';
import { parsePseudonym } from '../../src/lib/core/identity/pseudonym';
import { pseudonymErrorWords } from '../../src/lib/ui/words';

describe('pseudonyms', () => {
  it('[ID-1] trims and collapses whitespace, and NFC-normalizes', () => {
    expect(parsePseudonym('  River   Stone ')).toEqual({ ok: true, value: 'River Stone' });
    // "e" + combining acute becomes the single code point é.
    expect(parsePseudonym('Rene\u0301e')).toEqual({ ok: true, value: 'Renée' });
  });

  it('[ID-1] refuses too short and too long names, counting characters not UTF-16 units', () => {
    expect(parsePseudonym(' a ')).toMatchObject({ ok: false, error: 'too-short' });
    expect(parsePseudonym('x'.repeat(33))).toMatchObject({ ok: false, error: 'too-long' });
    expect(parsePseudonym('🌻'.repeat(32))).toMatchObject({ ok: true });
  });

  it('[ID-1] refuses control and invisible format characters (bidi overrides, zero-width)', () => {
    for (const bad of ['Sam\u202Eevil', 'Sa\u200Bm', 'Sam\u0007', 'Sam\uE000']) {
      expect(parsePseudonym(bad)).toMatchObject({ ok: false, error: 'invalid-characters' });
    }
  });

  it('[ID-1] every error has calm words', () => {
    for (const e of ['too-short', 'too-long', 'invalid-characters'] as const) {
      expect(pseudonymErrorWords(e)).toMatch(/^Please|^Some/);
    }
  });
});

describe('device keys', () => {
  it('[ID-2] the RFC 8032 test vector 1 seed gives its public key', () => {
    const seed = Uint8Array.from(
      Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex')
    );
    const { publicKey } = deviceKeyPairFromSeed(seed);
    expect(Buffer.from(publicKey).toString('hex')).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'
    );
  });

  it('[ID-2] refuses a seed that is not 32 bytes', () => {
    expect(() => deviceKeyPairFromSeed(new Uint8Array(31))).toThrow(RangeError);
  });

  it('[ID-2] the fingerprint is the first 8 bytes in groups of four hex digits', () => {
    expect(
      keyFingerprint(Uint8Array.from([0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xff]))
    ).toBe('d75a 9801 82b1 0ab7');
  });
});
