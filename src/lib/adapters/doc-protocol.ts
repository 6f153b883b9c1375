import type { BundleError } from '$core/sync/bundle';

/**
 * The messages between the page and the place where automerge-repo runs: a dedicated worker, or
 * the page itself where workers are unavailable (ADR 0018). Plain data only (structured clone):
 * the page never holds an Automerge document, only the entries of the groups it shows.
 */

/** What the relay connection looks like right now; the state layer turns it into a SyncStatus. */
export interface ConnectionFacts {
  connected: boolean;
  failedAttempts: number;
  relayStorageId: string | undefined;
}

/** A group document as the page sees it: its entries (envelope bytes by id) and where it stands. */
export interface DocSnapshot {
  /** The document's `v` and `groupId` fields as stored (readLedgerDoc checks them). */
  v: unknown;
  groupId: unknown;
  entries: [string, Uint8Array][];
  /** automerge-repo's heads (as `getSyncInfo` reports them, to compare with a relay's). */
  heads: string[];
  /** Automerge's own (hex) heads: what a receiver shows so a sender sends only what it lacks. */
  hexHeads: string[];
  /** The heads each relay (by storage id) last reported for this document. */
  remote: Record<string, string[]>;
}

export type ImportError =
  BundleError | 'foreign' | 'not-a-group' | 'needs-earlier' | 'bad-entries' | 'tampered';

export interface ImportOutcomeData {
  documentId: string;
  groupId: string;
  /** New ledger entries this phone did not have. */
  added: number;
  /** The group was not on this phone before. */
  created: boolean;
}

export type Request =
  | {
      id: number;
      op: 'start';
      relayUrls: string[];
      /** Where the Automerge wasm is: one file for the page and the worker, precached once. */
      wasmUrl: string;
    }
  | { id: number; op: 'find'; doc: string }
  | { id: number; op: 'create'; groupId: Uint8Array; entries: Uint8Array[] }
  | { id: number; op: 'put'; doc: string; entries: Uint8Array[] }
  | {
      id: number;
      op: 'restore';
      doc: string;
      /** What `checkAgainstMirror` found deleted or altered in the document [LED-13]. */
      deleted: string[];
      altered: string[];
      /** The verified bytes this phone holds for those ids. */
      mirror: [string, Uint8Array][];
    }
  | { id: number; op: 'bundle'; doc: string; since: string[] | null; now: number }
  | {
      id: number;
      op: 'import';
      bytes: Uint8Array;
      /** The documents this person keeps: only those may be merged into. */
      known: string[];
      expectGroup?: string;
    }
  | {
      id: number;
      op: 'link';
      /** The worker's end of a direct connection to a phone in the room (ADR 0026). */
      port: MessagePort;
      /** The documents both phones proved membership of [NEAR-3]. */
      allowed: string[];
    }
  | { id: number; op: 'link-allow'; alias: string; documents: string[] }
  | { id: number; op: 'unlink'; alias: string }
  | { id: number; op: 'shutdown' }
  | { id: number; op: 'abort'; target: number };

export type Reply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

export type Notice =
  | {
      ev: 'doc';
      doc: string;
      /** Entries added or rewritten since the last notice. */
      set: [string, Uint8Array][];
      /** Entries no longer in the document (or no longer bytes). */
      removed: string[];
      /** `set` holds every entry: the page replaces what it had. */
      full: boolean;
      heads: string[];
      hexHeads: string[];
      remote: Record<string, string[]>;
    }
  | { ev: 'facts'; combined: ConnectionFacts; each: Record<string, ConnectionFacts> }
  | {
      ev: 'link';
      alias: string;
      /** `peer`: the other phone's repo answered; `closed`: the connection ended. */
      state: 'peer' | 'closed';
      /** The name the other phone's storage is known by here (to compare heads with). */
      storageId?: string;
      /** Why the worker closed it: what the other phone sent was not Hearth's protocol. */
      why?: string;
    };

/** The part of a Worker, a MessagePort or a worker's global scope that both sides use. */
export interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** An error as it crosses the boundary: its name (QuotaExceededError, AbortError…) survives. */
export function errorData(e: unknown): { name: string; message: string } {
  if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e))
    return {
      name: String((e as Error).name ?? 'Error'),
      message: String((e as Error).message)
    };
  return { name: 'Error', message: String(e) };
}

export function errorFrom(data: { name: string; message: string }): Error {
  const e = new Error(data.message);
  e.name = data.name;
  return e;
}
