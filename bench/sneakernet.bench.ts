// Sync files and QR codes [SNK-1 … SNK-4]:
//  - the size of a .hearth file: the whole group (20 members, 5,000 entries), only one new ballot
//    for a phone that has the rest, and a month away (the last 600 entries);
//  - a 20 KB file as moving QR codes (4 a second, as the sender shows them) read through
//    Chromium's fake camera on the real app: frames and seconds until every code is read.
import * as A from '@automerge/automerge';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../src/lib/core/encoding/hex';
import { ledgerDocWith, putEntry, type LedgerDoc } from '../src/lib/core/ledger/doc';
import { encodeBundle } from '../src/lib/core/sync/bundle';
import { toFrames } from '../src/lib/core/sync/qr-frames';
import { bigGroup } from '../tests/kit/big-group';
import { Kind, P } from '../tests/kit/ledger-kit';
import { cameraBrowser, qrVideo } from '../tests/e2e/fake-camera';
import { report, startRelayProcess } from './lib';

const header = (groupId: Uint8Array, scope: 'full' | 'since') => ({
  groupId: toHex(groupId),
  documentId: '4NMNnkMhL8jXrdJ9jKnnP7Ra6H6U',
  scope,
  since: [],
  heads: [],
  entries: 0,
  created: 0
});

const { groupId, entries, devices, heads } = bigGroup(5000);
const monthAgo = A.from<LedgerDoc>(ledgerDocWith(groupId, entries.slice(0, 4400)));
const upToDate = A.change(monthAgo, (d) => {
  for (const bytes of entries.slice(4400)) putEntry(d, bytes);
});
report(
  'sync file, whole group (20 members, 5,000 entries)',
  encodeBundle(header(groupId, 'full'), A.save(upToDate)).length / 1024,
  'KiB'
);
report(
  'sync file, a month away (600 entries)',
  encodeBundle(header(groupId, 'since'), A.saveSince(upToDate, A.getHeads(monthAgo))).length / 1024,
  'KiB'
);
const ballot = devices[3]!.write(
  groupId,
  Kind.Ballot,
  P.ballot(heads[0]!, 1),
  heads,
  1_790_000_000
);
const withBallot = A.change(upToDate, (d) => {
  putEntry(d, ballot.bytes);
});
report(
  'sync file, one new ballot for an up-to-date phone',
  encodeBundle(header(groupId, 'since'), A.saveSince(withBallot, A.getHeads(upToDate))).length,
  'bytes',
  1024
);

// --- a 20 KB file as QR codes through the fake camera ---
const file = encodeBundle(header(groupId, 'full'), new Uint8Array(randomBytes(20_000)));
const frames = toFrames(file);
report('QR codes for a 20 KB file', frames.length, 'frames');
const dir = mkdtempSync(join(tmpdir(), 'hearth-bench-qr-'));
const video = join(dir, 'qr.y4m');
// The sender shows 4 codes a second; the camera films at 12 frames a second.
writeFileSync(video, qrVideo(frames, { fps: 12, hold: 3 }));
const RELAY = 3294;
const relay = await startRelayProcess(RELAY, join(dir, 'relay'));
const browser = await cameraBrowser(video);
try {
  const page = await browser.newPage({ viewport: { width: 360, height: 640 } });
  await page.goto(`http://127.0.0.1:${RELAY}/`);
  await page.getByLabel('What should your group call you?').fill('Bench');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('scan-loop').waitFor();
  const t0 = performance.now();
  await page.getByTestId('scan-loop').click();
  await page
    .getByTestId('qr-status')
    .filter({ hasText: 'All codes read' })
    .waitFor({ timeout: 180_000 });
  report('QR transfer of a 20 KB file (4 codes a second)', (performance.now() - t0) / 1000, 's');
} finally {
  await browser.close();
  await relay.stop();
  rmSync(dir, { recursive: true, force: true });
}
