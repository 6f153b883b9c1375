import { precheck, verifyStrict } from '$core/crypto/ed25519';

/**
 * The fast signature path: WebCrypto Ed25519 (≈10× faster than pure JS) behind the same strict
 * precheck as the reference path, so both give the same verdict [SIG-1]. Falls back to the pure
 * JavaScript path where WebCrypto has no Ed25519.
 */
let webCryptoEd25519: boolean | undefined;

/**
 * Imported keys by public key: a group's entries come from few devices, and importing is a good
 * part of each check's cost. Bounded, so a flood of outsiders' keys cannot grow it without end.
 */
const imported = new Map<string, Promise<CryptoKey>>();
const MAX_IMPORTED = 4096;

function keyFor(publicKey: Uint8Array): Promise<CryptoKey> {
  const id = String.fromCharCode(...publicKey);
  let key = imported.get(id);
  if (!key) {
    if (imported.size >= MAX_IMPORTED) imported.delete(imported.keys().next().value!);
    key = crypto.subtle.importKey('raw', Uint8Array.from(publicKey), { name: 'Ed25519' }, false, [
      'verify'
    ]);
    imported.set(id, key);
    // A key WebCrypto refuses is not kept: the next check tries (and falls back) afresh.
    key.catch(() => imported.delete(id));
  }
  return key;
}

export async function verifyFast(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array
): Promise<boolean> {
  if (!precheck(publicKey, signature)) return false;
  if (webCryptoEd25519 !== false) {
    try {
      const key = await keyFor(publicKey);
      webCryptoEd25519 = true;
      return await crypto.subtle.verify(
        { name: 'Ed25519' },
        key,
        signature as Uint8Array<ArrayBuffer>,
        message as Uint8Array<ArrayBuffer>
      );
    } catch (e) {
      if (webCryptoEd25519 === true) return false; // supported, and this key was refused
      webCryptoEd25519 = false;
      void e;
    }
  }
  return verifyStrict(publicKey, message, signature);
}
