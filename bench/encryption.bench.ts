// Encryption-core figures (issue 4): encrypt + sign a post; open 1,000 posts; seal a new epoch key
// to a 100-member group (one device each); bytes of one encrypted post envelope.
import { decryptField, encryptField, keyId, sealLockbox } from '../src/lib/core/crypto/box';
import { sealEntry } from '../src/lib/core/ledger/envelope';
import { Kind } from '../src/lib/core/governance/types';
import { Device, map } from '../tests/kit/ledger-kit';
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
