import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../crypto/ed25519';
import { fromBase64Url } from '../encoding/base64url';

/**
 * What a wake carries and how it is sealed [PUSH-11, PUSH-12, PUSH-13]. A device that wants
 * another device notified names the recipient's push handle at the relay with a message sealed
 * to the recipient's X25519 key; the relay and the push service see only the handle and
 * ciphertext. Randomness (the ephemeral key) and time are passed in: this module makes none.
 *
 * The message carries no words: only a kind, a group, the screen to open and a time. The words a
 * person sees are the recipient app's own, chosen by kind and by the person's notification mode,
 * so a member who can wake someone cannot put text on their lock screen.
 */
const te = new TextEncoder();
const HANDLE_INFO = te.encode('hearth/v1/push-handle\0');
const WAKE = te.encode('hearth/v1/wake\0');

const HANDLE_BYTES = 16;
/** The relay takes at most 1 KiB of sealed bytes per wake. */
export const MAX_SEALED = 1024;
const OVERHEAD = 32 + 16;
const PAD = 256;

export type WakeKind = 'checkin' | 'reply' | 'application' | 'vote' | 'mention' | 'review';
const WAKE_KINDS: readonly WakeKind[] = [
  'checkin',
  'reply',
  'application',
  'vote',
  'mention',
  'review'
];

export interface WakeMessage {
  kind: WakeKind;
  /** The group's document id, so the notification can be grouped and muted per group. */
  group: string;
  /** The screen to open: a path inside the app (`/group#<id>/...`), never another origin. */
  path: string;
  /** When it was asked, seconds since 1970 (the sender's clock). */
  at: number;
}

/**
 * A device's push handle for one group and key epoch [PUSH-11]: HKDF of a 32-byte secret only the
 * device holds. Different groups see unrelated handles (no member can tell that two groups share
 * a device), and a new epoch gives a new handle, so a removed member's copy stops working once
 * the device publishes its handle for the new epoch.
 */
export function pushHandle(pushSecret: Uint8Array, groupId: Uint8Array, epoch: number): Uint8Array {
  if (pushSecret.length !== 32) throw new Error('push secret must be 32 bytes');
  const info = concat(HANDLE_INFO, Uint8Array.of(epoch >>> 24, epoch >>> 16, epoch >>> 8, epoch));
  return hkdf(sha256, pushSecret, groupId, info, HANDLE_BYTES);
}

const PATH = /^\/(?!\/)[A-Za-z0-9/_\-.~%#?=&:]{0,200}$/;
/** An automerge document id (base58). */
const GROUP = /^[1-9A-HJ-NP-Za-km-z]{8,64}$/;

/** Checks a message's fields; undefined for anything that is not a well-formed wake [PUSH-13]. */
function checkWake(v: unknown): WakeMessage | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (!WAKE_KINDS.includes(o.k as WakeKind)) return undefined;
  if (typeof o.g !== 'string' || !GROUP.test(o.g)) return undefined;
  if (typeof o.p !== 'string' || !PATH.test(o.p) || o.p.includes('\\')) return undefined;
  if (typeof o.t !== 'number' || !Number.isInteger(o.t) || o.t < 0) return undefined;
  return { kind: o.k as WakeKind, group: o.g, path: o.p, at: o.t };
}

function context(handle: Uint8Array): Uint8Array {
  return concat(WAKE, handle);
}

/**
 * Seals a wake to the recipient's X25519 key, bound to the handle it is sent to [PUSH-12]:
 * ephemeral X25519, HKDF-SHA256, XChaCha20-Poly1305 with the handle as associated data.
 * Output: ephemeral public key (32) ‖ ciphertext.
 */
export function sealWake(o: {
  message: WakeMessage;
  recipientX25519: Uint8Array;
  handle: Uint8Array;
  ephemeralSecret: Uint8Array;
}): Uint8Array {
  const m = o.message;
  if (!checkWake({ k: m.kind, g: m.group, p: m.path, t: m.at }))
    throw new Error('not a well-formed wake');
  // Padded with spaces (JSON allows them) to a multiple of 256 bytes: a check-in request and a
  // reply are the same size on the wire, so the size does not tell the relay the kind.
  const json = te.encode(JSON.stringify({ k: m.kind, g: m.group, p: m.path, t: m.at }));
  const plain = new Uint8Array(Math.ceil(json.length / PAD) * PAD).fill(0x20);
  plain.set(json);
  if (plain.length + OVERHEAD > MAX_SEALED) throw new Error('wake too large');
  const ephemeralPublic = x25519.getPublicKey(o.ephemeralSecret);
  const shared = x25519.getSharedSecret(o.ephemeralSecret, o.recipientX25519);
  const ad = context(o.handle);
  const okm = hkdf(sha256, shared, concat(ephemeralPublic, o.recipientX25519), ad, 56);
  return concat(
    ephemeralPublic,
    xchacha20poly1305(okm.slice(0, 32), okm.slice(32), ad).encrypt(plain)
  );
}

