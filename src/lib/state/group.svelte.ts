import { m } from '$lib/paraglide/messages.js';
import { decodeEntry, entryId, signedMessage } from '$core/ledger/envelope';
import { checkAgainstMirror, readLedgerDoc } from '$core/ledger/doc';
import { GroupSession } from '$core/group/session';
import { deviceKeys, NoKeyError } from '$core/group/signer';
import type { GroupState, Proposal } from '$core/governance/state';
import type { Text } from '$core/governance/text';
import { keyFingerprint } from '$core/identity/keys';
import { sameHeads } from '$core/sync/status';
import { hexToBytes, toHex } from '$core/encoding/hex';
import { proofVerdicts } from '$core/governance/derive';
import { parsePayload } from '$core/governance/kinds';
import { Kind } from '$core/governance/types';
import { isDocumentId, type DocumentId } from '$lib/adapters/doc-id';
import type { GroupDoc } from '$lib/adapters/repo-client';
import { nextTask, now, nowSeconds, random } from '$lib/adapters/clock';
import { verifyFast } from '$lib/adapters/verify';
import type { MirrorContent, MirrorEntry } from '$lib/adapters/mirror';
import { app, describeStorageError } from './app.svelte';
import { reasonWords } from '$lib/ui/words';
import { openInviteCard, type InviteCard } from '$core/governance/invite-card';
import { safeDisplayName } from '$core/identity/pseudonym';
import { responders } from '$core/governance/safety';
import { keepReminders, registerGroup, remindResponders, wake } from './notify';

/**
 * What a GroupView needs from the app around it: the device key, the repo, a few remembered
 * facts and the relay connection. `app` is the real one; tests pass their own.
 */
export interface GroupHost {
  readonly secret: Uint8Array | undefined;
  repo(): Promise<{
    findGroup(documentId: DocumentId, signal?: AbortSignal): Promise<GroupDoc>;
    /** Makes a new document of signed entries (a group or one of its threads). */
    createGroup(groupId: Uint8Array, entries: Uint8Array[]): Promise<DocumentId>;
    /** A `.hearth` file of a group: all of it, or what a phone at `since` lacks [SNK-1, SNK-2]. */
    bundle(documentId: DocumentId, since: string[] | null, now: number): Promise<Uint8Array>;
  }>;
  pendingInvite(documentId: string): Promise<{ entry: string; secret: string } | undefined>;
  rememberGroup(documentId: string, name: string): Promise<void>;
  cacheGroupName(documentId: string, name: string): Promise<void>;
  setUnsynced(documentId: string, count: number): Promise<void>;
  readonly connection: { relayStorageId: string | undefined };
  documentInSync: boolean | undefined;
  /** This phone's verified entries of a group, and writes waiting for the document [SNK-5]. */
  loadMirror?(documentId: string): Promise<MirrorContent>;
  saveMirror?(documentId: string, entries: MirrorEntry[], pending?: boolean): Promise<void>;
}

/** The group id a set of entries belongs to, read from its genesis (undefined without one). */
function groupIdOf(entries: Uint8Array[]): Uint8Array | undefined {
  for (const bytes of entries) {
    const d = decodeEntry(bytes);
    if (!d.ok || d.entry.kind !== Kind.Genesis) continue;
    const p = parsePayload(Kind.Genesis, d.entry.payload);
    if (p?.kind === Kind.Genesis) return hexToBytes(p.groupId);
  }
  return undefined;
}

export type GroupLoad =
  'loading' | 'ready' | 'unavailable' | 'invalid-link' | 'not-a-group' | 'locked' | 'error';

/**
 * The entries of a group document the session has not seen, their signatures checked with
 * WebCrypto where it can (the ledger reuses the verdicts) [LED-9, SIG-1].
 */
export async function freshEntries(
  session: GroupSession,
  doc: { entries: Iterable<[string, Uint8Array]> }
): Promise<Uint8Array[]> {
  const fresh: Uint8Array[] = [];
  for (const [id, bytes] of doc.entries) {
    if (session.ledger.has(id)) continue;
    fresh.push(bytes);
    const decoded = decodeEntry(bytes);
    if (decoded.ok && entryId(bytes) === id) {
      const e = decoded.entry;
      session.ledger.params.verdicts.set(
        id,
        await verifyFast(e.author, signedMessage(session.groupId, e.body), e.signature)
      );
    }
  }
  return fresh;
}

/**
 * Open votes whose deadline has passed both on this phone's clock and on the group's witnessed
 * clock (so the close is not refused as early), for a member to close.
 */
