import wasmUrl from '@automerge/automerge/automerge.wasm?url';
import type { LedgerDoc, TamperReport } from '$core/ledger/doc';
import { entryId } from '$core/ledger/envelope';
import type { Result } from '$core/result';
import type { DocumentId } from './doc-id';
import {
  errorFrom,
  type ConnectionFacts,
  type DocSnapshot,
  type ImportError,
  type ImportOutcomeData,
  type Notice,
  type Port,
  type Reply,
  type Request
} from './doc-protocol';

export type { ConnectionFacts, DocumentId, ImportError };
export { isDocumentId } from './doc-id';

export interface ImportOutcome extends ImportOutcomeData {
  documentId: DocumentId;
}

type DocEvent = 'change' | 'heads-changed' | 'remote-heads';

/**
 * A group document as the page holds it (ADR 0018): its entries, kept current by the side that
 * runs automerge-repo, and a way to add entries. What `doc()` returns is a plain object of the
 * document's shape, read with `readLedgerDoc` like any untrusted document.
 */
export class GroupDoc {
  #doc: LedgerDoc;
  #heads: string[] = [];
  #hexHeads: string[] = [];
  #remote: Record<string, string[]> = {};
  /** Entries put on this side that the other side has not confirmed storing yet. */
  readonly #inflight = new Map<string, Uint8Array>();
  readonly #listeners = new Map<DocEvent, Set<() => void>>();

  constructor(
    readonly documentId: DocumentId,
    snapshot: DocSnapshot,
    private readonly call: (req: DistributiveOmit<Request, 'id'>) => Promise<unknown>
  ) {
    this.#doc = { v: 1, groupId: '', entries: {} };
    this.replace(snapshot);
  }

  /** The document's fields and entries (not verified: read it with `readLedgerDoc`). */
  doc(): LedgerDoc {
    return this.#doc;
  }

  /** automerge-repo's heads, to compare with what a relay reports. */
  heads(): string[] {
    return this.#heads;
  }

  /** Automerge's heads (hex), what a receiver shows so a sender sends only what it lacks. */
  hexHeads(): string[] {
    return this.#hexHeads;
  }

  /** What the relay with this storage id last reported holding of this document. */
  getSyncInfo(storageId: string): { lastHeads: string[] } | undefined {
    const lastHeads = this.#remote[storageId];
    return lastHeads ? { lastHeads } : undefined;
  }

  /**
   * Adds signed entries to the document (write-once: an id already there is left as it is). They
   * are in `doc()` at once, as with a local Automerge change, so the next write builds on them;
   * if the other side cannot store them they leave `doc()` again and the promise rejects.
   */
  put(entries: Uint8Array[]): Promise<void> {
    const added: string[] = [];
    for (const bytes of entries) {
      const id = entryId(bytes);
      if (id in this.#doc.entries) continue;
      this.#doc.entries[id] = bytes;
      this.#inflight.set(id, bytes);
      added.push(id);
    }
    if (added.length > 0) this.#emit('change');
    const settle = () => {
      for (const id of added) this.#inflight.delete(id);
    };
    return this.call({ op: 'put', doc: this.documentId, entries }).then(settle, (e: unknown) => {
      settle();
      for (const id of added) delete this.#doc.entries[id];
      if (added.length > 0) this.#emit('change');
      throw e;
    });
  }

  /**
   * Repairs what `checkAgainstMirror` found: entries another writer deleted or rewrote go back
   * from the phone's verified copies, and a rewritten one it has no copy of is taken out [LED-13].
   */
  restore(report: TamperReport, mirror: ReadonlyMap<string, Uint8Array>): Promise<void> {
    const { deleted, altered } = report;
    const held = [...deleted, ...altered].flatMap((id): [string, Uint8Array][] => {
      const bytes = mirror.get(id);
      return bytes ? [[id, bytes]] : [];
    });
    return this.call({ op: 'restore', doc: this.documentId, deleted, altered, mirror: held }).then(
      () => undefined
    );
  }

  on(event: DocEvent, listener: () => void): void {
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener);
    this.#listeners.set(event, set);
  }

