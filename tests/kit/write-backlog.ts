// Writes a backlog of decisions into a group through a relay, as one member's device:
//   node --import tsx tests/kit/write-backlog.ts <relay http url> <document id> <seed hex> <n>
import { Repo, type DocumentId, type PeerId } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { deviceKeys, GroupSession } from '../../src/lib/core/group/session';
import { putEntry, readLedgerDoc, type LedgerDoc } from '../../src/lib/core/ledger/doc';

const repoOn = (relayUrl: string) =>
  new Repo({
    network: [new WebSocketClientAdapter(relayUrl.replace(/^http/, 'ws') + '/sync')],
    peerId: `backlog-${process.pid}-${Date.now()}` as PeerId,
    sharePolicy: () => Promise.resolve(true)
  });

export async function writeBacklog(
  relayUrl: string,
  documentId: string,
  seed: Uint8Array,
  n: number
): Promise<void> {
  // Read the group, then sign every entry with no socket open: signing hundreds of entries holds the
  // event loop for seconds, and the WebSocket adapter's retry timer then opens a second socket
  // under the first (automerge-repo 2.5), which breaks its document handle.
  const reader = repoOn(relayUrl);
  const doc = readLedgerDoc((await reader.find<LedgerDoc>(documentId as DocumentId)).doc())!;
  await reader.shutdown();
  const session = new GroupSession({
    groupId: doc.groupId,
    device: deviceKeys(seed),
    random: (k) => crypto.getRandomValues(new Uint8Array(k))
  });
  session.addAll(doc.entries.values());
  let t = Math.floor(Date.now() / 1000);
  const out: Uint8Array[] = [];
  // A session takes in what it writes.
  for (let i = 0; i < n; i++)
    out.push(...session.propose({ type: 'general', text: `Idea ${i}: tea at four` }, ++t));

  const repo = repoOn(relayUrl);
  try {
    const handle = await repo.find<LedgerDoc>(documentId as DocumentId);
    // In batches, as phones write, slowly enough for the relay's per-connection message limit.
    for (let i = 0; i < out.length; i += 50) {
      handle.change((d) => {
        for (const b of out.slice(i, i + 50)) putEntry(d, b);
      });
      await new Promise((r) => setTimeout(r, 150));
    }
    await repo.flush();
    // The relay acknowledges only what it stored: wait until it reports our heads.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const peer = repo.peers[0];
      const storageId = peer ? repo.peerMetadataByPeerId[peer]?.storageId : undefined;
      const theirs = storageId ? handle.getSyncInfo(storageId)?.lastHeads : undefined;
      if (theirs && [...theirs].sort().join() === [...handle.heads()].sort().join()) break;
      if (Date.now() > deadline) throw new Error('the relay did not take the backlog');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await repo.shutdown();
  }
}

const [relayUrl, documentId, seedHex, n] = process.argv.slice(2);
await writeBacklog(
  relayUrl!,
  documentId!,
  Uint8Array.from(Buffer.from(seedHex!, 'hex')),
  Number(n)
);
