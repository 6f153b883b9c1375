// Encryption-core figures (issue 4): encrypt + sign a post; open 1,000 posts; seal a new epoch key
// to a 100-member group (one device each); bytes of one encrypted post envelope.
import { decryptField, encryptField, keyId, sealLockbox } from '../src/lib/core/crypto/box';
import { entryId as entryIdOf, sealEntry } from '../src/lib/core/ledger/envelope';
import { Kind } from '../src/lib/core/governance/types';
import { foundGroup, GroupSession } from '../src/lib/core/group/session';
import { deviceKeys } from '../src/lib/core/group/signer';
import { Device, map, seed } from '../tests/kit/ledger-kit';
import { median, report } from './lib';

const groupId = new Uint8Array(32).fill(1);
const key = new Uint8Array(32).fill(2);
const author = new Device(1);
const post =
  'Tonight was harder than I expected, but I remembered what we talked about on Tuesday and went for a short walk. It helped a little. Thank you all for being here.'.padEnd(
    280,
    ' '
  );
const proposal = new Uint8Array(32).fill(3);
const nonceFor = (i: number) => Uint8Array.from({ length: 24 }, (_, j) => (i * 31 + j) & 0xff);

function sealedPost(i: number) {
  const ctx = {
    groupId,
    epoch: 1,
    author: author.pub,
    seq: i + 1,
    kind: Kind.Comment,
    field: 'text'
  };
  const data = encryptField(key, nonceFor(i), post, ctx);
  const env = sealEntry(author.secret, groupId, {
    author: author.pub,
    seq: i + 1,
    backlink: i === 0 ? null : 'ab'.repeat(32),
    prev: ['cd'.repeat(32)],
    kind: Kind.Comment,
    payload: map({ p: proposal, text: [1, data] }),
    time: 1_790_000_000
  });
  return { ctx, data, env };
}

{
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    sealedPost(i);
    times.push(performance.now() - t);
  }
  report('encrypt-and-sign-post', median(times), 'ms', 10);
}

// The same through the app's writer: GroupSession.post (key ring, kind writer, chain signer).
{
  const device = deviceKeys(seed(7));
  let n = 0;
  const random = (len: number) => new Uint8Array(len).fill(++n & 0xff);
  const { groupId, entries } = foundGroup({
    device,
    random,
    now: 1_790_000_000,
    name: 'Circle',
    category: 'grief',
    description: '',
    rules: 'Be kind.',
    displayName: 'Sam'
  });
  const session = new GroupSession({ groupId, device, random });
  session.addAll(entries);
  const opened = session.openThread(
    '2xFw2ABj6WRRMWBaws8JWmeJWSzW',
    { title: 'Evenings', topic: 'sleep' },
    1_790_000_100
  );
  const thread = entryIdOf(opened.at(-1)!);
  if (!session.state.threads[thread]) throw new Error('the thread was not opened');
  const text = 'x'.repeat(280);
  const times: number[] = [];
  let tip: { seq: number; id: string } | null = null;
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    const bytes = session.post(thread, tip, { text }, 1_790_000_200 + i);
    times.push(performance.now() - t);
    tip = { seq: i + 1, id: entryIdOf(bytes) };
  }
  report('session-post-280-chars', median(times), 'ms', 10, { posts: times.length });
  report('encrypted-post-envelope-bytes-280-chars', sealedPost(0).env.bytes.length, 'bytes', 600);
}

{
  const posts = Array.from({ length: 1000 }, (_, i) => sealedPost(i));
  const t = performance.now();
  for (const p of posts)
    if (decryptField(key, p.data, p.ctx) === undefined) throw new Error('did not open');
  report('open-1000-posts', performance.now() - t, 'ms', 500);
}

{
  const members = Array.from({ length: 100 }, (_, i) => new Device(100 + i));
  const t = performance.now();
  const boxes = members.map((d, i) =>
    sealLockbox({
      epochKey: key,
      recipientX25519: d.xPub,
      recipientDevice: d.pub,
      groupId,
      epoch: 2,
      ephemeralSecret: Uint8Array.from({ length: 32 }, (_, j) => (i + j * 7) & 0xff)
    })
  );
  const env = sealEntry(author.secret, groupId, {
    author: author.pub,
    seq: 9,
    backlink: 'ab'.repeat(32),
    prev: ['cd'.repeat(32)],
    kind: Kind.Lockboxes,
    payload: map({ e: 2, k: keyId(key), b: members.map((d, i) => [d.pub, boxes[i]!]) }),
    time: 1_790_000_000
  });
  report('rotate-100-member-group', performance.now() - t, 'ms', 2000);
  report('rotation-entry-bytes-100-members', env.bytes.length / 1024, 'KiB', 16);
}
