/**
 * Signing a device's next entry, for the group ledger and for a thread's own document alike
 * [LED-1, LED-6, SPACE-2]: its texts sealed with the key it is written under (ENC-3 binds each to
 * the group or channel, epoch, author, seq, kind and field), its payload written by its kind's
 * module, the whole signed with the device key. Pure: randomness is passed in.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { encryptField, keyId, sealLockbox, x25519PublicKey } from '../crypto/box';
import type { CborMap } from '../crypto/cbor';
import { publicKeyOf } from '../crypto/ed25519';
import { toHex } from '../encoding/hex';
import type { LockboxSet, Seal } from '../governance/kinds';
import { MAX_PREV, sealEntry } from '../ledger/envelope';

export type Random = (n: number) => Uint8Array;

/** A device's keys: Ed25519 for signing, X25519 (derived from the same seed) for lockboxes. */
export interface DeviceKeys {
  secret: Uint8Array;
  publicKey: Uint8Array;
  xSecret: Uint8Array;
  xPublic: Uint8Array;
  /** Hex of `publicKey`: the device id, and the member id of the person's first device. */
  id: string;
}

const te = new TextEncoder();

/** The X25519 key comes from the Ed25519 seed, so one secret (and one backup) covers both [KEY-2]. */
export function deviceKeys(seed: Uint8Array): DeviceKeys {
  const publicKey = publicKeyOf(seed);
  const xSecret = hkdf(sha256, seed, undefined, te.encode('hearth/v1/x25519'), 32);
  return {
    secret: seed,
    publicKey,
    xSecret,
    xPublic: x25519PublicKey(xSecret),
    id: toHex(publicKey)
  };
}

/** The writer needs a key it does not have (e.g. a new member waiting for the group key). */
export class NoKeyError extends Error {
  constructor() {
    super('This device does not hold the group key yet.');
    this.name = 'NoKeyError';
  }
}

/**
 * What a new entry names as `prev` [APP-1, LED-6]: this device's own last entry first (always: a
 * reader judges an entry that has not seen its own previous seq as `bad-seq`), then the current
 * heads, up to the format's limit of 16. Heads left out stay heads for the next writer.
 */
export function parentsFor(
  heads: readonly string[],
  ownTip: string | null,
  refs: readonly string[] = []
): string[] {
  const out = ownTip ? [ownTip] : [];
  // Entries the payload names and the heads may not reach (an outsider's application is never a
  // head) come next, so the reader finds them in the entry's causal past [LED-14].
  for (const h of [...refs, ...heads]) {
    if (out.length >= MAX_PREV) break;
    if (!out.includes(h)) out.push(h);
  }
  return out.sort();
}

/** The key an entry's texts are sealed with, and what they are bound to (a group or a channel). */
export interface SealWith {
  epoch: number;
  /** Undefined when this device does not hold it: sealing a text throws `NoKeyError`. */
  key: Uint8Array | undefined;
  /** The group id, or a private channel's id [SPACE-4]. */
  context: Uint8Array;
}

/**
 * Signs the next entry of a device's chain in one document: seq after `tip`, backlink to it,
 * `prev` as given, texts sealed with `sealWith`, the payload made by `payload` (a kind's writer).
 */
export function signNext(o: {
  device: DeviceKeys;
  groupId: Uint8Array;
  random: Random;
  tip: { seq: number; id: string } | null;
  prev: string[];
  kind: number;
  sealWith: SealWith;
  payload: (seal: Seal) => CborMap;
  now: number;
}): { id: string; bytes: Uint8Array } {
  const seq = (o.tip?.seq ?? 0) + 1;
  const { epoch, key, context } = o.sealWith;
  const author = o.device.publicKey;
  const seal: Seal = (field, text) => {
    if (!key) throw new NoKeyError();
    const data = encryptField(key, o.random(24), text, {
      groupId: context,
      epoch,
      author,
      seq,
      kind: o.kind,
      field
    });
    return [epoch, data];
  };
  return sealEntry(o.device.secret, o.groupId, {
    author,
    seq,
    backlink: o.tip?.id ?? null,
    prev: o.prev,
    kind: o.kind,
    payload: o.payload(seal),
    time: Math.floor(o.now)
  });
}

/** `key` for `epoch`, sealed to each of `to` (device, X25519 key) [ENC-4]. */
export function lockboxSet(
  groupId: Uint8Array,
  epoch: number,
  key: Uint8Array,
  to: [Uint8Array, Uint8Array][],
  random: Random
): LockboxSet {
  return {
    epoch,
    keyId: toHex(keyId(key)),
    boxes: to.map(([device, x]) => ({
      device: toHex(device),
      sealed: sealLockbox({
        epochKey: key,
        recipientX25519: x,
        recipientDevice: device,
        groupId,
        epoch,
        ephemeralSecret: random(32)
      })
    }))
  };
}
