import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import webpush from 'web-push';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/**
 * The relay's VAPID key pair [PUSH-1]: the one given in config, else the one kept in
 * `<dataDir>/push/vapid.json` (owner-only), else a new one made now and kept there. Phones
 * subscribe with the public key; a relay that changed keys can no longer push to them, so the
 * file belongs in backups.
 */
export function loadVapidKeys(
  dataDir: string,
  given: { publicKey: string | null; privateKey: string | null }
): { keys: VapidKeys; made: boolean } {
  if (given.publicKey && given.privateKey)
    return { keys: { publicKey: given.publicKey, privateKey: given.privateKey }, made: false };
  const dir = join(dataDir, 'push');
  const file = join(dir, 'vapid.json');
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as Partial<VapidKeys>;
    if (
      typeof kept.publicKey === 'string' &&
      typeof kept.privateKey === 'string' &&
      Buffer.from(kept.publicKey, 'base64url').length === 65 &&
      Buffer.from(kept.privateKey, 'base64url').length === 32
    )
      return { keys: { publicKey: kept.publicKey, privateKey: kept.privateKey }, made: false };
    throw new Error(`${file} does not hold a VAPID key pair`);
  }
  const keys = webpush.generateVAPIDKeys();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temporary = `${file}.tmp`;
  writeFileSync(
    temporary,
    JSON.stringify({ ...keys, createdAt: new Date().toISOString() }, null, 2) + '\n',
    { mode: 0o600 }
  );
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return { keys, made: true };
}
