import { toHex } from '$core/encoding/hex';
import { NoKeyError } from '$core/group/signer';
import { helpedBy } from '$core/governance/selectors';
import { type ModerationAct, type Reaction, type ReportReason } from '$core/governance/types';
import { readLedgerDoc } from '$core/ledger/doc';
import { decodeEntry, signedMessage } from '$core/ledger/envelope';
import { readThread, threadTip, type PostView, type ThreadContent } from '$core/space/thread';
import { isDocumentId } from '$lib/adapters/doc-id';
import type { GroupDoc } from '$lib/adapters/repo-client';
import { nowSeconds } from '$lib/adapters/clock';
import { verifyFast } from '$lib/adapters/verify';
import { m } from '$lib/paraglide/messages.js';
import type { GroupView } from './group.svelte';
import { checkInAnswered, wake } from './notify';
import { mentioned, replyRecipient } from '$core/notify/reminders';

/**
 * One open support thread [SPACE-2]: its own document, read with the group's current state (who
 * is a member, which keys each device was given). Loads only when opened.
 */
export class ThreadView {
  #handle: GroupDoc | undefined;
  // A plain cache of signature verdicts (never shown, so not reactive).
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #verdicts = new Map<string, boolean>();
  #abort = new AbortController();
  #off: (() => void) | undefined;
  #load = $state<'loading' | 'ready' | 'unavailable' | 'missing'>('loading');
  #content = $state.raw<ThreadContent | undefined>();

  readonly load = $derived(this.#load);
  readonly content = $derived(this.#content);

  constructor(
    readonly group: GroupView,
    readonly thread: string
  ) {}

  async open(): Promise<void> {
    const record = this.group.group?.threads[this.thread];
    if (!record || !isDocumentId(record.doc)) {
      this.#load = 'missing';
      return;
    }
    // The group's ledger names the conversation, so its document exists somewhere: when neither
    // this phone nor the relay has it yet (it may still be on its way from the writer's phone),
    // ask again while the conversation is open, as its "unavailable" text promises.
    for (let wait = 2000; !this.#abort.signal.aborted; wait = Math.min(wait * 2, 5000)) {
      try {
        const hearth = await this.group.host.repo();
        const handle = await hearth.findGroup(record.doc, this.#abort.signal);
        if (this.#abort.signal.aborted) return;
        this.#handle = handle;
        const onChange = () => void this.refresh();
        handle.on('change', onChange);
        this.#off = () => handle.off('change', onChange);
        await this.refresh();
        this.#load = 'ready';
        return;
      } catch {
        if (this.#abort.signal.aborted) return;
        this.#load = 'unavailable';
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.#abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), {
            once: true
          });
        });
      }
    }
  }

  /** Verifies new entries (WebCrypto, cached) and reads the thread again. */
  async refresh(): Promise<void> {
    const session = this.group.session;
    const doc = readLedgerDoc(this.#handle?.doc());
    if (!session || !doc || toHex(doc.groupId) !== toHex(session.groupId)) return;
    for (const [id, bytes] of doc.entries) {
      if (this.#verdicts.has(id)) continue;
      const d = decodeEntry(bytes);
      this.#verdicts.set(
        id,
        d.ok &&
          (await verifyFast(
            d.entry.author,
            signedMessage(session.groupId, d.entry.body),
            d.entry.signature
          ))
      );
    }
    this.#content = readThread({
      state: session.state,
      thread: this.thread,
      entries: doc.entries,
      verify: (e) => this.#verdicts.get(e.id) ?? false
    });
    // Someone answered a conversation this member opened: a check-in request's second wake to
    // the responders, if one waits, is withdrawn [PUSH-21].
    const record = this.group.group?.threads[this.thread];
    if (
      !this.#answered &&
      record?.by === session.me &&
      record.private?.purpose === 'care' &&
      this.#content.posts.some((p) => p.author !== session.me)
    ) {
      this.#answered = true;
      void checkInAnswered(this.group.documentId, this.thread).catch(() => undefined);
    }
  }
  #answered = false;

