import { DB_NAME } from './db-name';
import Dexie, { type EntityTable, type Table } from 'dexie';
import type { WrappedSecret } from '$core/crypto/passcode';

/** One automerge-repo storage chunk. The key is the StorageKey array itself (an IndexedDB array key). */
export interface ChunkRow {
  key: string[];
  data: Uint8Array;
}

/**
 * A person's identity on this device: 'self' for the first person, `person-…` for others who share
 * the phone, each with their own keys (and usually their own passcode) [KEY-3].
 */
export interface IdentityRow {
  id: string;
  pseudonym: string;
  /** 32-byte Ed25519 seed, when no passcode protects it. */
  secretKey?: Uint8Array;
  /** The seed wrapped under the person's passcode (then `secretKey` is absent) [KEY-1]. */
  wrapped?: WrappedSecret;
  publicKey: Uint8Array;
  createdAt: number;
}

/**
 * A group a person on this device belongs to (or asked to join). `name` is a cache so the list
 * renders before Automerge loads.
 */
export interface GroupRow {
  /** The identity row this group belongs to [KEY-3]. */
  owner: string;
  documentId: string;
  name: string;
  addedAt: number;
  lastOpenedAt: number;
  /** Entries written here that the relay has not confirmed yet (for the list's badge). */
  unsynced?: number;
}

/**
 * The device's own copy of a group's verified entries [SNK-5]: what renders the group before
 * Automerge (and its wasm) has loaded, and where writes made meanwhile wait (`pending`).
 */
export interface MirrorRow {
  documentId: string;
  id: string;
  bytes: Uint8Array;
  /** 1 while the entry is written here but not yet in the group document. */
  pending?: 1;
  /**
   * Verdicts on the signed proofs the entry carries (a device's, an invitation's, a post's), by
   * the ledger's cache key: checked once, not again at every opening.
   */
  proofs?: Record<string, boolean>;
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
  /** Version 1's single-person list (kept only to carry it over). */
  groups!: EntityTable<Omit<GroupRow, 'owner'>, 'documentId'>;
  /** Each person's groups, keyed by [owner, documentId]. */
  memberships!: Table<GroupRow, [string, string]>;
  settings!: EntityTable<SettingRow, 'key'>;
  mirror!: Table<MirrorRow, [string, string]>;

  constructor(name = DB_NAME, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    this.version(1).stores({
      chunks: 'key',
      identity: 'id',
      groups: 'documentId, lastOpenedAt',
      settings: 'key'
    });
    // Several people on one phone [KEY-3]: group lists per person. The first person's list moves
    // over as it is, so nothing anyone stored is lost.
    this.version(2)
      .stores({ memberships: '[owner+documentId], owner, lastOpenedAt' })
      .upgrade(async (tx) => {
        const rows = await tx.table('groups').toArray();
        await tx.table('memberships').bulkPut(rows.map((r: object) => ({ ...r, owner: 'self' })));
      });
    this.version(3).stores({ mirror: '[documentId+id], documentId' });
  }
}
