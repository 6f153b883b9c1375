import { m } from '$lib/paraglide/messages.js';
import { sameHeads, syncStatus, type SyncStatus } from '$core/sync/status';
import { HearthDB, type GroupRow, type IdentityRow } from '$lib/adapters/db';
import {
  cacheGroupName,
  forgetGroup,
  listGroups,
  rememberGroup,
  restoreGroup,
  setUnsynced
} from '$lib/adapters/groups';
import {
  createIdentity,
  listPeople,
  loadIdentity,
  removePasscode,
  renameIdentity,
  replaceIdentity,
  setPasscode,
  unlockIdentity
} from '$lib/adapters/identity';
import type {
  ConnectionFacts,
  HearthRepo,
  ImportError,
  ImportOutcome
} from '$lib/adapters/repo-client';
import { loadMirror, saveMirror, type MirrorEntry } from '$lib/adapters/mirror';
import type { Result } from '$core/result';
import { effectiveRelayUrls, loadRelayUrls, saveRelayUrls } from '$lib/adapters/settings';
import { sweepDrafts } from '$lib/adapters/drafts';

/**
 * App-wide state between the adapters and the UI. The first render needs only Dexie (identity and
 * the cached group list); automerge-repo and its wasm load afterwards, in the background.
 */
class AppState {
  readonly db = new HearthDB();
  #identity = $state<IdentityRow | undefined>();
  /** Who is using Hearth now, and everyone who uses it on this device [KEY-3]. */
  #person = $state('self');
  #people = $state<{ id: string; pseudonym: string; hasPasscode: boolean }[]>([]);
  #groups = $state<GroupRow[]>([]);
  #loading = $state(true);
  #loadError = $state<string | undefined>();
  #online = $state(true);
  #connection = $state<ConnectionFacts>({
    connected: false,
    failedAttempts: 0,
    relayStorageId: undefined
  });
  /** The relay list as saved ('' is the app's own relay) and as this run of the app uses it. */
  #relaySetting = $state<string[]>(['']);
  #relaysInUse = $state<string[]>([]);
  #relays = $state<Record<string, ConnectionFacts>>({});
  /** Whether the open group's changes have all reached the relay; undefined when none is open. */
  documentInSync = $state<boolean | undefined>();
  /** The device key while unlocked (only in memory when a passcode protects it). */
  #secret = $state<Uint8Array | undefined>();
  #repo: Promise<HearthRepo> | undefined;
  /** Groups (`person/document`) whose relay confirmation is being watched. */
  readonly #watching = new Set<string>();
  #started = false;

  readonly identity = $derived(this.#identity);
  readonly person = $derived(this.#person);
  readonly people = $derived(this.#people);
  readonly groups = $derived(this.#groups);
  readonly loading = $derived(this.#loading);
  readonly loadError = $derived(this.#loadError);
  readonly connection = $derived(this.#connection);
  readonly relaySetting = $derived(this.#relaySetting);
  /** Addresses this run of the app connects to, and each one's state [SYNC-4]. */
  readonly relaysInUse = $derived(this.#relaysInUse);
  readonly relays = $derived(this.#relays);
  /** A passcode protects the key and it has not been entered yet: show only the lock screen. */
  readonly locked = $derived(!!this.#identity?.wrapped && !this.#secret);
  readonly hasPasscode = $derived(!!this.#identity?.wrapped);

  /** The device key while the app is unlocked. */
  get secret(): Uint8Array | undefined {
    return this.#secret;
  }
  readonly syncStatus: SyncStatus = $derived(
    syncStatus({
      online: this.#online,
      connected: this.#connection.connected,
      failedAttempts: this.#connection.failedAttempts,
      documentInSync: this.documentInSync
    })
  );

  /** Reads local data; call once from the root layout. Never needs the network. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#online = navigator.onLine;
    addEventListener('online', () => (this.#online = true));
    addEventListener('offline', () => (this.#online = false));
    try {
      const people = await listPeople(this.db);
      const last = (await this.db.settings.get('current-person'))?.value;
      this.#people = people;
      this.#person = people.some((p) => p.id === last) ? (last as string) : 'self';
      const [identity, groups, relay] = await Promise.all([
        loadIdentity(this.db, this.#person),
        listGroups(this.db, this.#person),
        loadRelayUrls(this.db)
      ]);
      this.#identity = identity;
      this.#secret = identity?.secretKey;
      this.#groups = groups;
      this.#relaySetting = relay;
      // Drafts for groups no longer on the person's list go [DRAFT-5].
      void this.#sweepDrafts();
    } catch (e) {
      this.#loadError = describeStorageError(e);
    } finally {
      this.#loading = false;
    }
    // Connect in the background once the shell is on screen, so every group on this device syncs
    // while the app is open. The wasm comes from the service worker cache, not the network.
    if (!this.#loadError) setTimeout(() => void this.repo().catch(() => undefined), 0);
  }

  #sweepDrafts(): Promise<unknown> {
    const prefix = this.#person === 'self' ? '' : `${this.#person}/`;
    return sweepDrafts(
      this.db,
      prefix,
      this.#groups.map((g) => g.documentId)
    ).catch(() => undefined);
  }

  #settle: () => void = () => undefined;
  /**
   * Resolves once automerge-repo has started or failed to (its worker has fetched and compiled
   * Automerge). The service worker waits for it before precaching (UpdatePrompt).
   */
  readonly repoSettled: Promise<void> = new Promise((resolve) => (this.#settle = resolve));

  /** automerge-repo, started on first use (after the shell has rendered). */
  repo(): Promise<HearthRepo> {
    if (!this.#repo) {
      this.#repo = this.#startRepo();
      this.#repo.then(this.#settle, this.#settle);
    }
    return this.#repo;
  }

  #startRepo(): Promise<HearthRepo> {
    return import('$lib/adapters/repo-client').then(({ startRepoClient }) =>
      startRepoClient(
        this.#startRelays(),
        (facts, each) => {
          this.#relays = each;
          const reconnected =
            facts.relayStorageId !== this.#connection.relayStorageId ||
            (facts.connected && !this.#connection.connected);
          this.#connection = facts;
          if (reconnected && facts.relayStorageId) void this.#confirmUnsynced();
        },
        // Where a module worker cannot start: the same service on the page's own thread.
        async () => {
          const [{ serveRepo }, { startRepo }] = await Promise.all([
            import('$lib/adapters/doc-service'),
            import('$lib/adapters/repo')
          ]);
          const channel = new MessageChannel();
          serveRepo(channel.port2, (urls, onFacts, wasmUrl) =>
            startRepo(this.db, urls, onFacts, wasmUrl)
          );
          return channel.port1;
        }
      )
    );
  }

  async createIdentity(pseudonym: string): Promise<void> {
    this.#identity = await createIdentity(this.db, pseudonym, this.#person);
    this.#secret = this.#identity.secretKey;
    this.#people = await listPeople(this.db);
  }

  /** A settings key that belongs to the person using Hearth now [KEY-3]. */
  personKey(key: string): string {
    return this.#person === 'self' ? key : `${this.#person}/${key}`;
  }

  /**
   * Adds another person on this phone, with their own keys behind their own passcode, and
   * switches to them [KEY-3].
   */
  async addPerson(pseudonym: string, passcode: string): Promise<void> {
    const id = `person-${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) =>
      b.toString(16).padStart(2, '0')
    ).join('')}`;
    const row = await createIdentity(this.db, pseudonym, id);
    await setPasscode(this.db, passcode, id);
    this.#person = id;
    this.#identity = await loadIdentity(this.db, id);
    this.#secret = row.secretKey;
    this.#groups = await listGroups(this.db, id);
    this.#people = await listPeople(this.db);
    await this.db.settings.put({ key: 'current-person', value: id });
  }

  /**
   * Switches to another person on this phone. The current person's key leaves memory; the next
   * person opens with their passcode if they have one.
   */
  async switchPerson(id: string): Promise<void> {
    const identity = await loadIdentity(this.db, id);
    if (!identity) return;
    await this.db.settings.put({ key: 'current-person', value: id });
    this.#person = id;
    this.#identity = identity;
    this.#secret = identity.wrapped ? undefined : identity.secretKey;
    this.#groups = await listGroups(this.db, id);
    void this.#sweepDrafts();
  }

  /**
   * Makes this phone use a key from the person's other phone [ID-6]. Refused when this phone
   * already has groups (they belong to its current identity).
   */
  async adoptIdentity(pseudonym: string, seed: Uint8Array): Promise<void> {
    if (this.#groups.length > 0) throw new Error('this phone already has groups');
    this.#identity = await replaceIdentity(this.db, pseudonym, seed, this.#person);
    this.#people = await listPeople(this.db);
    this.#secret = seed;
  }

  /** Opens the app with the passcode; false (and still locked) when it is wrong. */
  async unlock(passcode: string): Promise<boolean> {
    const secret = await unlockIdentity(this.db, passcode, this.#person);
    if (secret) this.#secret = secret;
    return !!secret;
  }

  async setPasscode(passcode: string): Promise<void> {
    await setPasscode(this.db, passcode, this.#person);
    this.#identity = await loadIdentity(this.db, this.#person);
    this.#people = await listPeople(this.db);
  }

  async removePasscode(passcode: string): Promise<boolean> {
    const ok = await removePasscode(this.db, passcode, this.#person);
    this.#identity = await loadIdentity(this.db, this.#person);
    this.#people = await listPeople(this.db);
    return ok;
  }

  /** Locks the app now (for a shared phone): the key leaves memory until the passcode is entered. */
  lock(): void {
    if (this.#identity?.wrapped) this.#secret = undefined;
  }

  async renameIdentity(pseudonym: string): Promise<void> {
    await renameIdentity(this.db, pseudonym, this.#person);
    this.#identity = await loadIdentity(this.db, this.#person);
    this.#people = await listPeople(this.db);
  }

  /**
   * Takes in a `.hearth` file [SNK-1, SNK-3]: verified and merged into the group's document on
   * this phone (or the group added, if the file holds all of it). Offline works: nothing here
   * needs the relay.
   */
  async takeBundle(
    bytes: Uint8Array,
    expectGroup?: string
  ): Promise<Result<ImportOutcome, ImportError>> {
    const hearth = await this.repo();
    // Verified and merged where automerge-repo runs; only into groups this person keeps.
    const known = this.#groups.map((g) => g.documentId);
    const r = await hearth.importBundle(bytes, known, expectGroup);
    if (r.ok && r.value.created) await this.rememberGroup(r.value.documentId, '');
    return r;
  }

  loadMirror(documentId: string) {
    return loadMirror(this.db, documentId);
  }

  saveMirror(documentId: string, entries: MirrorEntry[], pending = false) {
    return saveMirror(this.db, documentId, entries, pending);
  }

  async rememberGroup(documentId: string, name: string): Promise<void> {
    await rememberGroup(this.db, this.#person, documentId, name);
    this.#groups = await listGroups(this.db, this.#person);
  }

  async cacheGroupName(documentId: string, name: string): Promise<void> {
    if (this.#groups.find((g) => g.documentId === documentId)?.name === name) return;
    await cacheGroupName(this.db, this.#person, documentId, name);
    this.#groups = await listGroups(this.db, this.#person);
  }

  /** Keeps the group list's "not shared yet" badge current [APP-9]. */
  async setUnsynced(documentId: string, count: number): Promise<void> {
    const row = this.#groups.find((g) => g.documentId === documentId);
    if (!row || (row.unsynced ?? 0) === count) return;
    await setUnsynced(this.db, this.#person, documentId, count);
    this.#groups = await listGroups(this.db, this.#person);
  }

  /**
   * Clears the badge of groups whose writes the relay has since confirmed, even if they are not
   * open: automerge-repo syncs every group on the device in the background.
   */
  async #confirmUnsynced(): Promise<void> {
    const storageId = this.#connection.relayStorageId;
    if (!storageId || !this.#repo) return;
    const hearth = await this.#repo;
    const owner = this.#person;
    for (const row of this.#groups.filter((g) => (g.unsynced ?? 0) > 0)) {
      // One watcher per group, however often the connection comes back.
      const watch = `${owner}/${row.documentId}`;
      if (this.#watching.has(watch)) continue;
      try {
        const handle = await hearth.findGroup(row.documentId as never, AbortSignal.timeout(5000));
        this.#watching.add(watch);
        const check = () => {
          const remote = handle.getSyncInfo(storageId)?.lastHeads;
          if (!remote || !sameHeads(handle.heads(), remote)) return;
          handle.off('remote-heads', check);
          this.#watching.delete(watch);
          // The group belongs to `owner`, whoever is using the phone by now.
          void setUnsynced(this.db, owner, row.documentId, 0).then(async () => {
            if (this.#person === owner) this.#groups = await listGroups(this.db, owner);
          });
        };
        handle.on('remote-heads', check);
        check();
      } catch {
        // Not on this device any more or not loadable now: the badge stays until it is.
      }
    }
  }

  /** Removes a group from this device's list; returns an undo. The document itself stays stored. */
  async forgetGroup(documentId: string): Promise<() => Promise<void>> {
    const owner = this.#person;
    const row = await forgetGroup(this.db, owner, documentId);
    this.#groups = await listGroups(this.db, owner);
    return async () => {
      if (row) await restoreGroup(this.db, row);
      this.#groups = await listGroups(this.db, this.#person);
    };
  }

  /**
   * The invitation this device applied to a group with, kept so it can read its own application
   * before it holds the group key [INV-4].
   */
  async pendingInvite(documentId: string): Promise<{ entry: string; secret: string } | undefined> {
    const row = await this.db.settings.get(this.personKey(`invite:${documentId}`));
    const v = row?.value as { entry?: unknown; secret?: unknown } | undefined;
    return typeof v?.entry === 'string' && typeof v.secret === 'string'
      ? { entry: v.entry, secret: v.secret }
      : undefined;
  }

  async savePendingInvite(documentId: string, entry: string, secret: string): Promise<void> {
    await this.db.settings.put({
      key: this.personKey(`invite:${documentId}`),
      value: { entry, secret }
    });
  }

  /** The version of a group's rules this person accepted on this device (0 when none). */
  async acceptedRules(documentId: string): Promise<number> {
    const row = await this.db.settings.get(this.personKey(`rules-accepted:${documentId}`));
    return typeof row?.value === 'number' ? row.value : 0;
  }

  async acceptRules(documentId: string, version: number): Promise<void> {
    await this.db.settings.put({
      key: this.personKey(`rules-accepted:${documentId}`),
      value: version
    });
  }

  /** The relays this run connects to, from the saved list. */
  #startRelays(): string[] {
    const urls = effectiveRelayUrls(this.#relaySetting, location);
    this.#relaysInUse = urls;
    // A plain array (not the reactive one): it crosses to the worker by structured clone.
    return [...urls];
  }

  /** Saves the relay list [SYNC-4]; it takes effect when the app next starts. */
  async setRelays(urls: string[]): Promise<void> {
    await saveRelayUrls(this.db, urls);
    this.#relaySetting = [...new Set(urls)];
  }
}

/** Storage can be full, blocked (private mode) or broken; say so calmly instead of crashing. */
export function describeStorageError(e: unknown): string {
  const name = e instanceof Error ? e.name : '';
  if (name === 'QuotaExceededError') return m.storage_full();
  if (name === 'InvalidStateError' || name === 'SecurityError' || name === 'MissingAPIError')
    return m.storage_blocked();
  return m.storage_broken();
}

export const app = new AppState();
