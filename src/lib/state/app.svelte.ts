import { m } from '$lib/paraglide/messages.js';
import { sameHeads, syncStatus, type SyncStatus } from '$core/sync/status';
import type { GroupRow, HearthDB, IdentityRow } from '$lib/adapters/db';
import { DB_NAME } from '$lib/adapters/db-name';
import {
  cacheGroupName,
  forgetGroup,
  listGroups,
  rememberGroup,
  restoreGroup,
  setUnsynced
} from '$lib/adapters/groups';
import type {
  ConnectionFacts,
  HearthRepo,
  ImportError,
  ImportOutcome
} from '$lib/adapters/repo-client';
import { loadMirror, saveMirror, type MirrorEntry } from '$lib/adapters/mirror';
import type { Result } from '$core/result';
import { loadRelayUrls, saveRelayUrls } from '$lib/adapters/settings';
import { effectiveRelayUrls } from '$core/sync/relay-address';

type Local = typeof import('$lib/adapters/local');

/**
 * App-wide state between the adapters and the UI. The first render needs only the device's own
 * data (identity and the cached group list); on a first visit, not even that: the name field shows
 * while storage loads [PWA-4]. automerge-repo and its wasm load afterwards, in the background.
 */
class AppState {
  #local: Promise<Local> | undefined;
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
      if (await firstVisit()) {
        // Nothing stored on this device yet: the welcome screen needs no storage code. It loads
        // now, while the person reads and types (createIdentity waits for it).
        void this.local().catch(() => undefined);
      } else await this.#read();
    } catch (e) {
      this.#loadError = describeStorageError(e);
    } finally {
      this.#loading = false;
    }
    // Connect in the background once the shell is on screen, so every group on this device syncs
    // while the app is open. The wasm comes from the service worker cache, not the network.
    if (!this.#loadError) setTimeout(() => void this.repo().catch(() => undefined), 0);
  }

  /** The person using Hearth on this device, their identity, groups and relays. */
  async #read(): Promise<void> {
    const L = await this.local();
    const people = await L.listPeople(L.db);
    const last = (await L.db.settings.get('current-person'))?.value;
    this.#people = people;
    this.#person = people.some((p) => p.id === last) ? (last as string) : 'self';
    const [identity, groups, relay] = await Promise.all([
      L.loadIdentity(L.db, this.#person),
      listGroups(L.db, this.#person),
      loadRelayUrls(L.db)
    ]);
    this.#identity = identity;
    this.#secret = identity?.secretKey;
    this.#groups = groups;
    this.#relaySetting = relay;
    // Drafts for groups no longer on the person's list go [DRAFT-5].
    void this.#sweepDrafts();
  }

  /** Loaded after the first screen: sealed drafts bring their cipher [PWA-4]. */
  #sweepDrafts(): Promise<unknown> {
    const prefix = this.#person === 'self' ? '' : `${this.#person}/`;
    const documents = this.#groups.map((g) => g.documentId);
    return Promise.all([this.store(), import('$lib/adapters/drafts')])
      .then(([db, { sweepDrafts }]) => sweepDrafts(db, prefix, documents))
      .catch(() => undefined);
  }

  /** Storage and identity code, loaded once on first use [PWA-4]. */
  local(): Promise<Local> {
    this.#local ??= import('$lib/adapters/local');
    return this.#local;
  }

  /** The device's database, once its code has loaded. */
  async store(): Promise<HearthDB> {
    return (await this.local()).db;
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
          const [{ serveRepo }, { startRepo }, db] = await Promise.all([
            import('$lib/adapters/doc-service'),
            import('$lib/adapters/repo'),
            this.store()
          ]);
          const channel = new MessageChannel();
          serveRepo(channel.port2, (urls, onFacts, wasmUrl) =>
            startRepo(db, urls, onFacts, wasmUrl)
          );
          return channel.port1;
        }
      )
    );
  }

  async createIdentity(pseudonym: string): Promise<void> {
    const L = await this.local();
    this.#identity = await L.createIdentity(L.db, pseudonym, this.#person);
    this.#secret = this.#identity.secretKey;
    this.#people = await L.listPeople(L.db);
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
    const L = await this.local();
    const id = `person-${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) =>
      b.toString(16).padStart(2, '0')
    ).join('')}`;
    const row = await L.createIdentity(L.db, pseudonym, id);
    await L.setPasscode(L.db, passcode, id);
    this.#person = id;
    this.#identity = await L.loadIdentity(L.db, id);
    this.#secret = row.secretKey;
    this.#groups = await listGroups(L.db, id);
    this.#people = await L.listPeople(L.db);
    await L.db.settings.put({ key: 'current-person', value: id });
  }

  /**
   * Switches to another person on this phone. The current person's key leaves memory; the next
   * person opens with their passcode if they have one.
   */
  async switchPerson(id: string): Promise<void> {
    const L = await this.local();
    const identity = await L.loadIdentity(L.db, id);
    if (!identity) return;
    await L.db.settings.put({ key: 'current-person', value: id });
    this.#person = id;
    this.#identity = identity;
    this.#secret = identity.wrapped ? undefined : identity.secretKey;
    this.#groups = await listGroups(L.db, id);
    void this.#sweepDrafts();
  }

  /**
   * Makes this phone use a key from the person's other phone [ID-6]. Refused when this phone
   * already has groups (they belong to its current identity).
   */
  async adoptIdentity(pseudonym: string, seed: Uint8Array): Promise<void> {
    const L = await this.local();
    if (this.#groups.length > 0) throw new Error('this phone already has groups');
    this.#identity = await L.replaceIdentity(L.db, pseudonym, seed, this.#person);
    this.#people = await L.listPeople(L.db);
    this.#secret = seed;
  }

  /** Opens the app with the passcode; false (and still locked) when it is wrong. */
  async unlock(passcode: string): Promise<boolean> {
    const L = await this.local();
    const secret = await L.unlockIdentity(L.db, passcode, this.#person);
    if (secret) this.#secret = secret;
    return !!secret;
  }

  async setPasscode(passcode: string): Promise<void> {
    const L = await this.local();
    await L.setPasscode(L.db, passcode, this.#person);
    this.#identity = await L.loadIdentity(L.db, this.#person);
    this.#people = await L.listPeople(L.db);
  }

  async removePasscode(passcode: string): Promise<boolean> {
    const L = await this.local();
    const ok = await L.removePasscode(L.db, passcode, this.#person);
    this.#identity = await L.loadIdentity(L.db, this.#person);
    this.#people = await L.listPeople(L.db);
    return ok;
  }

  /** Locks the app now (for a shared phone): the key leaves memory until the passcode is entered. */
  lock(): void {
    if (this.#identity?.wrapped) this.#secret = undefined;
  }

  async renameIdentity(pseudonym: string): Promise<void> {
    const L = await this.local();
    await L.renameIdentity(L.db, pseudonym, this.#person);
    this.#identity = await L.loadIdentity(L.db, this.#person);
    this.#people = await L.listPeople(L.db);
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

  async loadMirror(documentId: string) {
    const L = await this.local();
    return loadMirror(L.db, documentId);
  }

  async saveMirror(documentId: string, entries: MirrorEntry[], pending = false) {
    const L = await this.local();
    return saveMirror(L.db, documentId, entries, pending);
  }

  async rememberGroup(documentId: string, name: string): Promise<void> {
    const L = await this.local();
    await rememberGroup(L.db, this.#person, documentId, name);
    this.#groups = await listGroups(L.db, this.#person);
  }

  async cacheGroupName(documentId: string, name: string): Promise<void> {
    const L = await this.local();
    if (this.#groups.find((g) => g.documentId === documentId)?.name === name) return;
    await cacheGroupName(L.db, this.#person, documentId, name);
    this.#groups = await listGroups(L.db, this.#person);
  }

  /** Keeps the group list's "not shared yet" badge current [APP-9]. */
  async setUnsynced(documentId: string, count: number): Promise<void> {
    const L = await this.local();
    const row = this.#groups.find((g) => g.documentId === documentId);
    if (!row || (row.unsynced ?? 0) === count) return;
    await setUnsynced(L.db, this.#person, documentId, count);
    this.#groups = await listGroups(L.db, this.#person);
  }

  /**
   * Clears the badge of groups whose writes the relay has since confirmed, even if they are not
   * open: automerge-repo syncs every group on the device in the background.
   */
  async #confirmUnsynced(): Promise<void> {
    const L = await this.local();
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
          void setUnsynced(L.db, owner, row.documentId, 0).then(async () => {
            if (this.#person === owner) this.#groups = await listGroups(L.db, owner);
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
    const L = await this.local();
    const owner = this.#person;
    const row = await forgetGroup(L.db, owner, documentId);
    this.#groups = await listGroups(L.db, owner);
    return async () => {
      if (row) await restoreGroup(L.db, row);
      this.#groups = await listGroups(L.db, this.#person);
    };
  }

  /**
   * The invitation this device applied to a group with, kept so it can read its own application
   * before it holds the group key [INV-4].
   */
  async pendingInvite(documentId: string): Promise<{ entry: string; secret: string } | undefined> {
    const L = await this.local();
    const row = await L.db.settings.get(this.personKey(`invite:${documentId}`));
    const v = row?.value as { entry?: unknown; secret?: unknown } | undefined;
    return typeof v?.entry === 'string' && typeof v.secret === 'string'
      ? { entry: v.entry, secret: v.secret }
      : undefined;
  }

  async savePendingInvite(documentId: string, entry: string, secret: string): Promise<void> {
    const L = await this.local();
    await L.db.settings.put({
      key: this.personKey(`invite:${documentId}`),
      value: { entry, secret }
    });
  }

  /** The version of a group's rules this person accepted on this device (0 when none). */
  async acceptedRules(documentId: string): Promise<number> {
    const L = await this.local();
    const row = await L.db.settings.get(this.personKey(`rules-accepted:${documentId}`));
    return typeof row?.value === 'number' ? row.value : 0;
  }

  async acceptRules(documentId: string, version: number): Promise<void> {
    const L = await this.local();
    await L.db.settings.put({
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
    const L = await this.local();
    await saveRelayUrls(L.db, urls);
    this.#relaySetting = [...new Set(urls)];
  }
}

/**
 * Whether this browser has never stored anything for Hearth: no database by Hearth's name. Where
 * the browser cannot list its databases, or the list fails, the answer is no (the usual path then
 * opens the database and finds it empty).
 */
async function firstVisit(): Promise<boolean> {
  try {
    if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return false;
    const names = (await indexedDB.databases()).map((d) => d.name);
    return !names.includes(DB_NAME);
  } catch {
    return false;
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
