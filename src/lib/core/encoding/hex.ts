const DIGITS = [...'0123456789abcdef'].map((c) => c.charCodeAt(0));
let codes = new Uint16Array(128);

/**
 * Lower-case hex of bytes; used for entry ids, key fingerprints and stable ids (hot path). Built
 * as one flat string: a string grown by `+=` is a rope, and ids are compared and hashed often.
 */
export function toHex(bytes: Uint8Array): string {
  if (codes.length < bytes.length * 2) codes = new Uint16Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    codes[2 * i] = DIGITS[bytes[i]! >> 4]!;
    codes[2 * i + 1] = DIGITS[bytes[i]! & 15]!;
  }
  let out = '';
  const n = bytes.length * 2;
  for (let i = 0; i < n; i += 4096)
    out += String.fromCharCode.apply(
      null,
      codes.subarray(i, Math.min(n, i + 4096)) as unknown as number[]
    );
  return out;
}

/** Parses even-length hex; returns undefined for anything else rather than guessing. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Bytes of hex the code itself produced (entry ids, keys in the state). Throws on anything else:
 * for input from outside, use `fromHex`, which returns undefined instead.
 */
export function hexToBytes(hex: string): Uint8Array {
  const bytes = fromHex(hex);
  if (!bytes) throw new RangeError('not hex');
  return bytes;
}
