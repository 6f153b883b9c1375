/**
 * Deterministic CBOR (RFC 8949 §4.2.1 core deterministic encoding), a strict subset:
 * unsigned and negative integers (safe range), byte strings, text strings, arrays, maps whose keys
 * are unsigned integers or text, booleans and null. No floats, tags or indefinite lengths.
 *
 * The decoder refuses anything the encoder would not produce (non-shortest heads, unsorted or
 * duplicate map keys, trailing bytes, invalid UTF-8, nesting deeper than 16), so one value has
 * exactly one encoding. Signatures are checked over stored bytes; strictness guarantees that the
 * bytes and the meaning the reducer acts on cannot drift apart.
 */
export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | CborMap;
export type CborMap = Map<number | string, CborValue>;

export class CborError extends Error {
  override name = 'CborError';
}

const MAX_DEPTH = 16;
const utf8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF: dropping it made "\uFEFFc" read as "c" [RED-13].
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeCbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  write(value, out, 0);
  return Uint8Array.from(out);
}

function head(major: number, n: number, out: number[]): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new CborError('length or integer out of range');
  const m = major << 5;
  if (n < 24) out.push(m | n);
  else if (n < 0x100) out.push(m | 24, n);
  else if (n < 0x10000) out.push(m | 25, n >> 8, n & 0xff);
  else if (n < 0x100000000)
    out.push(m | 26, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
  else {
    const hi = Math.floor(n / 0x100000000);
    const lo = n >>> 0;
    out.push(
      m | 27,
      0,
      (hi >>> 16) & 0xff,
      (hi >>> 8) & 0xff,
      hi & 0xff,
      (lo >>> 24) & 0xff,
      (lo >>> 16) & 0xff,
      (lo >>> 8) & 0xff,
      lo & 0xff
    );
  }
}

function write(v: CborValue, out: number[], depth: number): void {
  if (depth > MAX_DEPTH) throw new CborError('nesting too deep');
  if (v === null) out.push(0xf6);
  else if (v === false) out.push(0xf4);
  else if (v === true) out.push(0xf5);
  else if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new CborError('only safe integers are encodable');
    if (v >= 0) head(0, v, out);
    else head(1, -1 - v, out);
  } else if (typeof v === 'string') {
    const bytes = utf8.encode(v);
    head(3, bytes.length, out);
    for (const b of bytes) out.push(b);
  } else if (v instanceof Uint8Array) {
    head(2, v.length, out);
    for (const b of v) out.push(b);
  } else if (Array.isArray(v)) {
    head(4, v.length, out);
    for (const item of v) write(item, out, depth + 1);
  } else {
    const entries = [...v.entries()].map(([k, val]) => {
      const key: number[] = [];
      if (typeof k === 'number') {
        if (!Number.isSafeInteger(k) || k < 0)
          throw new CborError('map keys must be unsigned integers or text');
        head(0, k, key);
      } else write(k, key, depth + 1);
      return { key, val };
    });
    entries.sort((a, b) => compareBytes(a.key, b.key));
    for (let i = 1; i < entries.length; i++) {
      if (compareBytes(entries[i - 1]!.key, entries[i]!.key) === 0)
        throw new CborError('duplicate map key');
    }
    head(5, entries.length, out);
    for (const { key, val } of entries) {
      for (const b of key) out.push(b);
      write(val, out, depth + 1);
    }
  }
}

