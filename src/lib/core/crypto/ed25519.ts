import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '../encoding/hex';

ed.hashes.sha512 = sha512;

/**
 * Hearth's signature rule [SIG-1]: strict Ed25519 — RFC 8032 verification with the cofactorless
 * equation [S]B = R + [k]A, and before it:
 *  - S must be below the group order L (canonical S);
 *  - A and R must be canonical encodings (y < p, and no "negative zero" x);
 *  - neither A nor R may be a point of small order.
 * This is libsodium's behaviour. It exists because verifiers disagree on these edge cases (see
 * shared/data/ed25519-speccheck): WebCrypto (BoringSSL/OpenSSL) accepts small-order keys, noble's
 * strict branch is cofactored. Every code path runs `precheck` and then a cofactorless verify, so
 * all devices reach the same verdict on every signature.
 */
const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function leToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function yOf(enc: Uint8Array): bigint {
  const yBytes = Uint8Array.from(enc);
  yBytes[31]! &= 0x7f;
  return leToBigint(yBytes);
}

/**
 * y-coordinates of the eight points of small order (each y occurs with both signs of x), from
 * their well-known canonical encodings (the list libsodium rejects).
 */
const SMALL_ORDER_Y = new Set<bigint>(
  [
    '0100000000000000000000000000000000000000000000000000000000000000',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    '0000000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'
  ].map((h) => yOf(hexToBytes(h)))
);

/** True when a 32-byte point encoding is canonical and not of small order. */
function acceptablePoint(enc: Uint8Array): boolean {
  const sign = enc[31]! >> 7;
  const y = yOf(enc);
  if (y >= P) return false;
  // x = 0 exactly when y = ±1; its encoding with the sign bit set is non-canonical.
  if (sign === 1 && (y === 1n || y === P - 1n)) return false;
  return !SMALL_ORDER_Y.has(y);
}

/** The checks every verifier runs before the curve equation [SIG-1]. Cheap: no point decoding. */
export function precheck(publicKey: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  if (leToBigint(signature.subarray(32)) >= L) return false;
  return acceptablePoint(publicKey) && acceptablePoint(signature.subarray(0, 32));
}

/** Strict verification in pure JavaScript (noble), the reference path. Never throws. */
export function verifyStrict(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array
): boolean {
  if (!precheck(publicKey, signature)) return false;
  try {
    const A = ed.Point.fromBytes(publicKey, false);
    const R = ed.Point.fromBytes(signature.subarray(0, 32), false);
    const S = leToBigint(signature.subarray(32));
    const k = leToBigint(sha512(concat(signature.subarray(0, 32), publicKey, message))) % L;
    const left = S === 0n ? ed.Point.ZERO : ed.Point.BASE.multiply(S);
    const right = R.add(k === 0n ? ed.Point.ZERO : A.multiplyUnsafe(k));
    return left.equals(right);
  } catch {
    return false;
  }
}

/** Signs with a 32-byte seed. Deterministic (RFC 8032), so no randomness is needed. */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  return ed.sign(message, secretKey);
}

export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return ed.getPublicKey(secretKey);
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
