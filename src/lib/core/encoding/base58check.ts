import { sha256 } from '@noble/hashes/sha2.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const VALUE = new Map([...ALPHABET].map((c, i) => [c, i]));

/** Base58 (the Bitcoin alphabet) to bytes; undefined for any other character. */
function base58Decode(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const c of text) {
    let carry = VALUE.get(c);
    if (carry === undefined) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    for (; carry > 0; carry >>= 8) bytes.push(carry & 0xff);
  }
  // Each leading '1' is a leading zero byte.
  for (let i = 0; i < text.length && text[i] === '1'; i++) bytes.push(0);
  return Uint8Array.from(bytes.reverse());
}

/**
 * The payload of a base58check string (the last 4 bytes are the first 4 of the payload's double
 * SHA-256), or undefined when it is not one. Automerge document ids are written this way; the
 * page checks links with this instead of loading automerge-repo.
 */
export function base58CheckDecode(text: string): Uint8Array | undefined {
  const bytes = base58Decode(text);
  if (!bytes || bytes.length < 4) return undefined;
  const payload = bytes.subarray(0, bytes.length - 4);
  const sum = sha256(sha256(payload));
  for (let i = 0; i < 4; i++) if (sum[i] !== bytes[payload.length + i]) return undefined;
  return payload;
}
