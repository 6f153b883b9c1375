import { deviceKeyPairFromSeed } from '$core/identity/keys';
import type { HearthDB, IdentityRow } from './db';
import { now } from './clock';

/**
 * The person's identity on this device: a pseudonym and an Ed25519 key pair made here from
 * WebCrypto randomness [ID-2]. The secret never leaves the device.
 */
export async function loadIdentity(db: HearthDB): Promise<IdentityRow | undefined> {
  return db.identity.get('self');
}

/** Creates the identity once; a second call keeps the first keys (a double tap makes no second identity). */
export async function createIdentity(db: HearthDB, pseudonym: string): Promise<IdentityRow> {
  return db.transaction('rw', db.identity, async () => {
    const existing = await db.identity.get('self');
    if (existing) return existing;
    const keys = deviceKeyPairFromSeed(crypto.getRandomValues(new Uint8Array(32)));
    const row: IdentityRow = {
      id: 'self',
      pseudonym,
      secretKey: keys.secretKey,
      publicKey: keys.publicKey,
      createdAt: now()
    };
    await db.identity.add(row);
    return row;
  });
}

export async function renameIdentity(db: HearthDB, pseudonym: string): Promise<void> {
  await db.identity.update('self', { pseudonym });
}
