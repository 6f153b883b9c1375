import { expect, test } from '@playwright/test';
import { Repo, type DocumentId } from '@automerge/automerge-repo';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStorageAdapter } from '../../sync-server/src/storage/file-storage';
import {
  admit,
  expectAdmitted,
  applyToJoin,
  createIdentity,
  expectSyncStatus,
  makeInvite,
  openProposal,
  propose,
  startRelay,
  tab
} from './helpers';

const PORT = 3197;
const M = {
  group: 'QXGROUPNAMEQX',
  desc: 'QXDESCRIPTIONQX',
  rule: 'QXRULEQX',
  founder: 'QXFOUNDERQX',
  applicant: 'QXAPPLICANTQX',
  motivation: 'QXMOTIVATIONQX',
  proposal: 'QXPROPOSALQX',
  comment: 'QXCOMMENTQX',
  reason: 'QXREASONQX',
  threadTitle: 'QXTHREADTITLEQX',
  topic: 'QXTOPICQX',
  warning: 'QXWARNINGQX',
  post: 'QXPOSTQX',
  reply: 'QXREPLYQX'
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

test('[ENC-7] [INV-4] the relay stores no plaintext: every marker written through the app is absent from every byte it keeps, raw and decoded', async ({
  browser
}) => {
  test.setTimeout(120_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'hearth-plaintext-'));
  const relay = await startRelay({ port: PORT, dataDir });
  let documentId = '';
  try {
    const a = await browser.newContext({ baseURL: relay.url });
    const b = await browser.newContext({ baseURL: relay.url });
    const founder = await a.newPage();
    const applicant = await b.newPage();
    await createIdentity(founder, 'Robin');
    await founder.goto('/new');
    await founder.getByLabel('Group name').fill(`${M.group} circle`);
    await founder.getByLabel('A few words about the group (optional)').fill(M.desc);
    await founder.getByLabel('Another rule (optional)').fill(M.rule);
    await founder.getByLabel('Your name in this group').fill(M.founder);
    await founder.getByRole('button', { name: 'Create the group' }).click();
    await expect(founder.getByTestId('group-name')).toHaveText(`${M.group} circle`);
    documentId = new URL(founder.url()).hash.slice(1).split('/')[0]!;

    const invite = await makeInvite(founder);
    await applyToJoin(
      applicant,
      invite.replace(/^https?:\/\/[^/]+/, ''),
      M.applicant,
      M.motivation
    );
    await admit(founder, M.applicant);
    await expectAdmitted(applicant);
    await propose(founder, M.proposal);
    await tab(applicant, 'Decisions');
    await openProposal(applicant, M.proposal);
    await applicant.getByLabel('Reason (optional, members can read it)').fill(M.reason);
    await applicant.getByRole('button', { name: 'Yes', exact: true }).click();
    await applicant.getByLabel('Add to the discussion').fill(M.comment);
    await applicant.getByRole('button', { name: 'Post comment' }).click();
    // Both phones read everything: the markers really were written.
    await tab(founder, 'Decisions');
    await openProposal(founder, M.proposal);
    await expect(founder.getByTestId('proposal')).toContainText(M.comment);
    await expect(founder.getByTestId('proposal')).toContainText(M.reason);
    await expect(founder.getByTestId('proposal')).toContainText(M.applicant);
    // A support conversation: title, topic, warning, a post and a reply (SPACE-1, SPACE-2).
    await tab(founder, 'Support');
    await founder.getByLabel('Title').fill(M.threadTitle);
    await founder.getByLabel('Topic (optional)').fill(M.topic);
    await founder.getByLabel('Add a content warning').check();
    await founder.getByLabel('What the warning says').fill(M.warning);
    await founder.getByLabel('First post').fill(M.post);
    await founder.getByRole('button', { name: 'Start the conversation' }).click();
    await expect(founder.getByTestId('thread')).toContainText(M.threadTitle);
    await tab(applicant, 'Support');
    await applicant.getByTestId('thread-item').getByRole('link').click();
    await applicant.getByRole('button', { name: 'Show this post' }).click();
    await expect(applicant.getByTestId('post-text')).toHaveText(M.post);
    await applicant.getByLabel('Your post').fill(M.reply);
    await applicant.getByRole('button', { name: 'Post', exact: true }).click();
    await expect(founder.getByTestId('posts')).toContainText(M.warning, { timeout: 30_000 });
    await expect(founder.getByTestId('post')).toHaveCount(2, { timeout: 30_000 });
    await expectSyncStatus(founder, 'synced');
    await expectSyncStatus(applicant, 'synced');
    await a.close();
    await b.close();
  } finally {
    expect(await relay.stop()).toBe(0);
  }
  try {
    // 1. Every byte of every file the relay keeps.
    const stored = files(dataDir);
    expect(stored.length).toBeGreaterThan(0);
    for (const f of stored) {
      const text = readFileSync(f).toString('latin1');
      for (const m of Object.values(M)) expect(text, `${m} in ${f}`).not.toContain(m);
    }
    // 2. The document decoded (Automerge may compress columns): every entry, every string.
    // Every document the relay holds: the group's ledger and the conversation's own document.
    const storage = new FileStorageAdapter(dataDir);
    const ids = [...new Set((await storage.loadRange([])).map((c) => c.key[0]!))].filter(
      (k) => k !== 'storage-adapter-id'
    );
    expect(ids).toContain(documentId);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const repo = new Repo({ storage, network: [] });
    let total = 0;
    for (const id of ids) {
      const handle = await repo.find<{ entries?: Record<string, Uint8Array> }>(id as DocumentId);
      const entries = Object.values(handle.doc().entries ?? {});
      total += entries.length;
      const decoded = entries.map((e) => Buffer.from(e).toString('latin1')).join('\n');
      for (const m of Object.values(M)) expect(decoded, `${m} in ${id}`).not.toContain(m);
    }
    expect(total).toBeGreaterThan(12);
    await repo.shutdown();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
