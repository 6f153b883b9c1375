import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { jsonObject, openText } from '../crypto/sealed-text';
import { err, ok, type Result } from '../result';

/**
 * Drafts: what a person has typed into a composer and not sent yet [DRAFT-1..DRAFT-6]. A draft is
 * the composer's fields (by name) and when it was last typed into. Stored on the device sealed
 * with a key derived from the person's identity secret, like the safety plan (SAFE-15): when a
 * passcode protects that secret, nobody reading the storage can open a draft; the storage key the
 * draft belongs to is bound as associated data, so a sealed draft cannot be moved to another
 * composer or another group.
 */
export type DraftFields = Record<string, string>;

export interface Draft {
  fields: DraftFields;
  /** Milliseconds since the epoch when it was last typed into (for "kept from 5 minutes ago"). */
  savedAt: number;
}

/** A draft longer than this (all its fields together, in characters) is not kept [DRAFT-4]. */
export const MAX_DRAFT_CHARS = 100_000;
/** At most this many fields in a draft (a composer has a handful). */
const MAX_DRAFT_FIELDS = 16;

const VERSION = 1;
const te = new TextEncoder();
const draftKey = (identitySecret: Uint8Array) =>
  hkdf(sha256, identitySecret, undefined, te.encode('hearth/v1/draft'), 32);
const ad = (storageKey: string) => te.encode(`hearth/v1/draft\0${VERSION}\0${storageKey}`);

/** The characters a draft holds (code points, as a person counts them). */
function draftLength(fields: DraftFields): number {
  let n = 0;
  for (const v of Object.values(fields)) n += [...v].length;
  return n;
}

/** True when nothing worth keeping was typed (only spaces, or nothing). */
export function isEmptyDraft(fields: DraftFields): boolean {
  return Object.values(fields).every((v) => v.trim() === '');
}

export type DraftError = 'too-long' | 'damaged' | 'wrong-key';

/** Whether a draft may be kept: 'too-long' beyond `MAX_DRAFT_CHARS` or `MAX_DRAFT_FIELDS`. */
function checkDraft(fields: DraftFields): Result<DraftFields, 'too-long'> {
  if (Object.keys(fields).length > MAX_DRAFT_FIELDS || draftLength(fields) > MAX_DRAFT_CHARS)
    return err('too-long');
  return ok(fields);
}

/**
 * `[version] ‖ nonce(24) ‖ ciphertext` of the draft as JSON. The nonce comes from the caller
 * (the core makes no randomness). A draft that may not be kept is refused, not cut.
 */
export function sealDraft(
  draft: Draft,
  identitySecret: Uint8Array,
  storageKey: string,
  nonce: Uint8Array
): Result<Uint8Array, 'too-long'> {
  if (nonce.length !== 24) throw new Error('nonce must be 24 bytes');
  const checked = checkDraft(draft.fields);
  if (!checked.ok) return checked;
  const body = xchacha20poly1305(draftKey(identitySecret), nonce, ad(storageKey)).encrypt(
    te.encode(JSON.stringify({ f: draft.fields, t: draft.savedAt }))
  );
  const out = new Uint8Array(1 + 24 + body.length);
  out[0] = VERSION;
  out.set(nonce, 1);
  out.set(body, 25);
  return ok(out);
}

/** The largest sealed draft: every character up to 4 bytes of UTF-8, plus the JSON around it. */
const MAX_SEALED = 1 + 24 + 16 + MAX_DRAFT_CHARS * 4 + MAX_DRAFT_FIELDS * 64 + 64;

/**
 * Opens a sealed draft: 'wrong-key' for another person's (or another composer's) draft,
 * 'damaged' for altered or malformed bytes, 'too-long' for more than a draft may hold.
 */
export function openDraft(
  bytes: Uint8Array,
  identitySecret: Uint8Array,
  storageKey: string
): Result<Draft, DraftError> {
  if (bytes.length > MAX_SEALED) return err('too-long');
  if (bytes.length < 1 + 24 + 16 || bytes[0] !== VERSION) return err('damaged');
  const text = openText(
    draftKey(identitySecret),
    bytes.subarray(1, 25),
    ad(storageKey),
    bytes.subarray(25)
  );
  // Without the right key and the right composer, the tag does not verify: nothing is read.
  if (text === undefined) return err('wrong-key');
  return readDraft(text);
}

/** A draft from its JSON (sealed or, with no identity on the device yet, plain). */
export function readDraft(text: string): Result<Draft, DraftError> {
  const raw = jsonObject(text);
  if (!raw) return err('damaged');
  const { f, t } = raw;
  if (!f || typeof f !== 'object' || Array.isArray(f)) return err('damaged');
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) return err('damaged');
  const fields: DraftFields = {};
  for (const [k, v] of Object.entries(f)) {
    if (typeof v !== 'string') return err('damaged');
    fields[k] = v;
  }
  const checked = checkDraft(fields);
  if (!checked.ok) return checked;
  return ok({ fields, savedAt: t });
}

/** The JSON a plain draft is stored as (only when the device holds no identity: no passcode). */
export function plainDraft(draft: Draft): Result<string, 'too-long'> {
  const checked = checkDraft(draft.fields);
  if (!checked.ok) return checked;
  return ok(JSON.stringify({ f: draft.fields, t: draft.savedAt }));
}

/**
 * Where a draft is kept [DRAFT-1]: one per composer, named by its screen and, inside a group, the
 * group's document id and the thread or proposal it answers. `group` drafts go when the group
 * leaves the person's list (DRAFT-5).
 */
export function draftStorageKey(o: { screen: string; group?: string; item?: string }): string {
  const safe = (s: string) => s.replace(/[^0-9A-Za-z_-]/g, '_');
  return o.group
    ? `draft:g:${safe(o.group)}:${safe(o.screen)}${o.item ? `:${safe(o.item)}` : ''}`
    : `draft:a:${safe(o.screen)}${o.item ? `:${safe(o.item)}` : ''}`;
}

/** The group a stored draft belongs to, from its storage key (undefined for app-wide drafts). */
export function draftGroup(storageKey: string): string | undefined {
  const m = /^draft:g:([^:]+):/.exec(storageKey);
  return m ? m[1] : undefined;
}
