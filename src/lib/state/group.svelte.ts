import {
  parseGroupName,
  parseNoteText,
  readGroupDoc,
  type Note,
  type SkeletonGroupDoc
} from '$core/group/notes';
import { sameHeads } from '$core/sync/status';
import { now } from '$lib/adapters/clock';
import { isDocumentId, type DocHandle } from '$lib/adapters/repo';
import { toHex } from '$core/encoding/hex';
import { app, describeStorageError } from './app.svelte';

export type GroupLoad =
  'loading' | 'ready' | 'unavailable' | 'invalid-link' | 'not-a-group' | 'error';

/**
 * One open group: loads the document, follows its changes, and writes notes. Create one per page
 * and call `close()` when the page goes away.
 */
export class GroupView {
  #handle: DocHandle<SkeletonGroupDoc> | undefined;
  #abort = new AbortController();
  #offs: (() => void)[] = [];
  #state = $state<GroupLoad>('loading');
  #name = $state('');
  #notes = $state<Note[]>([]);
  #error = $state<string | undefined>();

  readonly state = $derived(this.#state);
  readonly name = $derived(this.#name);
  readonly notes = $derived(this.#notes);
  readonly error = $derived(this.#error);

  constructor(readonly documentId: string) {}

  async open(): Promise<void> {
    if (!isDocumentId(this.documentId)) {
      this.#state = 'invalid-link';
      return;
    }
    try {
      const hearth = await app.repo();
      const handle = await hearth.findGroup(this.documentId, this.#abort.signal);
      if (this.#abort.signal.aborted) return;
      this.#handle = handle;
      const onChange = () => this.#read();
      handle.on('change', onChange);
      this.#offs.push(() => handle.off('change', onChange));
      const onRemote = () => this.checkSync();
      handle.on('remote-heads', onRemote);
      handle.on('heads-changed', onRemote);
      this.#offs.push(
        () => handle.off('remote-heads', onRemote),
        () => handle.off('heads-changed', onRemote)
      );
      this.#read();
      this.checkSync();
      if (this.#state === 'ready') await app.rememberGroup(this.documentId, this.#name);
    } catch (e) {
      if (this.#abort.signal.aborted) return;
      // automerge-repo rejects find() when no peer has the document (e.g. offline, never synced).
      const message = e instanceof Error ? e.message : String(e);
      if (/unavailable/i.test(message)) this.#state = 'unavailable';
      else {
        this.#state = 'error';
        this.#error = describeStorageError(e);
      }
    }
  }

  /** Adds a note by the local identity. Returns an error message to show, or undefined. */
  addNote(input: string): string | undefined {
    const identity = app.identity;
    if (!identity) return 'Please choose a name first.';
    if (!this.#handle) return 'This group is still loading.';
    const text = parseNoteText(input);
    if (!text.ok)
      return text.error === 'empty'
        ? 'Write something first.'
        : 'That note is too long. Please shorten it.';
    const note: Note = {
      id: crypto.randomUUID(),
      author: toHex(identity.publicKey),
      authorName: identity.pseudonym,
      text: text.value,
      at: now()
    };
    this.#handle.change((doc) => {
      doc.notes.push(note);
    });
    return undefined;
  }

  rename(input: string): string | undefined {
    const name = parseGroupName(input);
    if (!name.ok)
      return name.error === 'empty' ? 'A group needs a name.' : 'That name is too long.';
    this.#handle?.change((doc) => {
      doc.name = name.value;
    });
    return undefined;
  }

  close(): void {
    this.#abort.abort();
    for (const off of this.#offs) off();
    this.#offs = [];
    app.documentInSync = undefined;
  }

  #read() {
    const doc = readGroupDoc(this.#handle?.doc());
    if (!doc) {
      this.#state = 'not-a-group';
      return;
    }
    this.#name = doc.name;
    this.#notes = doc.notes;
    this.#state = 'ready';
    void app.cacheGroupName(this.documentId, doc.name);
  }

  /** Recomputes whether this group is up to date on the relay. */
  checkSync(): void {
    const handle = this.#handle;
    const storageId = app.connection.relayStorageId;
    if (!handle) return;
    const remote = storageId ? handle.getSyncInfo(storageId)?.lastHeads : undefined;
    app.documentInSync = remote ? sameHeads(handle.heads(), remote) : false;
  }
}
