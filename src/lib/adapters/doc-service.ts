import * as A from '@automerge/automerge/slim';
import type { DocHandle, DocumentId, StorageId } from '@automerge/automerge-repo/slim';
import { heal, putEntry, type LedgerDoc } from '$core/ledger/doc';
import { importBundle, makeBundle } from './bundle';
import {
  errorData,
  type ConnectionFacts,
  type DocSnapshot,
  type Notice,
  type Port,
  type Request
} from './doc-protocol';
import { portLink } from './link-adapter';
import type { HearthRepo } from './repo';

/**
 * The side of the page/worker boundary where automerge-repo runs (ADR 0018): answers the page's
 * requests and tells it, entry by entry, how each group document it opened changes. The page
 * never loads Automerge: on a slow phone, loading a document (one long wasm call) and syncing no
 * longer hold the screen.
 */
class DocService {
  readonly #open = new Map<string, Open>();

  constructor(
    private readonly hearth: HearthRepo,
    private readonly notify: (n: Notice) => void
  ) {}

  /** Answers one request (its value goes back to the page as the reply). */
  async run(req: Exclude<Request, { op: 'start' | 'abort' }>): Promise<unknown> {
    switch (req.op) {
      case 'find':
        return this.#snapshot(await this.#find(req.doc));
      // A write is answered once it is in this device's storage: the page may be closed or
      // navigate away (ending this worker) the moment it hears back.
      case 'create': {
        const id = this.hearth.createGroup(req.groupId, req.entries);
        await this.hearth.flush(id);
        return id;
      }
      case 'put': {
        const handle = await this.#find(req.doc);
        handle.change((d) => {
          for (const bytes of req.entries) putEntry(d, bytes);
        });
        await this.hearth.flush(handle.documentId);
        return true;
      }
      case 'restore': {
        const handle = await this.#find(req.doc);
        const report = { deleted: req.deleted, altered: req.altered, fresh: [] };
        handle.change((d) => {
          heal(d, report, new Map(req.mirror));
        });
        await this.hearth.flush(handle.documentId);
        return true;
      }
      case 'bundle':
        return makeBundle(await this.#find(req.doc), req.doc, req.now, req.since);
      case 'import': {
        const known = new Set(req.known);
        return importBundle(
          this.hearth,
          req.bytes,
          async (id) => {
            if (!known.has(id)) return undefined;
            try {
              return await this.hearth.findGroup(id, AbortSignal.timeout(10_000));
            } catch {
              return undefined;
            }
          },
          req.expectGroup
        );
      }
      // A direct connection to a phone in the room (ADR 0026, NEAR-3).
      case 'link': {
        const nearby = this.hearth.nearby;
        if (!nearby) throw new Error('direct sync is not available here');
        const named: { alias?: string } = {};
        const alias = nearby.add(portLink(req.port), req.allowed, (e) => {
          if (named.alias) this.notify({ ev: 'link', alias: named.alias, ...e } satisfies Notice);
        });
        named.alias = alias;
        return alias;
      }
      case 'link-allow': {
        this.hearth.nearby?.allow(req.alias, req.documents);
        // Documents this phone does not hold yet (a thread the other phone started) are asked for.
        for (const d of req.documents)
          void this.hearth
            .findGroup(d as DocumentId, AbortSignal.timeout(30_000))
            .catch(() => undefined);
        return true;
      }
      case 'unlink':
        this.hearth.nearby?.remove(req.alias);
        return true;
      case 'shutdown':
        await this.hearth.shutdown();
        return true;
    }
  }

  /**
   * The page gave up waiting (its own signal fired; its promise is already rejected). The search
   * itself goes on to its end: automerge-repo 2.5.6 keeps a search aborted before the network
   * was ready as "failed" while its handle stays loading, and every later search for that
   * document then fails ("DocHandle is not ready") until the app restarts. The join page gives up
   * its first look at a group the moment the person names themselves (docs/UPSTREAM.md).
   */
  abort(target: number): void {
    void target;
  }

  async #find(documentId: string): Promise<DocHandle<LedgerDoc>> {
    const open = this.#open.get(documentId);
    if (open) return open.handle;
    const handle = await this.hearth.findGroup(documentId as DocumentId);
    // automerge-repo 2.5.6 can hand back a handle that went back to looking (a peer came just as
    // the document was found unavailable): for the page that is "not here yet", not a crash.
    if (!handle.isReady()) throw new Error(`Document ${documentId} is unavailable`);
    this.#watch(handle);
    return handle;
  }

