/**
 * What the sync indicator says, derived from facts the adapters observe [SYNC-1]. Kept pure so
 * the same rules hold in every view and can be tested without a network.
 */
export type SyncStatus = 'offline' | 'connecting' | 'syncing' | 'synced' | 'unreachable';

export interface SyncFacts {
  /** The browser believes it has a network (navigator.onLine). */
  online: boolean;
  /** The relay socket is open and the relay has answered our join. */
  connected: boolean;
  /** Failed connection attempts since the last success. */
  failedAttempts: number;
  /**
   * Whether the open document's changes are all known to the relay: true, false, or undefined
   * when no document is open (then an open connection counts as synced).
   */
  documentInSync: boolean | undefined;
}

/** After this many failed attempts in a row the relay is called unreachable, not "connecting". */
const UNREACHABLE_AFTER_ATTEMPTS = 2;

export function syncStatus(f: SyncFacts): SyncStatus {
  if (!f.online) return 'offline';
  if (!f.connected)
    return f.failedAttempts >= UNREACHABLE_AFTER_ATTEMPTS ? 'unreachable' : 'connecting';
  if (f.documentInSync === false) return 'syncing';
  return 'synced';
}

/**
 * True when two sets of heads are the same set. Heads are unordered hashes, so order must not
 * matter; duplicates do not occur in valid heads.
 */
export function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((h) => set.has(h));
}