  /**
   * Signs and stores one entry. The answer comes once the entry is in this phone's storage, so a
   * composer is emptied (and its draft forgotten) only when a reload can no longer lose the words;
   * a store that fails says so, and the words stay where they were typed.
   */
  async #write(
    build: (tip: { seq: number; id: string } | null) => Uint8Array
  ): Promise<string | undefined> {
    const session = this.group.session;
    const handle = this.#handle;
    const doc = readLedgerDoc(handle?.doc());
    if (!session || !handle || !doc) return m.act_loading();
    let bytes: Uint8Array;
    try {
      bytes = build(threadTip(doc.entries, session.device.id));
    } catch (e) {
      return e instanceof NoKeyError ? m.act_no_key() : m.save_failed();
    }
    const stored = handle.put([bytes]).then(
      () => true,
      () => false
    );
    void this.refresh();
    if (!(await stored)) {
      void this.refresh();
      return m.save_failed();
    }
    return undefined;
  }

  async post(o: { text: string; replyTo?: string; cw?: string }): Promise<string | undefined> {
    const session = this.group.session;
    const error = await this.#write((tip) => session!.post(this.thread, tip, o, nowSeconds()));
    if (error || !session) return error;
    // The person replied to, or else whoever opened the conversation, is woken [PUSH-13]; people
    // named with an @ are woken too [PUSH-22], once each.
    const to = replyRecipient({
      me: session.me,
      opener: this.group.group?.threads[this.thread]?.by,
      replyTo: o.replyTo,
      posts: this.#content?.posts ?? []
    });
    // The names members chose (not the screens' fallbacks and fingerprints).
    const members = Object.entries(session.state.members).flatMap(([id, x]) => {
      const name = x.status === 'active' ? session.nameOf(id) : undefined;
      return name ? [{ id, name }] : [];
    });
    const named = mentioned(o.text, members, session.me).filter((id) => id !== to);
    const path = `/group#${this.group.documentId}/t/${this.thread}`;
    const at = nowSeconds();
    if (to)
      void wake(session, [to], { kind: 'reply', group: this.group.documentId, path, at }).catch(
        () => 0
      );
    if (named.length > 0)
      void wake(session, named, { kind: 'mention', group: this.group.documentId, path, at }).catch(
        () => 0
      );
    return undefined;
  }

  react(post: string, reaction: Reaction): Promise<string | undefined> {
    const session = this.group.session;
    return this.#write((tip) => session!.react(this.thread, tip, post, reaction, nowSeconds()));
  }

  /** Reports a post to the moderators, with a reason code [SAFE-17]. */
  report(post: string, reason: ReportReason): Promise<string | undefined> {
    const session = this.group.session;
    const seen = this.#decisionsOn(post);
    return this.#write((tip) =>
      session!.report(this.thread, tip, post, reason, nowSeconds(), seen)
    );
  }

  /** A moderator's decision on a post [SAFE-18]. */
  moderate(o: {
    post: string;
    act: ModerationAct;
    reason: ReportReason;
    note?: string;
  }): Promise<string | undefined> {
    const session = this.group.session;
    const seen = this.#decisionsOn(o.post);
    return this.#write((tip) => session!.moderate(this.thread, tip, { ...o, seen }, nowSeconds()));
  }

  /** The moderators' decisions on a post this phone has seen: what is written next follows them. */
  #decisionsOn(post: string): string[] {
    return (this.#content?.log ?? []).filter((d) => d.post === post).map((d) => d.id);
  }

  /** "This helped": a ledger entry carrying the post [SPACE-3]. */
  helped(post: PostView): string | undefined {
    return this.group.act((s, t) => s.helpedPost(post.id, post.envelope, t));
  }

  /** Posts this member has already said helped (from their applied ledger entries). */
  helpedByMe(): string[] {
    const session = this.group.session;
    return session ? helpedBy(session.ledger, session.me) : [];
  }

  close(): void {
    this.#abort.abort();
    this.#off?.();
  }
}

/**
 * Opens a ThreadView for each of `threads` (for screens that read several: check-in requests, the
 * moderation queue). Call `close` when the screen goes away or the list changes.
 */
export function openThreads(
  group: GroupView,
  threads: string[]
): { views: Record<string, ThreadView>; close: () => void } {
  const views: Record<string, ThreadView> = {};
  for (const id of threads) {
    const tv = new ThreadView(group, id);
    void tv.open();
    views[id] = tv;
  }
  return { views, close: () => Object.values(views).forEach((tv) => tv.close()) };
}