/** Bytewise lexicographic order of encoded keys (RFC 8949 deterministic ordering). */
function compareBytes(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Decodes exactly one deterministic CBOR value that spans all of `bytes`; throws CborError otherwise. */
export function decodeCbor(bytes: Uint8Array): CborValue {
  const state = { pos: 0 };
  const value = read(bytes, state, 0);
  if (state.pos !== bytes.length) throw new CborError('trailing bytes');
  return value;
}

// The last head read (module state instead of an object per item: decoding is a hot path).
let hMajor = 0;
let hN = 0;
let hInfo = 0;

function readHead(bytes: Uint8Array, s: { pos: number }): void {
  if (s.pos >= bytes.length) throw new CborError('truncated');
  const first = bytes[s.pos++]!;
  hMajor = first >> 5;
  hInfo = first & 0x1f;
  if (hInfo < 24) {
    hN = hInfo;
    return;
  }
  const size = hInfo === 24 ? 1 : hInfo === 25 ? 2 : hInfo === 26 ? 4 : hInfo === 27 ? 8 : 0;
  if (size === 0) {
    if (hMajor === 7) {
      hN = hInfo;
      return;
    }
    throw new CborError('indefinite lengths and reserved values are not allowed');
  }
  if (s.pos + size > bytes.length) throw new CborError('truncated');
  let n = 0;
  for (let i = 0; i < size; i++) n = n * 256 + bytes[s.pos++]!;
  if (!Number.isSafeInteger(n)) throw new CborError('integer out of safe range');
  const min = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000;
  if (hMajor !== 7 && n < min) throw new CborError('non-shortest encoding');
  hN = n;
}

/** Compares two ranges of one buffer bytewise (for map key order without making views). */
function compareRanges(b: Uint8Array, a0: number, a1: number, c0: number, c1: number): number {
  const n = Math.min(a1 - a0, c1 - c0);
  for (let i = 0; i < n; i++) if (b[a0 + i] !== b[c0 + i]) return b[a0 + i]! - b[c0 + i]!;
  return a1 - a0 - (c1 - c0);
}

function asciiText(bytes: Uint8Array, start: number, end: number): string | undefined {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return undefined;
    out += String.fromCharCode(c);
  }
  return out;
}

/**
 * Byte strings are returned as views into `bytes` (no copy): callers pass buffers they own and
 * never mutate (envelopes are immutable once stored).
 */
function read(bytes: Uint8Array, s: { pos: number }, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new CborError('nesting too deep');
  const start = s.pos;
  readHead(bytes, s);
  const major = hMajor;
  const n = hN;
  switch (major) {
    case 0:
      return n;
    case 1:
      return -1 - n;
    case 2:
    case 3: {
      if (s.pos + n > bytes.length) throw new CborError('truncated');
      const from = s.pos;
      s.pos += n;
      if (major === 2) return bytes.subarray(from, from + n);
      const ascii = n <= 64 ? asciiText(bytes, from, from + n) : undefined;
      if (ascii !== undefined) return ascii;
      try {
        return utf8Strict.decode(bytes.subarray(from, from + n));
      } catch {
        throw new CborError('invalid UTF-8');
      }
    }
    case 4: {
      if (n > bytes.length - s.pos) throw new CborError('truncated');
      const arr: CborValue[] = [];
      for (let i = 0; i < n; i++) arr.push(read(bytes, s, depth + 1));
      return arr;
    }
    case 5: {
      if (n > bytes.length - s.pos) throw new CborError('truncated');
      const map: CborMap = new Map();
      let prevStart = -1;
      let prevEnd = -1;
      for (let i = 0; i < n; i++) {
        const keyStart = s.pos;
        const key = read(bytes, s, depth + 1);
        if (typeof key !== 'string' && (typeof key !== 'number' || key < 0))
          throw new CborError('map keys must be unsigned integers or text');
        if (prevStart >= 0 && compareRanges(bytes, prevStart, prevEnd, keyStart, s.pos) >= 0)
          throw new CborError('map keys unsorted or duplicated');
        prevStart = keyStart;
        prevEnd = s.pos;
        map.set(key, read(bytes, s, depth + 1));
      }
      return map;
    }
    case 7:
      if (hInfo === 20) return false;
      if (hInfo === 21) return true;
      if (hInfo === 22) return null;
      throw new CborError(`unsupported simple value or float at ${start}`);
    default:
      throw new CborError('tags are not allowed');
  }
}
