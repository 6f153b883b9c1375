import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../crypto/ed25519';
import { jsonObject, openText } from '../crypto/sealed-text';
import { err, ok, type Result } from '../result';
import { fromBase64Url, toBase64Url } from '../encoding/base64url';
import { readWakeTarget } from '../notify/wake';

/**
 * What an invitation says about its group [INV-5]: the group's name, its description and a
 * summary of its rules, sealed with a key derived from the invitation secret (HKDF-SHA256, info
 * `"hearth/v1/invite-card"`) and carried by the invite entry (field `c`). Whoever holds the link
 * reads which group it is before being asked anything; the relay, and anyone else who sees the
 * entries but not the link, reads nothing. See ADR 0027.
 */
export interface InviteCard {
  name: string;
  description: string;
  /** The rules as they were when the invitation was made, shortened to fit (`cut` says so). */
  rules: string;
  cut: boolean;
  /**
   * Where to wake the inviter's phone when someone applies [PUSH-19]: its push handle, relay and
   * X25519 key, when the inviter had notifications on. Only link holders read it.
   */
  wake?: { handle: Uint8Array; relay: string; x25519: Uint8Array };
}

export const CARD_NAME_MAX = 60;
const CARD_DESCRIPTION_MAX = 500;
export const CARD_RULES_MAX = 2000;
/** The sealed card's largest size: well inside an entry's 16 KiB. */
export const MAX_INVITE_CARD_BYTES = 6 * 1024;
const OVERHEAD = 24 + 16;

const te = new TextEncoder();
const INFO = te.encode('hearth/v1/invite-card');
const AD = te.encode('hearth/v1/invite-card\0');

export function inviteCardKey(inviteSecret: Uint8Array): Uint8Array {
  return hkdf(sha256, inviteSecret, undefined, INFO, 32);
}

const chars = (s: string, n: number) => [...s].slice(0, n).join('');

/**
 * Seals the card for the invite entry: `nonce(24) ‖ ciphertext`, bound to the group id. Longer
 * fields are shortened (the rules last, by whole characters) so the sealed card always fits.
 */
export function sealInviteCard(
  card: {
    name: string;
    description: string;
    rules: string;
    wake?: { handle: Uint8Array; relay: string; x25519: Uint8Array };
  },
  inviteSecret: Uint8Array,
  groupId: Uint8Array,
  nonce: Uint8Array
): Uint8Array {
  if (nonce.length !== 24) throw new Error('nonce must be 24 bytes');
  const name = chars(card.name, CARD_NAME_MAX);
  const description = chars(card.description, CARD_DESCRIPTION_MAX);
  let rules = chars(card.rules, CARD_RULES_MAX);
  let cut = rules !== card.rules;
  const w = card.wake
    ? { h: toBase64Url(card.wake.handle), r: card.wake.relay, x: toBase64Url(card.wake.x25519) }
    : undefined;
  let plain = te.encode(JSON.stringify({ n: name, d: description, r: rules, c: cut ? 1 : 0, w }));
  while (plain.length + OVERHEAD > MAX_INVITE_CARD_BYTES) {
    const all = [...rules];
    rules = all.slice(0, Math.floor(all.length * 0.9)).join('');
    cut = true;
    plain = te.encode(JSON.stringify({ n: name, d: description, r: rules, c: 1, w }));
  }
  const body = xchacha20poly1305(inviteCardKey(inviteSecret), nonce, concat(AD, groupId)).encrypt(
    plain
  );
  return concat(nonce, body);
}

export type InviteCardError = 'wrong-key' | 'damaged' | 'too-long';

/**
 * Opens an invitation's card: 'wrong-key' for another invitation's secret or another group,
 * 'damaged' for changed bytes or content that is not a card, 'too-long' for more than a card may
 * be. Names with characters that could hide or reorder text are the caller's to check.
 */
