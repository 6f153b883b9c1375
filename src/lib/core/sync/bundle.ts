import { sha256 } from '@noble/hashes/sha2.js';
import { deflateSync, inflateSync } from 'fflate';
import { toHex } from '../encoding/hex';
import { err, ok, type Result } from '../result';

/**
 * A `.hearth` sync bundle [SNK-1]: a group's document (or only the changes a receiver lacks) in a
 * file that can travel on a USB stick, by Bluetooth, in a chat, or as a series of QR codes.
 *
 *   "HRTH" ‖ version (1 byte) ‖ header length (4 bytes, big-endian) ‖ header (UTF-8 JSON) ‖ body
 *
 * The header says what the bundle holds; the body is the Automerge document bytes (a full save,
 * or the changes since the receiver's heads), DEFLATE-compressed, with its SHA-256 in the header.
 * This codec only frames and checks bytes: what the document says is verified by the importer
 * like any other input (every entry's signature against the group) before anything is merged.
 */

const BUNDLE_MAGIC = new Uint8Array([0x48, 0x52, 0x54, 0x48]); // "HRTH"
const BUNDLE_VERSION = 1;
export { BUNDLE_EXTENSION } from './bundle-name';
/** A bundle larger than this (compressed or not) is refused before it is read further. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
const MAX_HEADER_BYTES = 64 * 1024;

export interface BundleHeader {
  format: 'hearth-bundle';
  v: typeof BUNDLE_VERSION;
  /** The group (hex of its 32-byte id) and its document id. */
  groupId: string;
  documentId: string;
  /** `full`: the whole document; `since`: only changes after the receiver's heads. */
  scope: 'full' | 'since';
  /** The receiver's Automerge heads the changes start after (empty for `full`). */
  since: string[];
  /** The sender's Automerge heads: where the document is once the bundle is applied. */
  heads: string[];
  /** Ledger entries in the sender's document (for the progress and the summary). */
  entries: number;
  /** Seconds, when the bundle was made. */
  created: number;
  /** The body before compression: its length and SHA-256. */
  rawBytes: number;
  sha256: string;
}

export type BundleError = 'not-a-bundle' | 'newer-version' | 'truncated' | 'corrupt' | 'too-large';

const te = new TextEncoder();
const td = new TextDecoder('utf-8', { fatal: true });

export function encodeBundle(
  header: Omit<BundleHeader, 'format' | 'v' | 'rawBytes' | 'sha256'>,
  body: Uint8Array
): Uint8Array {
  const full: BundleHeader = {
    format: 'hearth-bundle',
    v: BUNDLE_VERSION,
    ...header,
    rawBytes: body.length,
    sha256: toHex(sha256(body))
  };
  const head = te.encode(JSON.stringify(full));
  const packed = deflateSync(body, { level: 9 });
  const out = new Uint8Array(4 + 1 + 4 + head.length + packed.length);
  out.set(BUNDLE_MAGIC, 0);
  out[4] = BUNDLE_VERSION;
  new DataView(out.buffer).setUint32(5, head.length);
  out.set(head, 9);
  out.set(packed, 9 + head.length);
  return out;
}

const HEX = /^[0-9a-f]+$/;
const isHexList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length <= 1024 && v.every((x) => typeof x === 'string' && HEX.test(x));

function checkHeader(h: unknown): h is BundleHeader {
  if (typeof h !== 'object' || h === null) return false;
  const x = h as Record<string, unknown>;
  return (
    x.format === 'hearth-bundle' &&
    x.v === BUNDLE_VERSION &&
    typeof x.groupId === 'string' &&
    /^[0-9a-f]{64}$/.test(x.groupId) &&
    typeof x.documentId === 'string' &&
    /^[1-9A-HJ-NP-Za-km-z]{20,40}$/.test(x.documentId) &&
    (x.scope === 'full' || x.scope === 'since') &&
    isHexList(x.since) &&
    isHexList(x.heads) &&
    typeof x.entries === 'number' &&
    Number.isInteger(x.entries) &&
    x.entries >= 0 &&
    typeof x.created === 'number' &&
    typeof x.rawBytes === 'number' &&
    Number.isInteger(x.rawBytes) &&
    x.rawBytes >= 0 &&
    x.rawBytes <= MAX_BUNDLE_BYTES &&
    typeof x.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(x.sha256)
  );
}

/** Reads the header only (for a summary before importing); the body is not touched. */
export function readBundleHeader(bytes: Uint8Array): Result<BundleHeader, BundleError> {
  if (bytes.length > MAX_BUNDLE_BYTES) return err('too-large', 'the file is larger than 64 MB');
  if (bytes.length < 9 || !BUNDLE_MAGIC.every((b, i) => bytes[i] === b))
    return err('not-a-bundle', 'this is not a Hearth sync file');
  if (bytes[4]! > BUNDLE_VERSION)
    return err('newer-version', 'this file was made by a newer Hearth; update the app first');
  if (bytes[4] !== BUNDLE_VERSION) return err('not-a-bundle', 'unknown sync file version');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5);
  if (length > MAX_HEADER_BYTES) return err('corrupt', 'the file header is damaged');
  if (bytes.length < 9 + length) return err('truncated', 'the file is incomplete');
  let header: unknown;
  try {
    header = JSON.parse(td.decode(bytes.subarray(9, 9 + length)));
  } catch {
    return err('corrupt', 'the file header is damaged');
  }
  if (!checkHeader(header)) return err('corrupt', 'the file header is damaged');
  return ok(header);
}

/** Reads a whole bundle: the header, then the body, decompressed and checked against its hash. */
export function decodeBundle(
  bytes: Uint8Array
): Result<{ header: BundleHeader; body: Uint8Array }, BundleError> {
  const h = readBundleHeader(bytes);
  if (!h.ok) return h;
  const header = h.value;
  const start = 9 + new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(5);
  let body: Uint8Array;
  try {
    // Into a buffer of the announced size: a body that would inflate past it is refused.
    const out = new Uint8Array(header.rawBytes);
    body = inflateSync(bytes.subarray(start), { out });
  } catch {
    return err('truncated', 'the file is incomplete or damaged');
  }
  if (body.length !== header.rawBytes) return err('truncated', 'the file is incomplete');
  if (toHex(sha256(body)) !== header.sha256)
    return err('corrupt', 'the file is damaged (its contents do not match its checksum)');
  return ok({ header, body });
}

/**
 * What a receiving phone shows (as a QR code or text) so a sender makes a file of only what it
 * lacks [SNK-2]: `hearth-heads:1:<document id>:<head>,<head>…`.
 */
export function headsCode(documentId: string, heads: string[]): string {
  return `hearth-heads:1:${documentId}:${heads.join(',')}`;
}

export function parseHeadsCode(
  text: string
): Result<{ documentId: string; heads: string[] }, 'not-a-heads-code'> {
  const m =
    /^hearth-heads:1:([1-9A-HJ-NP-Za-km-z]{20,40}):((?:[0-9a-f]{64})(?:,[0-9a-f]{64}){0,63})$/.exec(
      text.trim()
    );
  if (!m) return err('not-a-heads-code', 'this is not the code of a Hearth group on another phone');
  return ok({ documentId: m[1]!, heads: m[2]!.split(',') });
}