/**
 * Opens a wake; undefined when it is not for this key and handle, was altered, or does not hold
 * a well-formed message. Never throws [PUSH-13].
 */
export function openWake(o: {
  sealed: Uint8Array;
  handle: Uint8Array;
  recipientSecret: Uint8Array;
}): WakeMessage | undefined {
  if (o.sealed.length <= OVERHEAD || o.sealed.length > MAX_SEALED) return undefined;
  try {
    const ephemeralPublic = o.sealed.subarray(0, 32);
    const recipientPublic = x25519.getPublicKey(o.recipientSecret);
    const shared = x25519.getSharedSecret(o.recipientSecret, ephemeralPublic);
    const ad = context(o.handle);
    const okm = hkdf(sha256, shared, concat(ephemeralPublic, recipientPublic), ad, 56);
    const plain = xchacha20poly1305(okm.slice(0, 32), okm.slice(32), ad).decrypt(
      o.sealed.subarray(32)
    );
    const text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
    return checkWake(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * A push as the service worker receives it: the 16-byte handle the relay put first, then the
 * sealed bytes. The handle tells the device which of its keys to try.
 */
export function splitPush(
  data: Uint8Array
): { handle: Uint8Array; sealed: Uint8Array } | undefined {
  if (data.length <= HANDLE_BYTES + OVERHEAD) return undefined;
  return { handle: data.subarray(0, HANDLE_BYTES), sealed: data.subarray(HANDLE_BYTES) };
}

export type NoticeMode = 'private' | 'kind';

export interface NoticeTexts {
  /** "Hearth: something new for you" */
  generic: string;
  byKind: Record<WakeKind, string>;
  /** "{count} new things in Hearth" */
  several: (count: number) => string;
}

export interface Notice {
  title: string;
  body: string;
  /** Where a tap goes: always a path inside the app. */
  url: string;
  /** Notifications with one tag replace each other: one per group, or one in all when private. */
  tag: string;
  /** How many wakes this notice now stands for. */
  count: number;
}

/**
 * What the person sees for a wake [PUSH-13]. `private` says only the generic line and opens the
 * home screen (the lock screen shows nothing about a group or a kind); `kind` names what kind of
 * thing it is in the app's own words and opens its screen. A wake that did not open, or is
 * missing, gives the generic notice. With a notice already showing under the same tag, the
 * new one stands for both (`several`).
 */
export function noticeFor(
  message: WakeMessage | undefined,
  mode: NoticeMode,
  texts: NoticeTexts,
  showing = 0
): Notice {
  const count = showing + 1;
  if (!message || mode === 'private')
    return {
      title: 'Hearth',
      body: count > 1 ? texts.several(count) : texts.generic,
      url: '/',
      tag: 'hearth',
      count
    };
  return {
    title: 'Hearth',
    body: count > 1 ? texts.several(count) : texts.byKind[message.kind],
    url: count > 1 ? `/group#${message.group}` : message.path,
    tag: `hearth-${message.group}`,
    count
  };
}

/** A person's quiet hours and muted groups on this phone [PUSH-18]. */
export interface QuietPrefs {
  /** Minutes after local midnight; `from` after `to` means across midnight. Null: none. */
  quiet: { from: number; to: number } | null;
  /** Check-in requests come with sound even in quiet hours (the person's own choice). */
  crisisThrough: boolean;
  /** Groups whose notices come without sound. */
  muted: string[];
}

/**
 * Whether a notice comes with sound and vibration or silently [PUSH-18]: silently in quiet hours
 * (unless it is a check-in request and the person let those through) and for a muted group. A
 * push always shows something (browsers require it); quiet never means lost. `minute` is the
 * phone's local minute of the day.
 */
export function isSilent(
  message: WakeMessage | undefined,
  prefs: QuietPrefs | undefined,
  minute: number
): boolean {
  if (!prefs) return false;
  if (message && prefs.muted.includes(message.group)) return true;
  const q = prefs.quiet;
  if (!q || q.from === q.to) return false;
  const inQuiet =
    q.from < q.to ? minute >= q.from && minute < q.to : minute >= q.from || minute < q.to;
  if (!inQuiet) return false;
  return !(prefs.crisisThrough && message?.kind === 'checkin');
}

/**
 * Reads a wake target as the ledger's `Push` entry (PUSH-14) and an invitation's card (PUSH-19)
 * both store it, `{h: handle, r: relay address}` in base64url and text: undefined for anything
 * else (a wrong-sized handle, an address that is not ws(s) or http(s)).
 */
export function readWakeTarget(v: unknown): { handle: Uint8Array; relay: string } | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const { h, r } = v as Record<string, unknown>;
  const handle = typeof h === 'string' ? fromBase64Url(h) : undefined;
  if (handle?.length !== HANDLE_BYTES || typeof r !== 'string') return undefined;
  if (!/^(wss?|https?):\/\/[^\s]{1,200}$/.test(r)) return undefined;
  return { handle, relay: r };
}
