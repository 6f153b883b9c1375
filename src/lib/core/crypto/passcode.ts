import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { scrypt } from '@noble/hashes/scrypt.js';
import { concat } from './ed25519';

// The rules for a new passcode live apart from the crypto, so screens can check one without
// loading scrypt.
export { checkNewPasscode, PASSCODE_MIN, type PasscodeProblem } from './passcode-rules';

/**
 * Device keys at rest under an optional passcode [KEY-1]. scrypt (memory-hard) turns the passcode
 * into a key-encryption key; XChaCha20-Poly1305 wraps the secret, with the format and parameters
 * bound as associated data so they cannot be swapped. Salt and nonce are passed in (the core
 * makes no randomness). The parameters are stored with the wrapped key, so they can be raised
 * later without locking anyone out.
 */
export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** ≈16 MiB and well under a second on a low-end phone (pure JS); raise as phones get faster. */
export const PASSCODE_KDF: KdfParams = { N: 2 ** 14, r: 8, p: 1 };

export interface WrappedSecret {
  v: 1;
  kdf: 'scrypt';
  params: KdfParams;
  salt: Uint8Array;
  nonce: Uint8Array;
  data: Uint8Array;
}

const AD = new TextEncoder().encode('hearth/v1/passcode\0');

function ad(w: Pick<WrappedSecret, 'v' | 'params'>): Uint8Array {
  return concat(
    AD,
    Uint8Array.of(w.v),
    new TextEncoder().encode(`${w.params.N}/${w.params.r}/${w.params.p}`)
  );
}

/** The key-encryption key for a passcode (synchronous; adapters may run the async variant). */
export function passcodeKey(
  passcode: string,
  salt: Uint8Array,
  params: KdfParams = PASSCODE_KDF
): Uint8Array {
  return scrypt(passcode.normalize('NFC'), salt, { ...params, dkLen: 32 });
}

export function wrapSecret(
  secret: Uint8Array,
  kek: Uint8Array,
  salt: Uint8Array,
  nonce: Uint8Array,
  params: KdfParams = PASSCODE_KDF
): WrappedSecret {
  const head = { v: 1 as const, params };
  return {
    ...head,
    kdf: 'scrypt',
    salt,
    nonce,
    data: xchacha20poly1305(kek, nonce, ad(head)).encrypt(secret)
  };
}

/** The secret, or undefined for a wrong passcode or any altered byte or parameter. */
export function unwrapSecret(w: WrappedSecret, kek: Uint8Array): Uint8Array | undefined {
  try {
    return xchacha20poly1305(kek, w.nonce, ad(w)).decrypt(w.data);
  } catch {
    return undefined;
  }
}
