import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { toHex } from '../encoding/hex';

// noble's synchronous API needs a SHA-512; giving it the audited pure one keeps this module free
// of WebCrypto so it behaves identically in the browser, the relay and tests.
ed.hashes.sha512 = sha512;

/** An Ed25519 device key pair. The secret is the 32-byte RFC 8032 seed. */
export interface DeviceKeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * Builds a device key pair from 32 bytes of seed. Randomness is the caller's job (the core takes
 * no randomness of its own), which also makes keys reproducible in tests.
 */
export function deviceKeyPairFromSeed(seed: Uint8Array): DeviceKeyPair {
  if (seed.length !== 32) throw new RangeError('an Ed25519 seed is 32 bytes');
  const secretKey = Uint8Array.from(seed);
  return { secretKey, publicKey: ed.getPublicKey(secretKey) };
}

/**
 * A short, stable fingerprint of a public key for people to compare ("is this really you?").
 * Groups of four hex digits, first 8 bytes: enough to notice a swap, short enough to read aloud.
 */
export function keyFingerprint(publicKey: Uint8Array): string {
  return (toHex(publicKey.slice(0, 8)).match(/.{4}/g) ?? []).join(' ');
}
