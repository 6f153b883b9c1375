// Writes a backlog of decisions into a group through a relay, as one member's device:
//   node --import tsx tests/kit/write-backlog.ts <relay http url> <document id> <seed hex> <n>
import { GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys } from '../../src/lib/core/group/signer';
import { putThroughRelay, readFromRelay } from './relay-writer';

export async function writeBacklog(
  relayUrl: string,
  documentId: string,
  seed: Uint8Array,
  n: number
): Promise<void> {
  // Read the group, then sign every entry with no socket open (see putThroughRelay).
  const doc = await readFromRelay(relayUrl, documentId);
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

  await putThroughRelay(relayUrl, documentId, out);
}

const [relayUrl, documentId, seedHex, n] = process.argv.slice(2);
await writeBacklog(
  relayUrl!,
  documentId!,
  Uint8Array.from(Buffer.from(seedHex!, 'hex')),
  Number(n)
);
