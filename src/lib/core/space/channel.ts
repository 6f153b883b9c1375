import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../crypto/ed25519';

/**
 * A private channel between a mentor and their mentee [SPACE-4]: a random key sealed (as lockboxes)
 * to the two members' devices only. Its texts and lockboxes are bound to a channel id derived from
 * the group id and the thread's nonce, and use a fixed epoch number, so they can never be confused
 * with (or opened by) the group's key epochs.
 */
export const CHANNEL_EPOCH = 999_999;

export function channelIdFor(groupId: Uint8Array, nonce: Uint8Array): Uint8Array {
  return sha256(concat(new TextEncoder().encode('hearth/v1/channel\0'), groupId, nonce));
}
