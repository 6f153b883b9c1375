/**
 * Every place the relay reaches into automerge-repo beyond its documented API, in one module
 * (ADR 0035). Each of these is a field or a helper the library keeps for itself: a minor release
 * may rename or reshape it. `tests/unit/relay-internals.test.ts` pins the version they were
 * written against and checks each one on a real Repo, so an upgrade that moves one fails there,
 * by name, instead of somewhere in the relay's behaviour.
 */
import type { DocHandle, DocumentId, PeerId, Repo } from '@automerge/automerge-repo';
import { foreverPromise } from '@automerge/automerge-repo/helpers/foreverPromise.js';

/** The automerge-repo release these were read from (package.json keeps it with `~`). */
export const WRITTEN_AGAINST = '2.5.6';

type Handles = Record<string, DocHandle<unknown> | undefined>;

/** The repo's own cache of handles (`repo.handles` returns it, not a copy). */
const cache = (repo: Repo): Handles => repo.handles as Handles;

/** The handle the repo holds for a document, loaded or not; undefined when it holds none. */
export function heldHandle(repo: Repo, documentId: string): DocHandle<unknown> | undefined {
  return cache(repo)[documentId];
}

/** Every handle the repo holds, by document id. */
export function heldHandles(repo: Repo): [string, DocHandle<unknown>][] {
  return Object.entries(cache(repo)).filter((e): e is [string, DocHandle<unknown>] => !!e[1]);
}

/** How many documents the repo holds in memory. */
export function heldCount(repo: Repo): number {
  return Object.keys(cache(repo)).length;
}

/**
 * Makes the repo forget a document it holds no loaded state of (a load that failed, a document
 * nobody had): the next find starts afresh. `removeFromCache` refuses such handles.
 */
export function forgetUnloaded(repo: Repo, documentId: string): void {
  if (cache(repo)[documentId]?.isReady()) return;
  delete cache(repo)[documentId];
  repo.synchronizer.removeDocument(documentId as DocumentId);
}

/** The peers the repo's synchronizer has exchanged this document with (or asked for it). */
export function peersOf(repo: Repo, documentId: string): PeerId[] {
  return repo.synchronizer.docSynchronizers[documentId as DocumentId]?.metrics().peers ?? [];
}

/** Tells the repo that `peer` does not have a document, as if the peer had said so. */
export function markUnavailableAt(
  repo: Repo,
  peer: PeerId,
  self: PeerId,
  documentId: string
): Promise<void> {
  return repo.synchronizer.receiveMessage({
    type: 'doc-unavailable',
    senderId: peer,
    targetId: self,
    documentId: documentId as DocumentId
  });
}

/** Calls `f` whenever a peer leaves. */
export function onPeerLeft(repo: Repo, f: () => void): void {
  repo.networkSubsystem.on('peer-disconnected', f);
}

/** Calls `f` whenever the share policy denies a document to a peer. */
export function onDocumentDenied(repo: Repo, f: () => void): void {
  repo.synchronizer.on('metrics', (event) => {
    if (event.type === 'doc-denied') f();
  });
}

/** The network adapters the repo holds (its own and the federation's). */
export function networkAdapters(repo: Repo): Repo['networkSubsystem']['adapters'] {
  return repo.networkSubsystem.adapters;
}

/** The repo's storage subsystem, whose `saveDoc` the relay guards. */
export function storageSubsystem(repo: Repo): Repo['storageSubsystem'] {
  return repo.storageSubsystem;
}

/** The module-wide promise every document load races against and that never settles. */
export { foreverPromise };
