import { passcodeProblemWords } from '../../src/lib/ui/words';
import { describe, expect, it } from 'vitest';
import {
  checkNewPasscode,
  passcodeKey,
  unwrapSecret,
  wrapSecret,
  type KdfParams
} from '../../src/lib/core/crypto/passcode';

const FAST: KdfParams = { N: 2 ** 10, r: 8, p: 1 }; // the real parameters are slower on purpose
const secret = new Uint8Array(32).fill(9);
const salt = new Uint8Array(16).fill(1);
const nonce = new Uint8Array(24).fill(2);

describe('passcode at rest', () => {
  it('[KEY-1] the right passcode unwraps the device key; a wrong one, or any changed byte or parameter, does not', () => {
    const w = wrapSecret(secret, passcodeKey('blue kettle 42', salt, FAST), salt, nonce, FAST);
    expect(Buffer.from(w.data).includes(Buffer.from(secret))).toBe(false);
    expect(unwrapSecret(w, passcodeKey('blue kettle 42', salt, FAST))).toEqual(secret);
    expect(unwrapSecret(w, passcodeKey('blue kettle 43', salt, FAST))).toBeUndefined();
    const flipped = { ...w, data: Uint8Array.from(w.data, (b, i) => (i === 3 ? b ^ 1 : b)) };
    expect(unwrapSecret(flipped, passcodeKey('blue kettle 42', salt, FAST))).toBeUndefined();
    const weaker = { ...w, params: { ...FAST, N: 2 ** 9 } };
    expect(unwrapSecret(weaker, passcodeKey('blue kettle 42', salt, FAST))).toBeUndefined();
  });

  it('[KEY-1] the same passcode typed with composed or decomposed accents works', () => {
    const w = wrapSecret(secret, passcodeKey('café', salt, FAST), salt, nonce, FAST);
    expect(unwrapSecret(w, passcodeKey('cafe\u0301', salt, FAST))).toEqual(secret);
  });

  it('[KEY-1] a new passcode needs 6 characters and the same text twice', () => {
    expect(passcodeProblemWords(checkNewPasscode('12345', '12345')!)).toMatch(/at least 6/);
    expect(passcodeProblemWords(checkNewPasscode('123456', '123457')!)).toMatch(/different/);
    expect(checkNewPasscode('123456', '123456')).toBeUndefined();
  });
});
