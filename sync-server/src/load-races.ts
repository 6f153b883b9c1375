import type { Repo } from '@automerge/automerge-repo';
import { forgetUnloaded, foreverPromise } from './repo-internals';

/**
 * Lets go of the documents automerge-repo loads [OPS-8].
 *
 * automerge-repo 2.5 races every document load against one module-wide promise that never
 * settles (`helpers/foreverPromise.js`) unless the caller passes an AbortSignal, and its own sync
 * never does. `Promise.race` keeps each race's result reachable from that promise for as long as
 * it is pending (nodejs/node#17469), so the first loaded state of every document ever loaded —
 * and with it the document's WebAssembly memory — stayed alive after the document was evicted.
 * Here every load gets its own signal, aborted once the load has reported its outcome (after its
 * last race), which settles that load's races and frees what they held. Found with a heap
 * snapshot of an evicting relay (ADR 0017).
 */
export function releaseLoadRaces(repo: Repo): void {
  // (automerge-repo's `abortable` leaves a reaction on that never-settling promise for good, and
  // it rejects with an AbortError made at the abort, whose stack keeps the closures of every frame
  // then running. Aborting from a closure inside this function put the load's handle in one of
  // those frames, so each load still kept its handle. `abort` below is a module-level function:
  // the frames hold nothing of the load. What stays per load is about 1.5 KB: ADR 0017.)
  const findWithProgress = repo.findWithProgress.bind(repo);
  repo.findWithProgress = ((...args: Parameters<Repo['findWithProgress']>) => {
    const [id, options = {}] = args;
    if (options.signal) return findWithProgress(id, options);
    const controller = new AbortController();
    const progress = findWithProgress(id, { ...options, signal: controller.signal });
    // Only a load under way reports progress. Its last report (ready, unavailable or failed) comes
    // after its last race: aborting then settles those races and can no longer change the load.
    // Not after a failure: storage may fail before the first race, and then nothing awaits the
    // abort's rejection (an unhandled AbortError, seen in CI). A failed load keeps its ~1.5 KB.
    if ('subscribe' in progress) {
      const stop = progress.subscribe((state) => {
        if (state.state === 'failed') {
          stop();
          // A load that storage failed leaves its handle "loading" for good, and automerge-repo
          // answers every later find with it: forgotten, the next find loads it again [OPS-8].
          forgetUnloaded(repo, progress.handle.documentId);
          return;
        }
        if (state.state !== 'ready' && state.state !== 'unavailable') return;
        stop();
        setTimeout(abort, 0, controller);
      });
    }
    return progress;
  }) as Repo['findWithProgress'];
}

/** Made once: its stack holds nothing of any load. */
const RELEASED = new DOMException('the load has settled', 'AbortError');

function abort(controller: AbortController): void {
  // automerge-repo answers the abort with an AbortError of its own, kept for good with that
  // reaction: without a stack it is a fraction of the size.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    controller.abort(RELEASED);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * automerge-repo's never-settling promise takes no reactions [OPS-8].
 *
 * Every load races against `foreverPromise` (through `abortable`, which calls its `then`, or
 * directly in `Promise.race`, which does too). A reaction on a promise that never settles never
 * runs, yet the promise holds it for good, and with it the closures of the load: about 2 KB per
 * document load, the largest part of what an evicting relay kept per document it had ever served
 * (15 MiB of a 54 MiB heap after 8,000 documents, heap snapshot of the memory bench; ADR 0032).
 * An own `then` that returns a new never-settling promise is the same to every caller (nothing it
 * was given could ever have been called) and holds nothing. `await` does not call `then` on a
 * native promise, and automerge-repo 2.5.6 never awaits this one (a test pins the version).
 * Process-wide; applying it twice does nothing more.
 */
export function quietForeverPromise(): void {
  if (Object.hasOwn(foreverPromise, 'then')) return;
  void Object.defineProperty(foreverPromise, 'then', {
    value: function then(): Promise<never> {
      return new Promise<never>(() => undefined);
    }
  });
}
