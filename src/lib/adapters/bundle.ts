import * as A from '@automerge/automerge/slim';
import { toHex } from '$core/encoding/hex';
import { readLedgerDoc, type LedgerDoc } from '$core/ledger/doc';
import { decodeEntry, entryId, signedMessage } from '$core/ledger/envelope';
import { err, ok, type Result } from '$core/result';
import { decodeBundle, encodeBundle, type BundleHeader } from '$core/sync/bundle';
import type { ImportError, ImportOutcomeData } from './doc-protocol';
import type { DocHandle, DocumentId, HearthRepo } from './repo';
import { verifyFast } from './verify';

/**
 * Sync bundles on the device [SNK-1, SNK-2]: make a `.hearth` file from a group's document (all
 * of it, or only what a receiver lacks), and take one in. A bundle is hostile input: it is
 * applied to a copy first, and merged only if the copy still holds every entry this phone had,
 * unchanged, and every new entry is a valid signed entry of the same group.
 */

export interface ImportOutcome extends ImportOutcomeData {
  documentId: DocumentId;
}

export function makeBundle(
  handle: DocHandle<LedgerDoc>,
  documentId: string,
  now: number,
  since: string[] | null = null
): Uint8Array {
  const doc = handle.doc();
  const ledger = readLedgerDoc(doc);
  if (!ledger) throw new Error('not a group document');
  // Changes after the receiver's heads — if this phone knows them all; otherwise everything.
  const known = since?.filter((h) => /^[0-9a-f]{64}$/.test(h)) ?? [];
  const partial = known.length > 0 && known.length === since?.length && A.hasHeads(doc, known);
  const body = partial ? A.saveSince(doc, known) : A.save(doc);
  return encodeBundle(
    {
      groupId: toHex(ledger.groupId),
      documentId,
      scope: partial ? 'since' : 'full',
      since: partial ? known : [],
      heads: A.getHeads(doc),
      entries: ledger.entries.size,
      created: Math.floor(now)
    },
    body
  );
}

/** A document's Automerge heads (what a receiver shows so a sender sends only what is missing). */
export function headsOf(handle: DocHandle<LedgerDoc>): string[] {
  return A.getHeads(handle.doc());
}

async function checkNewEntries(
  groupId: Uint8Array,
  before: Map<string, Uint8Array>,
  after: Map<string, Uint8Array>
): Promise<Result<number, 'tampered' | 'bad-entries'>> {
  for (const [id, bytes] of before) {
    const now = after.get(id);
    if (!now || now.length !== bytes.length || !now.every((b, i) => b === bytes[i]))
      return err('tampered', 'it would delete or change entries this phone already has');
  }
  let added = 0;
  for (const [id, bytes] of after) {
    if (before.has(id)) continue;
    const d = decodeEntry(bytes);
    if (
      !d.ok ||
      entryId(bytes) !== id ||
      !(await verifyFast(d.entry.author, signedMessage(groupId, d.entry.body), d.entry.signature))
    )
      return err('bad-entries', 'it holds entries that are not validly signed for this group');
    added++;
  }
  return ok(added);
}

/**
 * Takes a bundle in. `local` finds the group on this phone (undefined when it is not here);
 * nothing is written unless every check passes.
 */
export async function importBundle(
  hearth: HearthRepo,
  bytes: Uint8Array,
  local: (documentId: DocumentId) => Promise<DocHandle<LedgerDoc> | undefined>,
  expectGroup?: string
): Promise<Result<ImportOutcome, ImportError>> {
  const decoded = decodeBundle(bytes);
  if (!decoded.ok) return decoded;
  const { header, body } = decoded.value;
  if (expectGroup !== undefined && header.groupId !== expectGroup)
    return err('foreign', 'this file belongs to another group');
  const documentId = header.documentId as DocumentId;
  const handle = await local(documentId);
  if (!handle && header.scope !== 'full')
    return err(
      'needs-earlier',
      'this file only holds recent changes to a group this phone does not have'
    );
  let candidate: A.Doc<LedgerDoc>;
  try {
    candidate = handle ? A.loadIncremental(A.clone(handle.doc()), body) : A.load<LedgerDoc>(body);
  } catch {
    return err('corrupt', 'the document inside the file is damaged');
  }
  if (!header.heads.every((h) => A.hasHeads(candidate, [h])))
    return err('needs-earlier', 'this file builds on changes this phone does not have yet');
  const after = readLedgerDoc(candidate);
  if (!after) return err('not-a-group', 'the file does not hold a Hearth group');
  if (toHex(after.groupId) !== header.groupId)
    return err('foreign', 'the file says one group and holds another');
  const before = handle ? readLedgerDoc(handle.doc()) : undefined;
  if (handle && (!before || toHex(before.groupId) !== header.groupId))
    return err('foreign', 'this file belongs to another group');
  const checked = await checkNewEntries(
    after.groupId,
    before?.entries ?? new Map<string, Uint8Array>(),
    after.entries
  );
  if (!checked.ok) return checked;
  if (handle) {
    // Merge only what is new to this phone: a replayed file changes nothing.
    if (!A.hasHeads(handle.doc(), A.getHeads(candidate)))
      handle.update((d) => A.merge(d, candidate));
  } else hearth.repo.import(A.save(candidate), { docId: documentId });
  return ok({ documentId, groupId: header.groupId, added: checked.value, created: !handle });
}

export type { BundleHeader };
