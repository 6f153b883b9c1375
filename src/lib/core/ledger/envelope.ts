import { sha256 } from '@noble/hashes/sha2.js';
import { CborError, decodeCbor, encodeCbor, type CborMap, type CborValue } from '../crypto/cbor';
import { concat, sign } from '../crypto/ed25519';
import { hexToBytes, toHex } from '../encoding/hex';

/**
 * Envelope bytes [LED-1]: `0x01 ‖ signature (64) ‖ body`. The signature is Ed25519 by the author's
 * device key over `"hearth/v1" ‖ 0x00 ‖ groupId (32) ‖ body`, so an entry cannot be replayed into
 * another group. The entry id is the hex SHA-256 of the whole envelope.
 */
const ENVELOPE_VERSION = 1;
export const MAX_ENVELOPE_BYTES = 16 * 1024;
export const MAX_PREV = 16;
const DOMAIN = new TextEncoder().encode('hearth/v1\0');

/** The fields of a body, in the order of their integer keys. */
export interface Body {
  /** Author device public key (32 bytes). */
  author: Uint8Array;
  /** Per-device sequence number, from 1. */
  seq: number;
  /** Id of this device's previous entry (seq - 1), or null for seq 1. */
  backlink: string | null;
  /** Causal heads the author had seen (entry ids, sorted, unique). */
  prev: string[];
  kind: number;
  payload: CborMap;
  /** Claimed time, whole seconds since the epoch. Advisory only [TIME-1]. */
  time: number;
}

export interface Entry extends Body {
  id: string;
  bytes: Uint8Array;
  body: Uint8Array;
  signature: Uint8Array;
  /** Hex of `author`. */
  device: string;
}

export type DecodeError = 'too-large' | 'bad-envelope' | 'bad-body';

export function entryId(bytes: Uint8Array): string {
  return toHex(sha256(bytes));
}

export function signedMessage(groupId: Uint8Array, body: Uint8Array): Uint8Array {
  return concat(DOMAIN, groupId, body);
}

export function encodeBody(b: Body): Uint8Array {
  return encodeCbor(
    // An array, not a map: field positions are fixed, and 7 bytes of keys matter when a ballot
    // must fit a constrained link (≤ 256 bytes with two causal heads).
    [
      b.author,
      b.seq,
      b.backlink === null ? null : hexToBytes(b.backlink),
      [...b.prev].sort().map(hexToBytes),
      b.kind,
      b.payload,
      b.time
    ]
  );
}

/** Signs a body and returns the envelope bytes and id. The core never makes keys: callers pass them. */
export function sealEntry(
  secretKey: Uint8Array,
  groupId: Uint8Array,
  body: Body
): { id: string; bytes: Uint8Array } {
  const encoded = encodeBody(body);
  const signature = sign(secretKey, signedMessage(groupId, encoded));
  const bytes = concat(Uint8Array.of(ENVELOPE_VERSION), signature, encoded);
  return { id: entryId(bytes), bytes };
}

const isBytes = (v: CborValue | undefined, n: number): v is Uint8Array =>
  v instanceof Uint8Array && v.length === n;

/**
 * Parses an envelope without verifying its signature [LED-2]. Every structural rule is checked here
 * (sizes, deterministic CBOR, exact body keys and types, sorted unique prev), so the reducer only
 * ever sees well-formed entries; anything else is a reason code, never an exception.
 */
export function decodeEntry(
  bytes: Uint8Array,
  knownId?: string
): { ok: true; entry: Entry } | { ok: false; error: DecodeError; id: string } {
  const id = knownId ?? entryId(bytes);
  if (bytes.length > MAX_ENVELOPE_BYTES) return { ok: false, error: 'too-large', id };
  if (bytes.length < 66 || bytes[0] !== ENVELOPE_VERSION)
    return { ok: false, error: 'bad-envelope', id };
  const signature = bytes.subarray(1, 65);
  const body = bytes.subarray(65);
  let map: CborValue;
  try {
    map = decodeCbor(body);
  } catch (e) {
    if (e instanceof CborError) return { ok: false, error: 'bad-body', id };
    throw e;
  }
  if (!Array.isArray(map) || map.length !== 7) return { ok: false, error: 'bad-body', id };
  const [author, seq, backlink, prev, kind, payload, time] = map;
  if (
    !isBytes(author, 32) ||
    typeof seq !== 'number' ||
    seq < 1 ||
    !(backlink === null || isBytes(backlink, 32)) ||
    (seq === 1) !== (backlink === null) ||
    !Array.isArray(prev) ||
    prev.length > MAX_PREV ||
    !prev.every((p) => isBytes(p, 32)) ||
    typeof kind !== 'number' ||
    kind < 0 ||
    !(payload instanceof Map) ||
    typeof time !== 'number' ||
    time < 0
  ) {
    return { ok: false, error: 'bad-body', id };
  }
  const prevIds = (prev as Uint8Array[]).map(toHex);
  for (let i = 1; i < prevIds.length; i++)
    if (prevIds[i - 1]! >= prevIds[i]!) return { ok: false, error: 'bad-body', id };
  return {
    ok: true,
    entry: {
      id,
      bytes,
      body,
      signature,
      author,
      device: toHex(author),
      seq,
      backlink: backlink === null ? null : toHex(backlink),
      prev: prevIds,
      kind,
      payload,
      time
    }
  };
}
