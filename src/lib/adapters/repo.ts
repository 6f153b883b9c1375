import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import {
  initializeWasm,
  Repo,
  type DocHandle,
  type DocumentId,
  type PeerId
} from '@automerge/automerge-repo/slim';
import { ledgerDocWith, type LedgerDoc } from '$core/ledger/doc';
import type { HearthDB } from './db';
import { DexieStorageAdapter } from './dexie-storage';
import { random } from './clock';
import type { ConnectionFacts } from './doc-protocol';
import { NearbyLinks } from './nearby-links';
import { toHex } from '$core/encoding/hex';

export type { ConnectionFacts, DocHandle, DocumentId };

/**
 * The WebSocket client adapter, instrumented so the UI can tell "connecting" from "unreachable".
 * The upstream adapter retries on its own; we only count what happens.
 */
class ObservedClientAdapter extends WebSocketClientAdapter {
  facts: ConnectionFacts = { connected: false, failedAttempts: 0, relayStorageId: undefined };
  constructor(
    url: string,
    private readonly onFacts: (f: ConnectionFacts) => void
  ) {
    super(url, 4000);
    const onClose = this.onClose;
    this.onClose = () => {
      this.update({ connected: false, failedAttempts: this.facts.failedAttempts + 1 });
      onClose();
    };
    this.on('peer-candidate', ({ peerMetadata }) => {
      this.update({ connected: true, failedAttempts: 0, relayStorageId: peerMetadata.storageId });
    });
  }
  private update(patch: Partial<ConnectionFacts>) {
    this.facts = { ...this.facts, ...patch };
    this.onFacts(this.facts);
  }
}

export interface HearthRepo {
  repo: Repo;
  /** Creates a group document holding its first signed entries, and returns its id. */
  createGroup(groupId: Uint8Array, entries: Uint8Array[]): DocumentId;
  /** Finds a group by id; rejects when no peer has it (offline and not on this device). */
  findGroup(documentId: DocumentId, signal?: AbortSignal): Promise<DocHandle<LedgerDoc>>;
  /** Resolves once what the document holds now is in this device's storage. */
  flush(documentId: DocumentId): Promise<void>;
  /** All relays together: connected if any is; the first connected one is the reference. */
  connection(): ConnectionFacts;
  /** Each relay on its own, by address [SYNC-4]. */
  relays(): Record<string, ConnectionFacts>;
  /** Direct connections to phones in the room, when this repo takes them (ADR 0026). */
  nearby: NearbyLinks | undefined;
  shutdown(): Promise<void>;
}

let wasmReady: Promise<void> | undefined;

/** Several relays seen as one: connected if any is, measured against the first that is. */
export function combineFacts(list: ConnectionFacts[]): ConnectionFacts {
  const up = list.find((f) => f.connected);
  if (up) return { connected: true, failedAttempts: 0, relayStorageId: up.relayStorageId };
  return {
    connected: false,
    failedAttempts: list.length ? Math.min(...list.map((f) => f.failedAttempts)) : 0,
    relayStorageId: list.find((f) => f.relayStorageId)?.relayStorageId
  };
}

/**
 * Starts automerge-repo: loads the wasm (precached by the service worker, so offline works), then
 * opens local storage and a connection to each relay. Called after the first render, never before.
 */
export async function startRepo(
  db: HearthDB,
  relayUrls: string[],
  onFacts: (combined: ConnectionFacts, each: Record<string, ConnectionFacts>) => void,
  wasmUrl: string
): Promise<HearthRepo> {
  wasmReady ??= initializeWasm(wasmUrl);
  await wasmReady;
  const networks: ObservedClientAdapter[] = [];
  const each = () => Object.fromEntries(relayUrls.map((u, i) => [u, networks[i]!.facts]));
  const changed = () => onFacts(combineFacts(networks.map((n) => n.facts)), each());
  for (const url of relayUrls) networks.push(new ObservedClientAdapter(url, changed));
  const nearby = new NearbyLinks(random);
  const repo = new Repo({
    storage: new DexieStorageAdapter(db),
    network: networks,
    // Not crypto.randomUUID: it exists only in secure contexts, and a phone may open a laptop's
    // relay at http://<address> [NEAR-9].
    peerId: `hearth-${toHex(random(16))}` as PeerId,
    // Offer our groups to the relay: that is how a new group reaches the other members. The relay
    // itself never offers documents to anyone (see sync-server). A phone met in a room gets only
    // the groups both proved membership of [NEAR-3].
    shareConfig: nearby.shareConfig
  });
  nearby.attach(repo);
  return hearthOf(repo, () => combineFacts(networks.map((n) => n.facts)), each, nearby);
}

/** The operations the app needs of a repo (tests build one on a repo of their own). */
export function hearthOf(
  repo: Repo,
  connection: () => ConnectionFacts = () => combineFacts([]),
  relays: () => Record<string, ConnectionFacts> = () => ({}),
  nearby?: NearbyLinks
): HearthRepo {
  return {
    repo,
    createGroup(groupId, entries) {
      return repo.create<LedgerDoc>(ledgerDocWith(groupId, entries)).documentId;
    },
    findGroup(documentId, signal) {
      return repo.find<LedgerDoc>(documentId, signal ? { signal } : {});
    },
    flush: (documentId) => repo.flush([documentId]),
    connection,
    relays,
    nearby,
    shutdown: () => repo.shutdown()
  };
}
