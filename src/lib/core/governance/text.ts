import { decryptField, type PayloadContext } from '../crypto/box';
import { hexToBytes } from '../encoding/hex';

/**
 * What people write, as the ledger carries it [ENC-7]: plain text, or text sealed with a group
 * epoch key (`[epoch, nonce ‖ ciphertext]` in the payload; see ENC-3). The reducer never needs
 * to read it, so it carries both forms opaquely; devices that hold the epoch key open it.
 */
export type Text = string | SealedText;

export interface SealedText {
  /** Key epoch; 0 means sealed with an invitation's key (an applicant's words, [INV-4]). */
  epoch: number;
  data: Uint8Array;
  /** Where the text was written (hex author device, seq, kind, field): its ENC-3 context. */
  from?: { author: string; seq: number; kind: number; field: string };
}

export const isSealed = (t: Text): t is SealedText => typeof t !== 'string';

/**
 * Opens a text with the epoch keys a device holds. Plain text is returned as is; sealed text that
 * cannot be opened (no key for its epoch, wrong context, altered bytes) is undefined, so the UI
 * can say "you can’t read this" instead of showing garbage.
 */
export function openText(
  t: Text,
  keyFor: (epoch: number) => Uint8Array | undefined,
  context: Omit<PayloadContext, 'epoch'>
): string | undefined {
  if (!isSealed(t)) return t;
  const key = keyFor(t.epoch);
  return key ? decryptField(key, t.data, { ...context, epoch: t.epoch }) : undefined;
}

/**
 * Opens a text the reducer put in the state: its context travels with it (`from`). Undefined when
 * the device has no key for its epoch or the bytes do not open.
 */
export function openStateText(
  t: Text,
  keyFor: (epoch: number) => Uint8Array | undefined,
  groupId: Uint8Array
): string | undefined {
  if (!isSealed(t)) return t;
  if (!t.from) return undefined;
  return openText(t, keyFor, {
    groupId,
    author: hexToBytes(t.from.author),
    seq: t.from.seq,
    kind: t.from.kind,
    field: t.from.field
  });
}
