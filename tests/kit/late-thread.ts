// A support conversation whose own document reaches the relay late [SPACE-5]: the group's ledger
// names it first, the document follows when asked to.
//   node --import tsx tests/kit/late-thread.ts name <relay url> <group document id> <seed hex> <file>
//     signs a Thread entry (title "Later") as the device with this seed, for a new document kept
//     only in <file>, and puts the entry into the group through the relay;
//   node --import tsx tests/kit/late-thread.ts publish <relay url> <file>
//     puts that document on the relay, under its id.
import * as A from '@automerge/automerge';
import { Repo, type DocumentId } from '@automerge/automerge-repo';
import { readFileSync, writeFileSync } from 'node:fs';
import { GroupSession } from '../../src/lib/core/group/session';
import { deviceKeys } from '../../src/lib/core/group/signer';
import { ledgerDocWith, type LedgerDoc } from '../../src/lib/core/ledger/doc';
import { putThroughRelay, readFromRelay, repoOn, untilRelayHolds } from './relay-writer';

const [step, relayUrl, ...rest] = process.argv.slice(2);
if (step === 'name') {
  const [documentId, seedHex, file] = rest as [string, string, string];
  const group = await readFromRelay(relayUrl!, documentId);
  const session = new GroupSession({
    groupId: group.groupId,
    device: deviceKeys(Uint8Array.from(Buffer.from(seedHex, 'hex'))),
    random: (k) => crypto.getRandomValues(new Uint8Array(k))
  });
  session.addAll(group.entries.values());
  // The conversation's document, made on this "phone" and not shared with anyone yet.
  const offline = new Repo({ network: [] });
  const thread = offline.create<LedgerDoc>(ledgerDocWith(group.groupId, []));
  const entries = session.openThread(
    thread.documentId,
    { title: 'Later', topic: '' },
    Math.floor(Date.now() / 1000)
  );
  writeFileSync(
    file,
    JSON.stringify({
      id: thread.documentId,
      bytes: Buffer.from(A.save(thread.doc())).toString('hex')
    })
  );
  await offline.shutdown();
  await putThroughRelay(relayUrl!, documentId, entries);
} else if (step === 'publish') {
  const { id, bytes } = JSON.parse(readFileSync(rest[0]!, 'utf8')) as { id: string; bytes: string };
  const repo = repoOn(relayUrl!);
  const handle = repo.import<LedgerDoc>(Uint8Array.from(Buffer.from(bytes, 'hex')), {
    docId: id as DocumentId
  });
  await untilRelayHolds(repo, handle);
  await repo.shutdown();
} else throw new Error(`unknown step ${step}`);
