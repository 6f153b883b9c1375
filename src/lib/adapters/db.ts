import Dexie, { type EntityTable } from 'dexie';
import type { WrappedSecret } from '$core/crypto/passcode';

/** One automerge-repo storage chunk. The key is the StorageKey array itself (an IndexedDB array key). */
export interface ChunkRow {
  key: string[];
  data: Uint8Array;
}

/** The person's identity on this device. There is at most one row, with id 'self'. */
export interface IdentityRow {
  id: 'self';
  pseudonym: string;
  /** 32-byte Ed25519 seed, when no passcode protects it. */
  secretKey?: Uint8Array;
  /** The seed wrapped under the person's passcode (then `secretKey` is absent) [KEY-1]. */
  wrapped?: WrappedSecret;
  publicKey: Uint8Array;
  createdAt: number;
}

/** A group this device knows. `name` is a cache so the list renders before Automerge loads. */
export interface GroupRow {
  documentId: string;
  name: string;
  addedAt: number;
  lastOpenedAt: number;
  /** Entries written here that the relay has not confirmed yet (for the list's badge). */
  unsynced?: number;
}

export interface SettingRow {
  key: string;
  value: unknown;
}

/**
 * Hearth's IndexedDB database. Schema changes add a new `version(n)` block; Dexie upgrades in
 * place, so nothing a person stored is lost across app updates.
 */
export class HearthDB extends Dexie {
  chunks!: EntityTable<ChunkRow, 'key'>;
  identity!: EntityTable<IdentityRow, 'id'>;
  groups!: EntityTable<GroupRow, 'documentId'>;
  settings!: EntityTable<SettingRow, 'key'>;

  constructor(name = 'hearth', options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      chunks: 'key',
      identity: 'id',
      groups: 'documentId, lastOpenedAt',
      settings: 'key'
    });
  }
}