  #watch(handle: DocHandle<LedgerDoc>): void {
    const id = handle.documentId;
    if (this.#open.has(id)) return;
    const open: Open = { handle, remote: {} };
    this.#open.set(id, open);
    handle.on('change', ({ doc, patches }) => {
      const touched = new Set<string>();
      for (const p of patches) {
        if (p.path[0] !== 'entries') continue;
        const entry = p.path[1];
        // The map itself replaced, or something inside an entry: send them all.
        if (typeof entry !== 'string' || p.path.length !== 2)
          return this.#send(id, entriesOf(doc), [], true);
        touched.add(entry);
      }
      const entries = doc.entries as Record<string, unknown> | undefined;
      const set: [string, Uint8Array][] = [];
      const removed: string[] = [];
      for (const entry of touched) {
        const bytes = entries?.[entry];
        if (bytes instanceof Uint8Array) set.push([entry, bytes]);
        else removed.push(entry);
      }
      this.#send(id, set, removed, false);
    });
    handle.on('remote-heads', ({ storageId, heads }) => {
      open.remote[storageId] = [...heads];
      this.#send(id, [], [], false);
    });
  }

  #send(doc: string, set: [string, Uint8Array][], removed: string[], full: boolean): void {
    const open = this.#open.get(doc);
    if (!open) return;
    this.notify({ ev: 'doc', doc, set, removed, full, ...this.#position(open) });
  }

  /** Where the document stands: its heads both ways, and what each relay last reported of it. */
  #position(open: Open): Pick<DocSnapshot, 'heads' | 'hexHeads' | 'remote'> {
    const remote = { ...open.remote };
    for (const facts of Object.values(this.hearth.relays())) {
      const sid = facts.relayStorageId;
      if (!sid || remote[sid]) continue;
      const heads = open.handle.getSyncInfo(sid as StorageId)?.lastHeads;
      if (heads) remote[sid] = [...heads];
    }
    return {
      heads: [...open.handle.heads()],
      hexHeads: A.getHeads(open.handle.doc()),
      remote
    };
  }

  #snapshot(handle: DocHandle<LedgerDoc>): DocSnapshot {
    const doc = handle.doc() as Partial<Record<string, unknown>>;
    const open = this.#open.get(handle.documentId) ?? { handle, remote: {} };
    return { v: doc.v, groupId: doc.groupId, entries: entriesOf(doc), ...this.#position(open) };
  }
}

/** A document the page has open, and what relays reported of it (from 'remote-heads'). */
interface Open {
  handle: DocHandle<LedgerDoc>;
  remote: Record<string, string[]>;
}

function entriesOf(doc: Partial<Record<string, unknown>>): [string, Uint8Array][] {
  const entries = doc.entries;
  if (typeof entries !== 'object' || entries === null) return [];
  return Object.entries(entries as Record<string, unknown>).filter(
    (e): e is [string, Uint8Array] => e[1] instanceof Uint8Array
  );
}

/**
 * Serves a repo over a port: the worker's whole job, and the page's own fallback where module
 * workers are unavailable. `start` builds the repo once the page says which relays to use.
 */
export function serveRepo(
  port: Port,
  start: (
    relayUrls: string[],
    onFacts: (combined: ConnectionFacts, each: Record<string, ConnectionFacts>) => void,
    wasmUrl: string
  ) => Promise<HearthRepo>
): void {
  let service: Promise<DocService> | undefined;
  const reply = (id: number, work: Promise<unknown>) =>
    work.then(
      (value) => port.postMessage({ id, ok: true, value }),
      (e: unknown) => port.postMessage({ id, ok: false, error: errorData(e) })
    );
  port.onmessage = (event: MessageEvent) => {
    const req = event.data as Request;
    if (req.op === 'start') {
      service ??= start(
        req.relayUrls,
        (combined, each) => port.postMessage({ ev: 'facts', combined, each } satisfies Notice),
        req.wasmUrl
      ).then((hearth) => new DocService(hearth, (n) => port.postMessage(n)));
      void reply(
        req.id,
        service.then(() => true)
      );
    } else if (req.op === 'abort') {
      void service?.then((s) => s.abort(req.target));
    } else
      void reply(
        req.id,
        service ? service.then((s) => s.run(req)) : Promise.reject(new Error('not started'))
      );
  };
}