export function openInviteCard(
  sealed: Uint8Array,
  inviteSecret: Uint8Array,
  groupId: Uint8Array
): Result<InviteCard, InviteCardError> {
  if (sealed.length > MAX_INVITE_CARD_BYTES) return err('too-long');
  if (sealed.length < OVERHEAD) return err('damaged');
  const text = openText(
    inviteCardKey(inviteSecret),
    sealed.subarray(0, 24),
    concat(AD, groupId),
    sealed.subarray(24)
  );
  if (text === undefined) return err('wrong-key');
  const raw = jsonObject(text);
  if (!raw) return err('damaged');
  const { n, d, r, c } = raw;
  if (typeof n !== 'string' || typeof d !== 'string' || typeof r !== 'string')
    return err('damaged');
  if (
    [...n].length > CARD_NAME_MAX ||
    [...d].length > CARD_DESCRIPTION_MAX ||
    [...r].length > CARD_RULES_MAX
  )
    return err('too-long');
  // The inviter's wake target, when well formed; anything else is left out (the card stands).
  const target = readWakeTarget(raw.w);
  const x = (raw.w as { x?: unknown } | undefined)?.x;
  const x25519 = typeof x === 'string' ? fromBase64Url(x) : undefined;
  const wake = target && x25519?.length === 32 ? { ...target, x25519 } : undefined;
  return ok({ name: n, description: d, rules: r, cut: c === 1, ...(wake ? { wake } : {}) });
}

/**
 * The invitation link's own card [INV-8]: the group's name and the start of its description,
 * sealed like the entry's card (a key from the invitation secret; HKDF info
 * `"hearth/v1/invite-link-card"`) but bound to the group's document id, which the link carries,
 * since the group id is inside the document. It lets a slow phone say which group this is with
 * the first screen, before Automerge has loaded and the document has arrived. Whoever holds the
 * link can make such a card, so it is shown only until the document's own card (written by the
 * inviter, in the signed ledger) can be read, and then that one stands.
 */
export interface LinkCard {
  name: string;
  description: string;
}

/** Short, so a link stays easy to send and its QR code easy to scan. */
export const LINK_CARD_DESCRIPTION_MAX = 140;
/** The sealed link card's largest size, before base64url. */
const MAX_LINK_CARD_BYTES = 1024;
const LINK_INFO = te.encode('hearth/v1/invite-link-card');
const LINK_AD = 'hearth/v1/invite-link-card\0';

function linkCardKey(inviteSecret: Uint8Array): Uint8Array {
  return hkdf(sha256, inviteSecret, undefined, LINK_INFO, 32);
}

/** Seals the link card: `nonce(24) ‖ ciphertext`, base64url, bound to the document id. */
export function sealLinkCard(
  card: LinkCard,
  inviteSecret: Uint8Array,
  documentId: string,
  nonce: Uint8Array
): string {
  if (nonce.length !== 24) throw new Error('nonce must be 24 bytes');
  const name = chars(card.name, CARD_NAME_MAX);
  const all = [...card.description];
  const description =
    all.length > LINK_CARD_DESCRIPTION_MAX
      ? `${all.slice(0, LINK_CARD_DESCRIPTION_MAX - 1).join('')}…`
      : card.description;
  const plain = te.encode(JSON.stringify({ n: name, d: description }));
  const body = xchacha20poly1305(
    linkCardKey(inviteSecret),
    nonce,
    te.encode(LINK_AD + documentId)
  ).encrypt(plain);
  return toBase64Url(concat(nonce, body));
}

/**
 * Opens a link card: 'wrong-key' for another invitation's secret or another group's link,
 * 'damaged' for changed or malformed text, 'too-long' for more than a link card may be.
 */
export function openLinkCard(
  sealed: string,
  inviteSecret: Uint8Array,
  documentId: string
): Result<LinkCard, InviteCardError> {
  if (sealed.length > Math.ceil((MAX_LINK_CARD_BYTES * 4) / 3)) return err('too-long');
  const bytes = fromBase64Url(sealed);
  if (!bytes || bytes.length < OVERHEAD) return err('damaged');
  const text = openText(
    linkCardKey(inviteSecret),
    bytes.subarray(0, 24),
    te.encode(LINK_AD + documentId),
    bytes.subarray(24)
  );
  if (text === undefined) return err('wrong-key');
  const raw = jsonObject(text);
  if (!raw || typeof raw.n !== 'string' || typeof raw.d !== 'string') return err('damaged');
  if ([...raw.n].length > CARD_NAME_MAX || [...raw.d].length > LINK_CARD_DESCRIPTION_MAX)
    return err('too-long');
  return ok({ name: raw.n, description: raw.d });
}