function dueProposals(session: GroupSession): Proposal[] {
  if (!session.isMember()) return [];
  const now = nowSeconds();
  const witnessed = session.witnessedNow();
  return Object.values(session.state.proposals).filter(
    (p) => p.status === 'voting' && now >= p.deadline && witnessed >= p.deadline
  );
}

/**
 * Why the group does not count what was just written, in the reader's words (undefined when it
 * does). The entries are stored all the same: the next entry of this device's chain links to them.
 */
function refusal(session: GroupSession, written: Uint8Array[]): string | undefined {
  const last = written.at(-1);
  if (!last) return undefined;
  const record = session.ledger.verdict(entryId(last));
  if (record?.verdict !== 'ignored') return undefined;
  // Another phone wrote as this one (LED-6): the group will count nothing more from this device.
  if (session.chainBroken()) return m.act_frozen();
  return m.act_refused({ reason: reasonWords(record.reason) });
}

/** How long an action that needs the Automerge document waits for it to open. */
const OPEN_WAIT_MS = 20_000;

/**
 * One open group, between the ledger and the screen [APP-1]: loads the group document, verifies
 * new entries (WebCrypto where it can), derives the state, opens the texts this device may read,
 * and writes new signed entries. Create one per page and call `close()` when the page goes away.
 */
export class GroupView {
  #handle: GroupDoc | undefined;
  #session: GroupSession | undefined;
  #abort = new AbortController();
  /** Called once the Automerge document is open, or will not open on this page. */
  #whenOpen: (() => void)[] = [];
  #offs: (() => void)[] = [];
  #ingesting: Promise<void> | undefined;
  #again = false;
  #healTimer: ReturnType<typeof setTimeout> | undefined;
  #load = $state<GroupLoad>('loading');
  #group = $state.raw<GroupState | undefined>();
  #error = $state<string | undefined>();
  /** Entries written on this device that the relay has not confirmed yet. */
  #unsynced = $state.raw<readonly string[]>([]);
  /** Whether this opening has checked every document entry against what the phone knows. */
  #checked = false;
  /** Entries written before the document was ready [SNK-5]. */
  #pending: { id: string; bytes: Uint8Array }[] = [];

