import type { Repo } from '@automerge/automerge-repo';

/**
 * Lets go of the documents automerge-repo loads [OPS-8].
 *
 * automerge-repo 2.5 races every document load against one module-wide promise that never
 * settles (`helpers/foreverPromise.js`) unless the caller passes an AbortSignal, and its own sync
 * never does. `Promise.race` keeps each race's result reachable from that promise for as long as
 * it is pending (nodejs/node#17469), so the first loaded state of every document ever loaded —
 * and with it the document's WebAssembly memory — stayed alive after the document was evicted.
 * Here every load gets its own signal, aborted once the document is ready, unavailable or
 * deleted (a macrotask later, when the load has finished racing), which settles that load's
 * races and frees what they held. Found with a heap snapshot of an evicting relay.
 */
export function releaseLoadRaces(repo: Repo): void {
  const findWithProgress = repo.findWithProgress.bind(repo);
  repo.findWithProgress = ((...args: Parameters<Repo['findWithProgress']>) => {
    const [id, options = {}] = args;
    if (options.signal) return findWithProgress(id, options);
    const controller = new AbortController();
    const progress = findWithProgress(id, { ...options, signal: controller.signal });
    void progress.handle.whenReady(['ready', 'unavailable', 'deleted']).then(
      () => setTimeout(() => controller.abort(), 0),
      () => undefined // never ready (evicted while asked for): its small race stays
    );
    return progress;
  }) as Repo['findWithProgress'];
}