  off(event: DocEvent, listener: () => void): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** A full picture of the document (an answer to `find`). */
  replace(s: DocSnapshot): void {
    // (Moved heads count as a change in #update.)
    const changed = s.entries.length !== Object.keys(this.#doc.entries).length;
    this.#doc = {
      v: s.v as 1,
      groupId: s.groupId as string,
      entries: this.#withInflight(Object.fromEntries(s.entries))
    };
    this.#update(s.heads, s.hexHeads, s.remote, changed);
  }

  /** What changed since the last notice. */
  apply(n: Extract<Notice, { ev: 'doc' }>): void {
    if (n.full) this.#doc.entries = this.#withInflight(Object.fromEntries(n.set));
    else {
      for (const [id, bytes] of n.set) this.#doc.entries[id] = bytes;
      for (const id of n.removed) delete this.#doc.entries[id];
    }
    this.#update(n.heads, n.hexHeads, n.remote, n.full || n.set.length > 0 || n.removed.length > 0);
  }

  #update(heads: string[], hexHeads: string[], remote: Record<string, string[]>, changed: boolean) {
    const headsMoved = !same(heads, this.#heads);
    const remoteMoved = JSON.stringify(remote) !== JSON.stringify(this.#remote);
    this.#heads = heads;
    this.#hexHeads = hexHeads;
    this.#remote = remote;
    if (changed || headsMoved) this.#emit('change');
    if (headsMoved) this.#emit('heads-changed');
    if (remoteMoved) this.#emit('remote-heads');
  }

  /** A picture taken before a put arrived still shows what was put. */
  #withInflight(entries: Record<string, Uint8Array>): Record<string, Uint8Array> {
    for (const [id, bytes] of this.#inflight) if (!(id in entries)) entries[id] = bytes;
    return entries;
  }

  #emit(event: DocEvent): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) listener();
  }
}

const same = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface HearthRepo {
  /** Creates a document holding these first signed entries, and returns its id. */
  createGroup(groupId: Uint8Array, entries: Uint8Array[]): Promise<DocumentId>;
  /** Finds a group by id; rejects when no peer has it (offline and not on this device). */
  findGroup(documentId: DocumentId, signal?: AbortSignal): Promise<GroupDoc>;
  /** A `.hearth` file of a group: all of it, or only what a phone at `since` lacks [SNK-1, SNK-2]. */
  bundle(documentId: DocumentId, since: string[] | null, now: number): Promise<Uint8Array>;
  /** Takes a `.hearth` file in, merging only into documents in `known` [SNK-3]. */
  importBundle(
    bytes: Uint8Array,
    known: string[],
    expectGroup?: string
  ): Promise<Result<ImportOutcome, ImportError>>;
  /** All relays together: connected if any is; the first connected one is the reference. */
  connection(): ConnectionFacts;
  /** Each relay on its own, by address [SYNC-4]. */
  relays(): Record<string, ConnectionFacts>;
  /**
   * Joins a direct connection (its page end bridged to `port`) to the repo, allowed to carry only
   * `allowed` [NEAR-3]; returns the name the repo knows the other phone by (ADR 0026).
   */
  link(port: MessagePort, allowed: string[], on: (e: LinkNotice) => void): Promise<string>;
  /** More documents a connection may carry (threads its groups started since). */
  allow(alias: string, documents: string[]): Promise<void>;
  unlink(alias: string): Promise<void>;
  shutdown(): Promise<void>;
}

export type LinkNotice = Omit<Extract<Notice, { ev: 'link' }>, 'ev' | 'alias'>;

/**
 * The page's end of the boundary: requests go out numbered, replies and notices come back.
 * `port` is the worker (or the page's own fallback channel).
 */
