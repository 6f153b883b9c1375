import { Repo, type DocHandle, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { putEntry, readLedgerDoc, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { eventually, fullyAcknowledged } from './relay-kit';

/** A Node automerge-repo on one relay (`http://…` or `ws://…`), for writing as members' devices. */
export function repoOn(relayUrl: string): Repo {
  return new Repo({
    network: [
      new WebSocketClientAdapter(relayUrl.replace(/^http/, 'ws').replace(/\/sync$/, '') + '/sync')
    ],
    peerId: `writer-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}` as PeerId,
    sharePolicy: () => Promise.resolve(true)
  });
}

/** A group's ledger as the relay holds it now (the socket is closed again before this returns). */
export async function readFromRelay(relayUrl: string, documentId: string) {
  const reader = repoOn(relayUrl);
  try {
    return readLedgerDoc((await reader.find<LedgerDoc>(documentId as DocumentId)).doc())!;
  } finally {
    await reader.shutdown();
  }
}

/**
 * Puts signed entries into a group through a relay and resolves once the relay holds them. Sign
 * before calling this, with no socket open: signing hundreds of entries holds the event loop for
 * seconds, and the WebSocket adapter's retry timer then opens a second socket under the first
 * (automerge-repo 2.5), which breaks its document handle ("outdated document"). Entries go in
 * batches, as phones write, slowly enough for the relay's per-connection message limit.
 */
export async function putThroughRelay(
  relayUrl: string,
  documentId: string,
  entries: Uint8Array[]
): Promise<void> {
  const repo = repoOn(relayUrl);
  try {
    const handle = await repo.find<LedgerDoc>(documentId as DocumentId);
    for (let i = 0; i < entries.length; i += 50) {
      handle.change((d) => {
        for (const b of entries.slice(i, i + 50)) putEntry(d, b);
      });
      await new Promise((r) => setTimeout(r, 150));
    }
    await untilRelayHolds(repo, handle);
  } finally {
    await repo.shutdown();
  }
}

/** Resolves once the relay this repo is connected to has stored what `handle` holds now. */
export async function untilRelayHolds(repo: Repo, handle: DocHandle<unknown>): Promise<void> {
  await repo.flush();
  // The relay acknowledges only what it stored.
  await eventually(() => fullyAcknowledged(repo, handle), 120_000);
}
