import { sha256 } from '@noble/hashes/sha2.js';
import { concat } from '../crypto/ed25519';

const GROUP_DOMAIN = new TextEncoder().encode('hearth/group\0');
const DEVICE_DOMAIN = new TextEncoder().encode('hearth/v1/device\0');
const DEVICE_AUTH_DOMAIN = new TextEncoder().encode('hearth/v1/device-auth\0');

/** A group id commits to its founder's key: nobody else can write a valid genesis for it [LED-7]. */
export function groupIdFor(founderKey: Uint8Array, nonce: Uint8Array): Uint8Array {
  return sha256(concat(GROUP_DOMAIN, founderKey, nonce));
}

/** What a new device signs to prove it consents to join a member's identity [LED-8]. */
export function deviceProofMessage(groupId: Uint8Array, memberIdentity: Uint8Array): Uint8Array {
  return concat(DEVICE_DOMAIN, groupId, memberIdentity);
}

/**
 * What a member's existing device signs to let a new device add itself to the member's identity
 * (a restored backup) [ID-5, LED-8].
 */
export function deviceAuthMessage(
  groupId: Uint8Array,
  memberIdentity: Uint8Array,
  newDevice: Uint8Array
): Uint8Array {
  return concat(DEVICE_AUTH_DOMAIN, groupId, memberIdentity, newDevice);
}