  readonly load = $derived(this.#load);
  readonly group = $derived(this.#group);
  readonly error = $derived(this.#error);
  readonly unsynced = $derived(this.#unsynced);

  readonly #host: GroupHost;

  /**
   * `remember: false` for a group the person is only looking at (an invitation's page): it joins
   * their list when they apply, not when the page opens [INV-5].
   */
  constructor(
    readonly documentId: string,
    host: GroupHost = app,
    readonly options: { remember?: boolean } = {}
  ) {
    this.#host = host;
  }

  /** The invitation this person applied with, once known (for its card) [INV-5]. */
  #joinedWith = $state<{ entry: string; secret: Uint8Array } | undefined>();

  /** An invitation's card, opened with its secret; undefined when it has none or it will not open. */
  cardOf(entry: string, secret: Uint8Array): InviteCard | undefined {
    const card = this.#group?.invites[entry]?.card;
    const session = this.#session;
    if (!card || !session) return undefined;
    const opened = openInviteCard(hexToBytes(card), secret, session.groupId);
    if (!opened.ok) return undefined;
    const name = safeDisplayName(opened.value.name);
    return name ? { ...opened.value, name } : undefined;
  }

  /** The card of the invitation this person joined with (what they can read before the key). */
  ownCard(): InviteCard | undefined {
    const j = this.#joinedWith;
    return j ? this.cardOf(j.entry, j.secret) : undefined;
  }

  /** Whether this device can read the group's current rules (it holds the key) [INV-6]. */
  rulesReadable(): boolean {
    const g = this.#group;
    return !!g && this.#session?.open(g.rules.text) !== undefined;
  }

  get session(): GroupSession | undefined {
    return this.#session;
  }

  get host(): GroupHost {
    return this.#host;
  }

  /**
   * Starts a support thread [SPACE-1]: makes the thread's own document, lists it in the ledger,
   * and puts the first post in it. Returns the thread's id, or an error message.
   */
  async startThread(o: {
    title: string;
    topic: string;
    cw: string;
    text: string;
    /** A private conversation with this member (one's mentor or mentee) [SPACE-4]. */
    with?: string;
    /** A request to the group's responders to check in [SAFE-24]. */
    care?: boolean;
    /** A private channel with these members, for sharing the safety plan [SAFE-25]. */
    share?: string[];
    /** More posts after the first (a shared plan, one section each). */
    more?: string[];
  }): Promise<{ thread: string } | { error: string }> {
    // Right after a reload the group shows from this phone's own data while Automerge opens; a
    // person asking for help in that moment waits a little, they are not told to try again.
    await this.#documentOpen(OPEN_WAIT_MS);
    const session = this.#session;
    if (!session || !this.#handle) return { error: m.act_loading() };
    try {
      const hearth = await this.#host.repo();
      const doc = await hearth.createGroup(session.groupId, []);
      let thread = '';
      // A member admitted a moment ago may not have the group's key yet: it comes from another
      // member's phone. The first post waits a little for it rather than asking them to retry.
      const until = now() + OPEN_WAIT_MS;
      const patiently = async <T>(attempt: () => T, noKey: (v: T) => boolean): Promise<T> => {
        for (;;) {
          const v = attempt();
          if (!noKey(v) || now() > until) return v;
          await new Promise((r) => setTimeout(r, 500));
        }
      };
      const error = await patiently(
        () =>
          this.act((s, t) => {
            const heading = { title: o.title, topic: o.topic };
            const out = o.care
              ? s.askForCheckIn(doc, heading, t)
              : o.share
                ? s.shareWith(doc, o.share, heading, t)
                : o.with
                  ? s.openPrivateThread(doc, o.with, heading, t)
                  : s.openThread(doc, { ...heading, cw: o.cw }, t);
            if (out.length === 0) return out;
            thread = entryId(out[out.length - 1]!);
            return out;
          }),
        (e) => e === m.act_no_key()
      );
      if (error) return { error };
      if (!thread) return { error: o.care ? m.care_no_responders() : m.np_not_accepted() };
      if (!this.#session?.state.threads[thread]) return { error: m.np_not_accepted() };
      const handle = await hearth.findGroup(doc);
      // One post after another in this device's chain of the new thread.
      let seq = 0;
      let prev = '';
      const posts: Uint8Array[] = [];
      for (const text of [o.text, ...(o.more ?? [])]) {
        const tip = seq === 0 ? null : { seq, id: prev };
        const bytes =
          (await patiently(
            () => {
              try {
                return session.post(thread, tip, { text }, nowSeconds());
              } catch (e) {
                if (e instanceof NoKeyError) return undefined;
                throw e;
              }
            },
            (b) => b === undefined
          )) ?? session.post(thread, tip, { text }, nowSeconds());
        posts.push(bytes);
        seq++;
        prev = entryId(bytes);
      }
      await handle.put(posts);
      // The responders' phones are woken, closed or not [SAFE-24, PUSH-13]: best effort, the
      // request is in the ledger whatever the relay answers.
      // Unanswered once the group's wait has passed, they are woken again [PUSH-21].
      if (o.care) {
        const them = responders(session.state).filter((id) => id !== session.me);
        const at = nowSeconds();
        void wake(session, them, {
          kind: 'checkin',
          group: this.documentId,
          path: `/group#${this.documentId}`,
          at
        }).catch(() => 0);
        const wait = session.state.safety.checkInWaitMinutes * 60;
        void remindResponders(session, them, this.documentId, thread, at + wait, at).catch(
          () => false
        );
      }
      return { thread };
    } catch (e) {
      return { error: e instanceof NoKeyError ? m.act_no_key() : m.save_failed() };
    }
  }

  async open(): Promise<void> {
    const id = this.documentId;
    if (!isDocumentId(id)) {
      this.#load = 'invalid-link';
      return;
    }
    const secret = this.#host.secret;
    if (!secret) {
      this.#load = 'locked';
      return;
    }
    // Local first [SNK-5]: the verified entries this phone keeps show the group at once, before
    // Automerge and its wasm have loaded (or when they cannot); writes wait in the mirror.
    const local = await this.#host.loadMirror?.(id).catch(() => undefined);
    const localGroup = local ? groupIdOf(local.entries) : undefined;
    if (local && localGroup && !this.#abort.signal.aborted) {
      const session = new GroupSession({ groupId: localGroup, device: deviceKeys(secret), random });
      // They were verified before they were kept: no signature is checked twice [LED-9].
      // Nor the proofs inside them (a device's, an invitation's, a post's): on a slow phone
      // checking those again was the longest task of a cold start (ADR 0014).
      const verdicts = session.ledger.params.verdicts;
      for (const bytes of local.entries) verdicts.set(entryId(bytes), true);
      for (const [key, ok] of local.proofs ?? []) verdicts.set(key, ok);
      // In slices, so the screen is never held for the whole derive on a slow phone.
      await session.addAllSliced(local.entries, nextTask);
      if (this.#abort.signal.aborted) return;
      const invite = await this.#host.pendingInvite(this.documentId);
      if (invite) {
        session.knowInvite(invite.entry, hexToBytes(invite.secret));
        this.#joinedWith = { entry: invite.entry, secret: hexToBytes(invite.secret) };
      }
      this.#session = session;
      this.#pending = local.pending.map((b) => ({ id: entryId(b), bytes: b }));
      this.#publish();
      this.#load = 'ready';
    }
    try {
      const hearth = await this.#host.repo();
      const handle = await hearth.findGroup(id, this.#abort.signal);
      if (this.#abort.signal.aborted) return;
      const doc = readLedgerDoc(handle.doc());
      if (!doc || (this.#session && toHex(doc.groupId) !== toHex(this.#session.groupId))) {
        this.#load = 'not-a-group';
        return;
      }
      this.#handle = handle;
      if (!this.#session) {
        this.#session = new GroupSession({
          groupId: doc.groupId,
          device: deviceKeys(secret),
          random
        });
        const invite = await this.#host.pendingInvite(this.documentId);
        if (invite) {
          this.#session.knowInvite(invite.entry, hexToBytes(invite.secret));
          this.#joinedWith = { entry: invite.entry, secret: hexToBytes(invite.secret) };
        }
      }
      // What was written while the document was not ready goes into it now (and #write keeps
      // it in the mirror as no longer pending).
      if (this.#pending.length > 0) {
        const waiting = this.#pending;
        this.#pending = [];
        this.#write(waiting.map((p) => p.bytes));
      }
      const onChange = () => void this.#ingest();
      handle.on('change', onChange);
      this.#offs.push(() => handle.off('change', onChange));
      const onRemote = () => this.checkSync();
      handle.on('remote-heads', onRemote);
      handle.on('heads-changed', onRemote);
      this.#offs.push(
        () => handle.off('remote-heads', onRemote),
        () => handle.off('heads-changed', onRemote)
      );
      await this.#ingest();
      // Deadlines pass while the page is open, with or without new entries.
      const tick = setInterval(() => this.#maintain(), 30_000);
      this.#offs.push(() => clearInterval(tick));
      this.#load = 'ready';
      this.#opened();
      this.checkSync();
      if (this.options.remember !== false)
        await this.#host.rememberGroup(this.documentId, this.groupName());
    } catch (e) {
      this.#opened();
      if (this.#abort.signal.aborted) return;
      // Shown from local data already: stay usable; writes keep waiting in the mirror.
      if (this.#load === 'ready' && !this.#handle) return;
      // automerge-repo rejects find() when no peer has the document (e.g. offline, never synced).
      const message = e instanceof Error ? e.message : String(e);
      if (/unavailable/i.test(message)) this.#load = 'unavailable';
      else {
        this.#load = 'error';
        this.#error = describeStorageError(e);
      }
    }
  }

  /** Reads entries the session has not seen, verifies their signatures, and derives again. */
  async #ingest(): Promise<void> {
    if (this.#ingesting) {
      this.#again = true;
      return this.#ingesting;
    }
    this.#ingesting = (async () => {
      do {
        this.#again = false;
        const session = this.#session;
        const doc = readLedgerDoc(this.#handle?.doc());
        if (!session || !doc) return;
        this.#healDocument(session, doc.entries, !this.#checked);
        this.#checked = true;
        const fresh = await freshEntries(session, doc);
        if (fresh.length > 0 || !this.#group) {
          session.addAll(fresh);
          this.#publish();
          const verdicts = session.ledger.params.verdicts;
          const verified = fresh
            .map((bytes) => ({ id: entryId(bytes), bytes }))
            .filter((e) => verdicts.get(e.id) === true)
            .map((e) => ({ ...e, proofs: proofVerdicts(verdicts, e.id) }));
          void this.#host.saveMirror?.(this.documentId, verified).catch(() => undefined);
        }
      } while (this.#again);
    })();
    try {
      await this.#ingesting;
    } finally {
      this.#ingesting = undefined;
    }
    this.#maintain();
  }

  /**
   * Puts back what another writer deleted or rewrote in the document, from the entries this phone
   * verified [LED-13]. A full check (every id hashed) once per opening; after that, whenever the
   * document holds fewer entries than this phone knows.
   */
  #healDocument(session: GroupSession, entries: Map<string, Uint8Array>, full: boolean): void {
    const handle = this.#handle;
    // The common case costs a count, not a copy of every envelope.
    if (!handle || (!full && entries.size >= session.ledger.verifiedCount)) return;
    const known = session.ledger.envelopes();
    // A throwaway lookup (never shown, so not reactive).
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const mirror = new Map(known.map((bytes) => [entryId(bytes), bytes]));
    const report = checkAgainstMirror(entries, mirror);
    if (report.deleted.length === 0 && report.altered.length === 0) return;
    void handle.restore(report, mirror).catch(() => undefined);
  }

  #publish(): void {
    const session = this.#session;
    if (!session) return;
    this.#group = session.state;
    const name = this.groupName();
    if (name && this.options.remember !== false)
      void this.#host.cacheGroupName(this.documentId, name);
  }

  /**
   * Keeps the group's keys healthy [APP-3, APP-4]: a due rotation is started, and member devices
   * without the current key get it. A short random wait lets one device do it instead of all.
   */
  /** The key epoch this phone last registered its push handle for (PUSH-14, PUSH-15). */
  #pushEpoch = -1;

  /**
   * With notifications on, registers this phone's handle for the group's current key epoch and
   * says in the ledger where to wake it; again after each rotation [PUSH-14, PUSH-15].
   */
  #maintainPush(): void {
    const s = this.#session;
    if (!s || !this.#handle || this.options.remember === false) return;
    const epoch = s.state.currentEpoch;
    if (epoch === this.#pushEpoch || !s.isMember() || !s.hasCurrentKey()) return;
    this.#pushEpoch = epoch;
    void registerGroup(s, nowSeconds())
      .then((out) => {
        if (!this.#abort.signal.aborted) this.#write(out);
      })
      .catch(() => (this.#pushEpoch = -1));
  }

  /** The state vote reminders were last kept for (PUSH-16): once per change, not per tick. */
  #remindedFor: GroupState | undefined;

  #maintainReminders(): void {
    const s = this.#session;
    if (!s || !this.#handle || this.options.remember === false) return;
    if (this.#remindedFor === s.state) return;
    this.#remindedFor = s.state;
    void keepReminders(s, this.documentId, nowSeconds()).catch(() => undefined);
  }

  #maintain(): void {
    this.#maintainPush();
    this.#maintainReminders();
    const session = this.#session;
    // Only with the document at hand: what maintenance signs must be stored as it is signed.
    if (!session || !this.#handle || this.#healTimer) return;
    if (
      !session.rotationPending() &&
      !session.keyProblem() &&
      session.missingKeys().length === 0 &&
      dueProposals(session).length === 0
    )
      return;
    this.#healTimer = setTimeout(
      () => {
        this.#healTimer = undefined;
        if (this.#abort.signal.aborted) return;
        const s = this.#session;
        if (!s || !this.#handle) return;
        // A lockbox that opens nothing is reported first, so the group rotates [ENC-10].
        const out = s.keyProblem()
          ? s.reportKeys(nowSeconds())
          : s.rotationPending()
            ? s.rotateNow(nowSeconds())
            : s.heal(nowSeconds());
        // Votes whose time is up are closed by whichever member's phone gets there first
        // [APP-10]; a concurrent close by another phone is harmless (GOV-6).
        for (const p of dueProposals(s)) out.push(...s.close(p.id, nowSeconds()));
        if (out.length > 0) this.#write(out);
      },
      200 + Math.random() * 1500
    );
  }

  #write(entries: Uint8Array[]): void {
    const handle = this.#handle;
    if (!handle || entries.length === 0) return;
    void handle.put(entries).catch(() => {
      // Not stored in the document (its worker failed): they wait in the mirror as pending and
      // go in at the next opening, as writes made before the document was ready do [SNK-5].
      const rows = entries.map((bytes) => ({ id: entryId(bytes), bytes }));
      void this.#host.saveMirror?.(this.documentId, rows, true).catch(() => undefined);
    });
    // Everything this phone writes is in its mirror too (its own entries need no verifying).
    void this.#host
      .saveMirror?.(
        this.documentId,
        entries.map((bytes) => ({ id: entryId(bytes), bytes }))
      )
      .catch(() => undefined);
    this.#unsynced = [
      ...this.#unsynced,
      ...entries.map(entryId).filter((id) => !this.#unsynced.includes(id))
    ];
    void this.#host.setUnsynced(this.documentId, this.#unsynced.length);
    this.#publish();
    this.checkSync();
  }

  /**
   * Runs one write of the session and stores what it signed. Returns an error message for the
   * person, or undefined when it worked.
   */
  act(run: (session: GroupSession, now: number) => Uint8Array[]): string | undefined {
    const session = this.#session;
    if (!session) return m.act_loading();
    try {
      const written = run(session, nowSeconds());
      const refused = refusal(session, written);
      if (!this.#handle) {
        // The document is not ready yet (Automerge still loading): the entries wait on this
        // phone and go into the document as soon as it is [SNK-5].
        const rows = written.map((bytes) => ({ id: entryId(bytes), bytes }));
        this.#pending.push(...rows);
        void this.#host.saveMirror?.(this.documentId, rows, true).catch(() => undefined);
        this.#unsynced = [...this.#unsynced, ...rows.map((r) => r.id)];
        void this.#host.setUnsynced(this.documentId, this.#unsynced.length);
        this.#publish();
        return refused;
      }
      this.#write(written);
      return refused;
    } catch (e) {
      if (e instanceof NoKeyError) return m.act_no_key();
      return m.save_failed();
    }
  }

  /** What a text says, for this device; a calm placeholder when it cannot be opened. */
  text(t: Text | null | undefined, invite?: string | null): string {
    if (t === null || t === undefined) return '';
    return this.#session?.open(t, invite) ?? m.text_locked();
  }

  /** A text of a thread (a private channel's texts open with its own key) [SPACE-4]. */
  textIn(thread: string, t: Text | null | undefined): string {
    if (t === null || t === undefined) return '';
    return this.#session?.openIn(thread, t) ?? m.text_locked();
  }

  /** Whether this device can open a text (used to style locked texts). */
  canRead(t: Text, invite?: string | null): boolean {
    return this.#session?.open(t, invite) !== undefined;
  }

  /**
   * A member's name as the screens show it [ID-4, ID-8]: "member" and a fingerprint when they
   * chose none this phone can read (or one that could hide or reorder text); their name with the
   * fingerprint when it looks like another member's (Unicode confusables).
   */
  nameOf(member: string): string {
    const id = keyFingerprint(hexToBytes(member)).slice(0, 9);
    const name = this.#session?.nameOf(member);
    if (name === undefined) return m.member_fallback({ id });
    return this.#session?.looksLikeAnother(member) ? m.member_lookalike({ name, id }) : name;
  }

  groupName(): string {
    const g = this.#group;
    if (!g) return '';
    // A member still waiting for the group key goes by the name their invitation gave [INV-5].
    return this.#session?.open(g.name) ?? this.ownCard()?.name ?? '';
  }

  /**
   * A `.hearth` file of this group [SNK-1]: everything, or — given the heads another phone showed
   * — only what that phone lacks [SNK-2]. Undefined while the group is not open.
   */
  async bundle(since: string[] | null = null): Promise<Uint8Array | undefined> {
    if (!this.#handle || !isDocumentId(this.documentId)) return undefined;
    const hearth = await this.#host.repo();
    return hearth.bundle(this.documentId, since, nowSeconds());
  }

  /** Where this phone's copy of the group is (what it shows so others send only what it lacks). */
  heads(): string[] {
    return this.#handle?.hexHeads() ?? [];
  }

  #opened(): void {
    for (const f of this.#whenOpen.splice(0)) f();
  }

  /** Resolves when the Automerge document is open, will not open, or after `ms`. */
  #documentOpen(ms: number): Promise<void> {
    if (this.#handle && this.#session) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#whenOpen.push(done);
    });
  }

  close(): void {
    this.#opened();
    this.#abort.abort();
    if (this.#healTimer) clearTimeout(this.#healTimer);
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#host.documentInSync = undefined;
  }

  /** Recomputes whether this group is up to date on the relay. */
  checkSync(): void {
    const handle = this.#handle;
    const storageId = this.#host.connection.relayStorageId;
    if (!handle) return;
    const remote = storageId ? handle.getSyncInfo(storageId)?.lastHeads : undefined;
    const inSync = remote ? sameHeads(handle.heads(), remote) : false;
    this.#host.documentInSync = inSync;
    if (inSync && this.#unsynced.length > 0) this.#unsynced = [];
    if (inSync) void this.#host.setUnsynced(this.documentId, 0);
  }
}
