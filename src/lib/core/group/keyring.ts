/**
 * The keys one device holds for one group, and opening what they seal [ENC-1, ENC-2, INV-4,
 * SPACE-4]: the group's epoch keys (from the lockboxes sealed to this device, or to a backed-up
 * device of the same member), invitation secrets (this device's own invitations, the one it
 * applied with, and those sealed for members), and private channels' keys. Opened lazily, once
 * per state, and kept.
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { keyId, openLockbox } from '../crypto/box';
import { hexToBytes, toHex } from '../encoding/hex';
import { inviteKeyPair } from '../governance/invites';
import type { GroupState } from '../governance/state';
import { isSealed, openStateText, type Text } from '../governance/text';
import { CHANNEL_EPOCH, channelIdFor } from '../space/channel';
import type { DeviceKeys } from './signer';

/** The key that seals an applicant's words, derived from the invitation secret [INV-4]. */
export function inviteTextKey(inviteSecret: Uint8Array): Uint8Array {
  return hkdf(
    sha256,
    inviteSecret,
    undefined,
    new TextEncoder().encode('hearth/v1/invite-text'),
    32
  );
}

export interface Channel {
  id: Uint8Array;
  key: Uint8Array;
}

export class KeyRing {
  /** Epoch keys this device opened, by epoch (checked against the key id). */
  readonly #epochKeys = new Map<number, Uint8Array>();
  /** Invitation secrets this device knows (its own invitations, the one it applied with). */
  readonly #inviteSecrets = new Map<string, Uint8Array>();
  readonly #inviteTried = new Map<string, GroupState>();
  readonly #channels = new Map<string, Channel>();
  #keysFor: GroupState | undefined;

  constructor(
    private readonly groupId: Uint8Array,
    private readonly device: DeviceKeys,
    private readonly state: () => GroupState
  ) {}

  /** The epoch keys this device can open now [ENC-1, ENC-2]. */
  keys(): Map<number, Uint8Array> {
    const state = this.state();
    if (this.#keysFor === state) return this.#epochKeys;
    this.openKeysOf(this.device);
    this.#keysFor = state;
    return this.#epochKeys;
  }

  hasCurrentKey(): boolean {
    const state = this.state();
    return state.currentEpoch > 0 && this.keys().has(state.currentEpoch);
  }

  /** Opens the epoch keys sealed for `device` (this one, or a backed-up one of this member). */
  openKeysOf(device: DeviceKeys): void {
    for (const epoch of Object.values(this.state().epochs)) {
      if (this.#epochKeys.has(epoch.number)) continue;
      for (const box of epoch.lockboxes[device.id] ?? []) {
        const key = openLockbox({
          sealed: hexToBytes(box.sealed),
          recipientSecret: device.xSecret,
          recipientDevice: device.publicKey,
          groupId: this.groupId,
          epoch: epoch.number
        });
        if (key && toHex(keyId(key)) === epoch.keyId) {
          this.#epochKeys.set(epoch.number, key);
          break;
        }
      }
    }
  }

  /** Remembers an invitation secret (one this device made, or the one it applies with). */
  knowInvite(inviteEntry: string, secret: Uint8Array): void {
    this.#inviteSecrets.set(inviteEntry, secret);
  }

  /**
   * An invitation's secret, sealed for members so they can read what applicants wrote [INV-4].
   * Opened only when an applicant's text asks for it: checking each one costs a curve
   * multiplication, and a grown group has made many invitations.
   */
  #inviteSecret(invite: string): Uint8Array | undefined {
    const known = this.#inviteSecrets.get(invite);
    if (known) return known;
    const state = this.state();
    // One that did not open is tried again only once the state (and so the keys) changed.
    if (this.#inviteTried.get(invite) === state) return undefined;
    this.#inviteTried.set(invite, state);
    const inv = state.invites[invite];
    if (!inv?.secret) return undefined;
    const hex = this.#openWith(inv.secret, undefined);
    const secret = hex && /^[0-9a-f]{64}$/.test(hex) ? hexToBytes(hex) : undefined;
    if (!secret || toHex(inviteKeyPair(secret).publicKey) !== inv.key) return undefined;
    this.#inviteSecrets.set(invite, secret);
    return secret;
  }

  /** Opens a text from the state; `invite` names the invitation an applicant's text used. */
  open(t: Text, invite?: string | null): string | undefined {
    this.keys();
    return this.#openWith(t, invite ?? undefined);
  }

  #openWith(t: Text, invite: string | undefined): string | undefined {
    if (!isSealed(t)) return t;
    return openStateText(
      t,
      (epoch) => {
        if (epoch > 0) return this.#epochKeys.get(epoch);
        const secret = invite ? this.#inviteSecret(invite) : undefined;
        return secret ? inviteTextKey(secret) : undefined;
      },
      this.groupId
    );
  }

  /** Keeps the key of a private channel this device just opened. */
  keepChannel(thread: string, channel: Channel): void {
    this.#channels.set(thread, channel);
  }

  /** The key and id of a private channel this device holds a lockbox for [SPACE-4]. */
  channel(thread: string): Channel | undefined {
    const known = this.#channels.get(thread);
    if (known) return known;
    const priv = this.state().threads[thread]?.private;
    const box = priv?.boxes[this.device.id];
    if (!priv || !box) return undefined;
    const id = channelIdFor(this.groupId, hexToBytes(priv.nonce));
    const key = openLockbox({
      sealed: hexToBytes(box),
      recipientSecret: this.device.xSecret,
      recipientDevice: this.device.publicKey,
      groupId: id,
      epoch: CHANNEL_EPOCH
    });
    if (!key || toHex(keyId(key)) !== priv.keyId) return undefined;
    this.#channels.set(thread, { id, key });
    return { id, key };
  }

  /** Opens a text of a thread: a private channel's texts with its key, others as usual. */
  openIn(thread: string, t: Text): string | undefined {
    if (!this.state().threads[thread]?.private) return this.open(t);
    const channel = this.channel(thread);
    if (!channel || !isSealed(t)) return undefined;
    return openStateText(t, (e) => (e === CHANNEL_EPOCH ? channel.key : undefined), channel.id);
  }
}
