import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from './ed25519';

/**
 * Encryption primitives [ENC-1..ENC-3]. Randomness (ephemeral keys, nonces) is always passed in:
 * the core makes none. Every ciphertext is bound by associated data to the group, the key
 * epoch and its context, so it is useless anywhere else.
 */
const te = new TextEncoder();
const LOCKBOX = te.encode('hearth/v1/lockbox\0');
const PAYLOAD = te.encode('hearth/v1/payload\0');
const KEYID = te.encode('hearth/v1/keyid\0');

const u32 = (n: number) =>
  Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);

export function x25519PublicKey(secret: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secret);
}

/** A short public fingerprint of an epoch key, so entries can name the key they use [ENC-2]. */
export function keyId(epochKey: Uint8Array): Uint8Array {
  return sha256(concat(KEYID, epochKey)).slice(0, 8);
}

function lockboxContext(
  groupId: Uint8Array,
  epoch: number,
  recipientDevice: Uint8Array
): Uint8Array {
  return concat(LOCKBOX, groupId, u32(epoch), recipientDevice);
}

/**
 * Seals a 32-byte epoch key to one device's X25519 key [ENC-1]: ephemeral X25519, HKDF-SHA256
 * (salt: both public keys; info: group, epoch, recipient device), XChaCha20-Poly1305 with the same
 * context as associated data. Output: ephemeral public key (32) ‖ ciphertext (48) = 80 bytes.
 */
export function sealLockbox(o: {
  epochKey: Uint8Array;
  recipientX25519: Uint8Array;
  recipientDevice: Uint8Array;
  groupId: Uint8Array;
  epoch: number;
  ephemeralSecret: Uint8Array;
}): Uint8Array {
  const ephemeralPublic = x25519.getPublicKey(o.ephemeralSecret);
  const shared = x25519.getSharedSecret(o.ephemeralSecret, o.recipientX25519);
  const context = lockboxContext(o.groupId, o.epoch, o.recipientDevice);
  const okm = hkdf(sha256, shared, concat(ephemeralPublic, o.recipientX25519), context, 56);
  const ct = xchacha20poly1305(okm.slice(0, 32), okm.slice(32), context).encrypt(o.epochKey);
  return concat(ephemeralPublic, ct);
}

/** Opens a lockbox; undefined when it is not for this key, group, epoch or device, or was altered. */
export function openLockbox(o: {
  sealed: Uint8Array;
  recipientSecret: Uint8Array;
  recipientDevice: Uint8Array;
  groupId: Uint8Array;
  epoch: number;
}): Uint8Array | undefined {
  if (o.sealed.length !== 80) return undefined;
  try {
    const ephemeralPublic = o.sealed.subarray(0, 32);
    const recipientPublic = x25519.getPublicKey(o.recipientSecret);
    const shared = x25519.getSharedSecret(o.recipientSecret, ephemeralPublic);
    const context = lockboxContext(o.groupId, o.epoch, o.recipientDevice);
    const okm = hkdf(sha256, shared, concat(ephemeralPublic, recipientPublic), context, 56);
    return xchacha20poly1305(okm.slice(0, 32), okm.slice(32), context).decrypt(
      o.sealed.subarray(32)
    );
  } catch {
    return undefined; // low-order points, bad tags: all the same to the caller
  }
}

/** What a text field of an entry is bound to [ENC-3]. */
export interface PayloadContext {
  groupId: Uint8Array;
  epoch: number;
  author: Uint8Array;
  seq: number;
  kind: number;
  field: string;
}

function payloadAd(c: PayloadContext): Uint8Array {
  return concat(
    PAYLOAD,
    c.groupId,
    u32(c.epoch),
    c.author,
    u32(c.seq),
    u32(c.kind),
    te.encode(c.field)
  );
}

/** Encrypts a text field: nonce (24, random, passed in) ‖ XChaCha20-Poly1305 ciphertext. */
export function encryptField(
  epochKey: Uint8Array,
  nonce: Uint8Array,
  text: string,
  c: PayloadContext
): Uint8Array {
  return concat(nonce, xchacha20poly1305(epochKey, nonce, payloadAd(c)).encrypt(te.encode(text)));
}

/** Decrypts a text field; undefined for a wrong key, wrong context, or any altered byte. */
export function decryptField(
  epochKey: Uint8Array,
  sealed: Uint8Array,
  c: PayloadContext
): string | undefined {
  if (sealed.length < 24 + 16) return undefined;
  try {
    const plain = xchacha20poly1305(epochKey, sealed.subarray(0, 24), payloadAd(c)).decrypt(
      sealed.subarray(24)
    );
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(plain);
  } catch {
    return undefined;
  }
}
