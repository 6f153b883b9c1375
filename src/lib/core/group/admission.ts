import { readLedgerDoc } from '../ledger/doc';
import { decodeEntry } from '../ledger/envelope';
import { derive } from '../governance/derive';
import { Kind } from '../governance/types';
import { toHex } from '../encoding/hex';

/**
 * What a relay in `groups` admission mode may learn from a document without any key [OPS-7]:
 * whether it is a Hearth group whose founding entry is a valid, signed genesis (judged by the same
 * reducer every phone runs), or another document of a group (a support thread: same shape, bound
 * to the group id, no genesis of its own).
 */
export type Admission =
  | { kind: 'group'; groupId: string }
  | { kind: 'group-document'; groupId: string }
  | { kind: 'unknown' };

export function admissionOf(
  doc: unknown,
  verify?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean
): Admission {
  const read = readLedgerDoc(doc);
  if (!read) return { kind: 'unknown' };
  const groupId = toHex(read.groupId);
  for (const [id, bytes] of read.entries) {
    const d = decodeEntry(bytes, id);
    if (!d.ok || d.entry.kind !== Kind.Genesis) continue;
    // The genesis alone, through the reducer: its signature, that the group id commits to the
    // founder's key, and its settings.
    const state = derive([bytes], { groupId: read.groupId, ...(verify ? { verify } : {}) });
    if (state.founder !== null) return { kind: 'group', groupId };
  }
  return { kind: 'group-document', groupId };
}
