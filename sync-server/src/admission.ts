import * as A from '@automerge/automerge';
import type { Repo, StorageAdapterInterface } from '@automerge/automerge-repo';
import { admissionOf } from '../../src/lib/core/group/admission';
import { heldHandle } from './repo-internals';

/** Storage key under which an admitted group's id is remembered (survives restarts, shared). */
const GROUP_KEY = 'hearth-group';

/**
 * The `groups` admission mode [OPS-7]: the relay accepts changes to a document only when it is
 *  - on the operator's allowlist, or
 *  - already here (in memory or in storage: it was admitted before), or
 *  - a Hearth group whose first entry is a valid signed genesis (its group id is then remembered),
 *  - or a document of a group admitted here (a support thread).
 * Requests and change-less sync messages pass: the relay has nothing to reveal for a document it
 * does not hold. What is refused is never stored.
 */
export class AdmissionGate {
  /** Ids admitted since start: kept when a document leaves memory, so it is never re-judged. */
  readonly #admitted = new Set<string>();
  readonly #groups = new Set<string>();

  constructor(
    private readonly repo: Repo,
    private readonly storage: StorageAdapterInterface,
    private readonly allowlist: ReadonlySet<string>
  ) {}

  async admits(documentId: string, changes: Uint8Array[]): Promise<boolean> {
    if (changes.length === 0) return true;
    if (this.allowlist.has(documentId) || this.#admitted.has(documentId)) return true;
    const handle = heldHandle(this.repo, documentId);
    if (handle?.isReady() || (await this.storage.loadRange([documentId])).length > 0) {
      this.#admitted.add(documentId);
      return true;
    }
    // A sync message to a peer that has nothing may carry a whole compressed document rather than
    // single changes; loadIncremental takes both.
    let candidate = A.init<unknown>();
    try {
      for (const chunk of changes) candidate = A.loadIncremental(candidate, chunk);
    } catch {
      return false;
    }
    const verdict = admissionOf(candidate);
    if (verdict.kind === 'group') {
      this.#groups.add(verdict.groupId);
      await this.storage.save([GROUP_KEY, verdict.groupId], new TextEncoder().encode(documentId));
    } else if (verdict.kind === 'group-document') {
      if (!(await this.#knownGroup(verdict.groupId))) return false;
    } else return false;
    this.#admitted.add(documentId);
    return true;
  }

  async #knownGroup(groupId: string): Promise<boolean> {
    if (this.#groups.has(groupId)) return true;
    if (!(await this.storage.load([GROUP_KEY, groupId]))) return false;
    this.#groups.add(groupId);
    return true;
  }
}
