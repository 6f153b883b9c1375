import type { StorageAdapterInterface } from '@automerge/automerge-repo/slim';

/**
 * Removals that do not hold up the write they belong to [STO-10].
 *
 * When automerge-repo compacts a document it saves one snapshot and then removes the chunks it
 * replaces one at a time, each awaited: with storage that flushes per call, a message waiting for
 * that write waits for every removal. A replaced chunk holds nothing the snapshot lacks, so the
 * relay lets a removal resolve at once. It is still handed to storage in order, before anything
 * written after it, and is written with the next batch; if it fails or a crash undoes it, an old
 * chunk stays beside the snapshot, which loading merges without harm. Saves and range removals
 * are passed through unchanged.
 */
export function lazyRemovals(
  /** Storage that takes calls in the order they are made (the journal does). */
  inner: StorageAdapterInterface,
  onError: (e: unknown) => void
): StorageAdapterInterface {
  return {
    load: (key) => inner.load(key),
    loadRange: (prefix) => inner.loadRange(prefix),
    save: (key, data) => inner.save(key, data),
    removeRange: (prefix) => inner.removeRange(prefix),
    remove(key) {
      inner.remove(key).catch(onError);
      return Promise.resolve();
    }
  };
}
