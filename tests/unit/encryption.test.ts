import { describe, expect, it } from 'vitest';
import {
  decryptField,
  encryptField,
  keyId,
  openLockbox,
  sealLockbox,
  x25519PublicKey,
  type PayloadContext
} from '../../src/lib/core/crypto/box';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const groupId = bytes(32, 1);
const device = bytes(32, 2);
const recipientSecret = bytes(32, 3);
const epochKey = bytes(32, 4);

function box(over: Partial<Parameters<typeof sealLockbox>[0]> = {}) {
  return sealLockbox({
    epochKey,
    recipientX25519: x25519PublicKey(recipientSecret),
    recipientDevice: device,
    groupId,
    epoch: 1,
    ephemeralSecret: bytes(32, 5),
    ...over
  });
}
const open = (sealed: Uint8Array, over: Partial<Parameters<typeof openLockbox>[0]> = {}) =>
  openLockbox({ sealed, recipientSecret, recipientDevice: device, groupId, epoch: 1, ...over });

describe('lockboxes', () => {
  it('[ENC-1] a lockbox opens for its recipient only, in its group and epoch only', () => {
    const sealed = box();
    expect(sealed).toHaveLength(80);
    expect(open(sealed)).toEqual(epochKey);
    expect(open(sealed, { recipientSecret: bytes(32, 9) })).toBeUndefined();
    expect(open(sealed, { groupId: bytes(32, 7) })).toBeUndefined(); // a lockbox for another group is useless
    expect(open(sealed, { epoch: 2 })).toBeUndefined();
    expect(open(sealed, { recipientDevice: bytes(32, 8) })).toBeUndefined();
  });

  it('[ENC-1] any flipped bit makes a lockbox unopenable', () => {
    const sealed = box();
    for (let i = 0; i < sealed.length; i++) {
      const bad = Uint8Array.from(sealed);
      bad[i]! ^= 1;
      expect(open(bad), `byte ${i}`).toBeUndefined();
    }
    expect(open(sealed.slice(0, 79))).toBeUndefined();
  });

  it('[ENC-2] the key id names a key without revealing it, and differs between keys', () => {
    expect(keyId(epochKey)).toHaveLength(8);
    expect(keyId(epochKey)).toEqual(keyId(Uint8Array.from(epochKey)));
    expect(keyId(bytes(32, 5))).not.toEqual(keyId(epochKey));
  });
});

describe('encrypted fields', () => {
  const ctx: PayloadContext = { groupId, epoch: 1, author: device, seq: 4, kind: 8, field: 'text' };
  const nonce = bytes(24, 6);

  it('[ENC-3] a field round-trips and the ciphertext does not contain the text', () => {
    const sealed = encryptField(epochKey, nonce, 'tonight was hard, MARKER-123', ctx);
    expect(decryptField(epochKey, sealed, ctx)).toBe('tonight was hard, MARKER-123');
    expect(Buffer.from(sealed).toString('latin1')).not.toContain('MARKER');
  });

  it('[ENC-3] a flipped bit in the ciphertext, or any change of associated data, is rejected', () => {
    const sealed = encryptField(epochKey, nonce, 'hello', ctx);
    for (let i = 0; i < sealed.length; i++) {
      const bad = Uint8Array.from(sealed);
      bad[i]! ^= 0x80;
      expect(decryptField(epochKey, bad, ctx)).toBeUndefined();
    }
    for (const change of [
      { groupId: bytes(32, 9) },
      { epoch: 2 },
      { author: bytes(32, 9) },
      { seq: 5 },
      { kind: 4 },
      { field: 'reason' }
    ]) {
      expect(
        decryptField(epochKey, sealed, { ...ctx, ...change }),
        JSON.stringify(Object.keys(change))
      ).toBeUndefined();
    }
    expect(decryptField(bytes(32, 1), sealed, ctx)).toBeUndefined();
  });
});
