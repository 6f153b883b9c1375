import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';

const td = new TextDecoder();

/**
 * Opens XChaCha20-Poly1305 ciphertext as UTF-8 text: undefined when the key, the nonce or the
 * associated data is not the one it was sealed with, or the bytes were changed.
 */
export function openText(
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
  box: Uint8Array
): string | undefined {
  try {
    return td.decode(xchacha20poly1305(key, nonce, ad).decrypt(box));
  } catch {
    return undefined;
  }
}

/** JSON text that must hold an object (not an array, not a value): the object, or undefined. */
export function jsonObject(text: string): Record<string, unknown> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  return raw && typeof raw === 'object' && !Array.isArray(raw)
    ? (raw as Record<string, unknown>)
    : undefined;
}
