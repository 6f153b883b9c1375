import * as A from '@automerge/automerge';
import type { DocumentId, Repo } from '@automerge/automerge-repo';
import type { StorageAdapterInterface } from '@automerge/automerge-repo/slim';
import { createHash } from 'node:crypto';
import { heldHandle, storageSubsystem } from './repo-internals';

/**
 * Letting go of a document can never write over it [OPS-13].
 *
 * automerge-repo 2.5.6 unloads a handle by setting its document to `A.init()`; the handle then
 * emits `heads-changed` with that empty document, and the repo's throttled save for it, still
 * listening, fires on its timer. `saveDoc` sees heads that differ from the stored ones and,
 * whenever compaction applies, writes the empty document's snapshot and removes every real chunk.
 * `flush()` of an unloaded handle does the same at once. A throttled save of a handle that has
 * since been unloaded and loaded again can also compact an older state over newer chunks. Idle
 * eviction and the failed-write path both unloaded documents this way, and acknowledged changes
 * were lost (docs/UPSTREAM.md).
 *
 * Three layers, each enough on its own for the empty-document case:
 * - `unload` detaches the handle's save listener before it is unloaded, so no save is scheduled
 *   with its empty document;
 * - `guardSaves` lets automerge-repo save only the live, ready handle's state (or a later one),
 *   never an empty document, never a handle that has gone or an older state of one;
 * - `refuseEmptySnapshots` refuses, in storage, the snapshot of an empty document (the write
 *   that compaction follows by removing every other chunk): it fails, so nothing is removed.
 */

/** automerge-repo names a snapshot by the hash of its heads: this is the name of no heads. */
export const EMPTY_SNAPSHOT = createHash('sha256').update(new Uint8Array()).digest('hex');

export class EmptyOverwriteRefused extends Error {
  constructor() {
    super('refused to store an empty document over a stored one');
    this.name = 'EmptyOverwriteRefused';
  }
}

/**
 * Storage that refuses the snapshot of an empty document. automerge-repo writes a snapshot before
 * removing the chunks it replaces, and stops when the write fails, so what is stored stays whole.
 */
export function refuseEmptySnapshots(
  inner: StorageAdapterInterface,
  onRefused: () => void
): StorageAdapterInterface {
  return {
    load: (key) => inner.load(key),
    loadRange: (prefix) => inner.loadRange(prefix),
    remove: (key) => inner.remove(key),
    removeRange: (prefix) => inner.removeRange(prefix),
    save(key, data) {
      if (key[1] === 'snapshot' && key[2] === EMPTY_SNAPSHOT) {
        onRefused();
        return Promise.reject(new EmptyOverwriteRefused());
      }
      return inner.save(key, data);
    }
  };
}

export type RefusedSave = 'empty' | 'not-loaded' | 'stale';

/**
 * Every save automerge-repo makes (its throttled saves on change, `flush`) goes through here: a
 * document is written only from the handle the repo holds now, ready, and only a state that
 * holds all of that handle's changes. A refused save writes nothing and is counted; the handle's
 * next change, or the relay's own flush, writes the current state.
 */
export function guardSaves(repo: Repo, onRefused: (reason: RefusedSave) => void): void {
  const storage = storageSubsystem(repo);
  if (!storage) return;
  const saveDoc = storage.saveDoc.bind(storage);
  storage.saveDoc = (documentId: DocumentId, doc: A.Doc<unknown>) => {
    const reason = refusal(repo, documentId, doc);
    if (reason) {
      onRefused(reason);
      return Promise.resolve();
    }
    return saveDoc(documentId, doc);
  };
}

function refusal(repo: Repo, documentId: DocumentId, doc: A.Doc<unknown>): RefusedSave | null {
  if (A.getHeads(doc).length === 0) return 'empty';
  const live = heldHandle(repo, documentId);
  if (!live?.isReady()) return 'not-loaded';
  const current = live.doc();
  if (current !== doc && !A.hasHeads(doc, A.getHeads(current))) return 'stale';
  return null;
}

/**
 * Drops a document from memory without writing anything: whatever is stored stays as it is. The
 * caller writes first what must be kept (eviction flushes; the failed-write path keeps only what
 * storage holds, on purpose).
 */
export async function unload(repo: Repo, documentId: DocumentId): Promise<void> {
  const handle = heldHandle(repo, documentId);
  if (!handle) return;
  // The repo's save listener, and any other: this handle is about to be thrown away.
  handle.removeAllListeners('heads-changed');
  await repo.removeFromCache(documentId);
}
