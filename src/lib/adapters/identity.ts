import { deviceKeyPairFromSeed } from '$core/identity/keys';
import type { HearthDB, IdentityRow } from './db';
import { now, random } from './clock';

/**
 * The person's identity on this device: a pseudonym and an Ed25519 key pair made here from
 * WebCrypto randomness [ID-2]. The secret never leaves the device.
 */
export async function loadIdentity(db: HearthDB, id = 'self'): Promise<IdentityRow | undefined> {
  return db.identity.get(id);
}

/** Everyone who uses Hearth on this device, first person first [KEY-3]. */
export async function listPeople(
  db: HearthDB
): Promise<{ id: string; pseudonym: string; hasPasscode: boolean }[]> {
  const rows = await db.identity.toArray();
  return rows
    .sort((a, b) => (a.id === 'self' ? -1 : b.id === 'self' ? 1 : a.createdAt - b.createdAt))
    .map((r) => ({ id: r.id, pseudonym: r.pseudonym, hasPasscode: !!r.wrapped }));
}

/** Creates the identity once; a second call keeps the first keys (a double tap makes no second identity). */
export async function createIdentity(
  db: HearthDB,
  pseudonym: string,
  id = 'self'
): Promise<IdentityRow> {
  return db.transaction('rw', db.identity, async () => {
    const existing = await db.identity.get(id);
    if (existing) return existing;
    const keys = deviceKeyPairFromSeed(random(32));
    const row: IdentityRow = {
      id,
      pseudonym,
      secretKey: keys.secretKey,
      publicKey: keys.publicKey,
      createdAt: now()
    };
    await db.identity.add(row);
    return row;
  });
}

export async function renameIdentity(db: HearthDB, pseudonym: string, id = 'self'): Promise<void> {
  await db.identity.update(id, { pseudonym });
}

/**
 * Protects the device key with a passcode [KEY-1]: the plain key is replaced by its wrapped form
 * in one transaction, so a crash leaves one or the other, never neither. scrypt runs
 * asynchronously so the screen stays responsive while it works.
 */
export async function setPasscode(db: HearthDB, passcode: string, id = 'self'): Promise<void> {
  const row = await db.identity.get(id);
  if (!row?.secretKey) throw new Error('no unprotected key to protect');
  const { PASSCODE_KDF, scryptAsync, wrapSecret } = await passcodeCrypto();
  const salt = random(16);
  const nonce = random(24);
  const kek = await scryptAsync(passcode.normalize('NFC'), salt, { ...PASSCODE_KDF, dkLen: 32 });
  const wrapped = wrapSecret(row.secretKey, kek, salt, nonce);
  await db.transaction('rw', db.identity, async () => {
    await db.identity.update(id, { wrapped, secretKey: undefined });
  });
}

/** The device key for this passcode, or undefined when the passcode is wrong. */
export async function unlockIdentity(
  db: HearthDB,
  passcode: string,
  id = 'self'
): Promise<Uint8Array | undefined> {
  const row = await db.identity.get(id);
  if (!row?.wrapped) return row?.secretKey;
  const { scryptAsync, unwrapSecret } = await passcodeCrypto();
  const kek = await scryptAsync(passcode.normalize('NFC'), row.wrapped.salt, {
    ...row.wrapped.params,
    dkLen: 32
  });
  return unwrapSecret(row.wrapped, kek);
}

/** Removes the passcode (the key is stored plainly again); false when the passcode is wrong. */
export async function removePasscode(
  db: HearthDB,
  passcode: string,
  id = 'self'
): Promise<boolean> {
  const secret = await unlockIdentity(db, passcode, id);
  if (!secret) return false;
  await db.identity.update(id, { secretKey: secret, wrapped: undefined });
  return true;
}

/** Passcode crypto (scrypt, ChaCha) loads only when a passcode is set or entered: not on first render. */
async function passcodeCrypto() {
  const [core, { scryptAsync }] = await Promise.all([
    import('$core/crypto/passcode'),
    import('@noble/hashes/scrypt.js')
  ]);
  return { ...core, scryptAsync };
}

/**
 * Takes over an identity for this phone (a link from the person's other phone) [ID-6]. Only for a
 * phone with no groups yet: the caller checks, so nothing anyone wrote here is orphaned.
 */
export async function replaceIdentity(
  db: HearthDB,
  pseudonym: string,
  seed: Uint8Array,
  id = 'self'
): Promise<IdentityRow> {
  const keys = deviceKeyPairFromSeed(seed);
  const row: IdentityRow = {
    id,
    pseudonym,
    secretKey: keys.secretKey,
    publicKey: keys.publicKey,
    createdAt: now()
  };
  await db.identity.put(row);
  return row;
}
