import { fromHex, toHex } from '../encoding/hex';
import { looksLikeDocumentId } from '../group/links';
import {
  PASSCODE_KDF,
  passcodeKey,
  unwrapSecret,
  wrapSecret,
  type WrappedSecret
} from '../crypto/passcode';
import { err, ok, type Result } from '../result';

/**
 * Moving an identity to another phone [ID-5, ID-6]. One text format serves both ways, so the same
 * "scan or paste" screen reads either:
 * - a **backup** holds a device key of the identity; the phone that restores it makes its own new
 *   device key and uses the backed-up one only to add itself to each group (one DeviceAdd entry),
 *   so two phones never write the same device chain;
 * - a **link** holds a brand-new device key that the member's first phone has already added to
 *   every group; the second phone simply takes it.
 * The key may be sealed with a passphrase (scrypt + XChaCha20-Poly1305, as the passcode).
 */
export type TransferKind = 'backup' | 'link';

export interface Transfer {
  kind: TransferKind;
  /** The pseudonym the person uses. */
  name: string;
  /** Group documents to open on the new phone. */
  groups: string[];
  /** The device seed, or the seed sealed with a passphrase. */
  key: { seed: Uint8Array } | { sealed: WrappedSecret };
}

const TRANSFER_MAX_GROUPS = 60;
const TAG = 'hearth-identity';

interface Wire {
  hearth: typeof TAG;
  v: 1;
  kind: TransferKind;
  name: string;
  groups: string[];
  seed?: string;
  sealed?: { N: number; r: number; p: number; salt: string; nonce: string; data: string };
}

/** The text of a backup or link (JSON, small enough for one QR code with a few dozen groups). */
export function encodeTransfer(t: Transfer): string {
  const wire: Wire = { hearth: TAG, v: 1, kind: t.kind, name: t.name, groups: t.groups };
  if ('seed' in t.key) wire.seed = toHex(t.key.seed);
  else {
    const s = t.key.sealed;
    wire.sealed = {
      ...s.params,
      salt: toHex(s.salt),
      nonce: toHex(s.nonce),
      data: toHex(s.data)
    };
  }
  return JSON.stringify(wire);
}

export type TransferError = 'not-hearth' | 'damaged' | 'too-new';

/** Reads a backup or link text; never throws. */
export function decodeTransfer(text: string): Result<Transfer, TransferError> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.trim());
  } catch {
    return err(text.includes(TAG) ? 'damaged' : 'not-hearth');
  }
  if (!raw || typeof raw !== 'object' || (raw as Wire).hearth !== TAG) return err('not-hearth');
  const w = raw as Partial<Wire>;
  if (typeof w.v === 'number' && w.v > 1) return err('too-new');
  if (
    w.v !== 1 ||
    (w.kind !== 'backup' && w.kind !== 'link') ||
    typeof w.name !== 'string' ||
    [...w.name.trim()].length < 1 ||
    [...w.name].length > 60 ||
    !Array.isArray(w.groups) ||
    w.groups.length > TRANSFER_MAX_GROUPS ||
    !w.groups.every((g) => typeof g === 'string' && looksLikeDocumentId(g))
  )
    return err('damaged');
  const groups = [...new Set(w.groups)];
  if (typeof w.seed === 'string') {
    const seed = fromHex(w.seed);
    if (!seed || seed.length !== 32 || w.sealed !== undefined) return err('damaged');
    return ok({ kind: w.kind, name: w.name.trim(), groups, key: { seed } });
  }
  const s = w.sealed;
  if (!s || typeof s !== 'object') return err('damaged');
  const salt = typeof s.salt === 'string' ? fromHex(s.salt) : undefined;
  const nonce = typeof s.nonce === 'string' ? fromHex(s.nonce) : undefined;
  const data = typeof s.data === 'string' ? fromHex(s.data) : undefined;
  const params = { N: s.N, r: s.r, p: s.p };
  const sane =
    Number.isInteger(params.N) &&
    params.N >= 2 ** 10 &&
    params.N <= 2 ** 20 &&
    (params.N & (params.N - 1)) === 0 &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 16 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 4;
  if (!salt || salt.length < 16 || !nonce || nonce.length !== 24 || !data || !sane)
    return err('damaged');
  if (data.length !== 48) return err('damaged');
  return ok({
    kind: w.kind,
    name: w.name.trim(),
    groups,
    key: { sealed: { v: 1, kdf: 'scrypt', params, salt, nonce, data } }
  });
}

/**
 * Seals a seed with a passphrase's key-encryption key (`passcodeKey(passphrase, salt)`, or the
 * async scrypt with the same parameters); salt (16 bytes) and nonce (24) come from the caller.
 */
export function sealSeed(
  seed: Uint8Array,
  kek: Uint8Array,
  salt: Uint8Array,
  nonce: Uint8Array
): { sealed: WrappedSecret } {
  return { sealed: wrapSecret(seed, kek, salt, nonce, PASSCODE_KDF) };
}

/** The seed of a transfer; for a sealed one, `kek` must come from the right passphrase. */
export function transferSeed(t: Transfer, kek?: Uint8Array): Uint8Array | undefined {
  if ('seed' in t.key) return t.key.seed;
  if (!kek) return undefined;
  const seed = unwrapSecret(t.key.sealed, kek);
  return seed && seed.length === 32 ? seed : undefined;
}

/** Convenience for tests and the CLI: the seed for a passphrase (synchronous scrypt). */
export function openTransfer(t: Transfer, passphrase: string): Uint8Array | undefined {
  if ('seed' in t.key) return t.key.seed;
  const w = t.key.sealed;
  return transferSeed(t, passcodeKey(passphrase, w.salt, w.params));
}
