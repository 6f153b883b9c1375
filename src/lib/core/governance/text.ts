import { decryptField, type PayloadContext } from '../crypto/box';

/**
 * What people write, as the ledger carries it [ENC-7]: plain text, or text sealed with a group
 * epoch key (`[epoch, nonce ‖ ciphertext]` in the payload; see ENC-3). The reducer never needs
 * to read it, so it carries both forms opaquely; devices that hold the epoch key open it.
 */
export type Text = string | SealedText;

export interface SealedText {
  epoch: number;
  data: Uint8Array;
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