export async function connectRepo(
  port: Port,
  relayUrls: string[],
  onFacts: (combined: ConnectionFacts, each: Record<string, ConnectionFacts>) => void
): Promise<HearthRepo> {
  let next = 1;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const docs = new Map<string, GroupDoc>();
  const links = new Map<string, (e: LinkNotice) => void>();
  /** Notices of a link whose alias the page has not heard yet. */
  const early = new Map<string, LinkNotice[]>();
  let facts: { combined: ConnectionFacts; each: Record<string, ConnectionFacts> } = {
    combined: { connected: false, failedAttempts: 0, relayStorageId: undefined },
    each: {}
  };
  port.onmessage = (event: MessageEvent) => {
    const data = event.data as Reply | Notice;
    if ('ev' in data) {
      if (data.ev === 'facts') {
        facts = { combined: data.combined, each: data.each };
        onFacts(data.combined, data.each);
      } else if (data.ev === 'link') {
        const { ev: _ev, alias, ...notice } = data;
        const listener = links.get(alias);
        if (listener) listener(notice);
        else early.set(alias, [...(early.get(alias) ?? []), notice]);
      } else docs.get(data.doc)?.apply(data);
      return;
    }
    const w = waiting.get(data.id);
    if (!w) return;
    waiting.delete(data.id);
    if (data.ok) w.resolve(data.value);
    else w.reject(errorFrom(data.error));
  };
  const call = (
    req: DistributiveOmit<Request, 'id'>,
    signal?: AbortSignal,
    transfer?: Transferable[]
  ): Promise<unknown> => {
    const id = next++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      waiting.set(id, { resolve, reject });
      signal?.addEventListener(
        'abort',
        () => {
          if (!waiting.delete(id)) return;
          port.postMessage({ id: next++, op: 'abort', target: id } satisfies Request);
          reject(signal.reason as Error);
        },
        { once: true }
      );
      if (transfer) port.postMessage({ ...req, id }, transfer);
      else port.postMessage({ ...req, id });
    });
  };
  await call({ op: 'start', relayUrls, wasmUrl });
  return {
    createGroup: async (groupId, entries) =>
      (await call({ op: 'create', groupId, entries })) as DocumentId,
    async findGroup(documentId, signal) {
      const snapshot = (await call({ op: 'find', doc: documentId }, signal)) as DocSnapshot;
      const known = docs.get(documentId);
      if (known) {
        known.replace(snapshot);
        return known;
      }
      const doc = new GroupDoc(documentId, snapshot, (req) => call(req));
      docs.set(documentId, doc);
      return doc;
    },
    bundle: async (documentId, since, now) =>
      (await call({ op: 'bundle', doc: documentId, since, now })) as Uint8Array,
    importBundle: async (bytes, known, expectGroup) =>
      (await call({ op: 'import', bytes, known, expectGroup })) as Result<
        ImportOutcome,
        ImportError
      >,
    connection: () => facts.combined,
    relays: () => facts.each,
    async link(linkPort, allowed, on) {
      const alias = (await call({ op: 'link', port: linkPort, allowed: [...allowed] }, undefined, [
        linkPort
      ])) as string;
      links.set(alias, on);
      for (const notice of early.get(alias) ?? []) on(notice);
      early.delete(alias);
      return alias;
    },
    allow: async (alias, documents) => {
      await call({ op: 'link-allow', alias, documents: [...documents] });
    },
    unlink: async (alias) => {
      links.delete(alias);
      await call({ op: 'unlink', alias });
    },
    shutdown: async () => {
      await call({ op: 'shutdown' });
    }
  };
}

/**
 * Starts automerge-repo in its own worker, so loading and syncing documents never hold the page
 * (ADR 0018). Where a module worker cannot start, it runs in the page as before, behind the same
 * messages.
 */
export async function startRepoClient(
  relayUrls: string[],
  onFacts: (combined: ConnectionFacts, each: Record<string, ConnectionFacts>) => void,
  inPage: () => Promise<Port>
): Promise<HearthRepo> {
  let worker: Worker | undefined;
  try {
    worker = new Worker(new URL('./repo.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    worker = undefined;
  }
  if (worker) {
    const w = worker;
    // A worker that fails to load reports an error event instead of answering.
    const failed = new Promise<never>((_, reject) =>
      w.addEventListener('error', (e) => reject(new Error(e.message || 'worker failed')), {
        once: true
      })
    );
    try {
      return await Promise.race([connectRepo(w as unknown as Port, relayUrls, onFacts), failed]);
    } catch {
      w.terminate();
    }
  }
  return connectRepo(await inPage(), relayUrls, onFacts);
}
