import { m } from '$lib/paraglide/messages.js';
import {
  codeText,
  OFFER_LIFETIME_S,
  offerStale,
  type CodeError,
  type NearbyCode
} from '$core/nearby/code';
import { CodeReader, codeFrames, type Scan } from '$core/nearby/scan';
import {
  Handshake,
  isActiveMemberDevice,
  type HandshakeDone,
  type NearbyGroup
} from '$core/nearby/handshake';
import { toHex } from '$core/encoding/hex';
import { sameHeads } from '$core/sync/status';
import { bridge, portLink } from '$lib/adapters/link-adapter';
import { NearbyChannel, type ChannelEnd } from '$lib/adapters/nearby-channel';
import {
  acceptAnswer,
  answerOffer,
  hangUp,
  makeOffer,
  opened,
  type Connection,
  type PrepareError
} from '$lib/adapters/nearby-rtc';
import type { GroupDoc, HearthRepo, LinkNotice } from '$lib/adapters/repo-client';
import { nowSeconds, random } from '$lib/adapters/clock';
import { app } from './app.svelte';
import { GroupView, type GroupHost } from './group.svelte';

/**
 * "Sync with someone here" [NEAR-1..NEAR-12]: two phones in one room, no internet and no server.
 * The host shows an offer code; a guest reads it and shows its answer; the host reads that and the
 * two phones are joined by a data channel. Both prove membership (the handshake, on the page,
 * where the device key and the ledgers are) before anything syncs; then the page joins the channel
 * to the worker's repo through a MessagePort (ADR 0026), allowed to carry only the shared groups.
 * A host takes guests one after another (a star): a new offer is shown as soon as one is used.
 */

/** How long a host waits for the channel to open once it has read an answer. */
const HOST_OPEN_MS = 30_000;
/** How long a guest waits for the host to read its answer and connect. */
const GUEST_OPEN_MS = 10 * 60_000;
/** After this long waiting, the guest sees what to check. */
const GUEST_HINT_MS = 30_000;
/** The handshake must be over this soon after the channel opens [NEAR-8]. */
const HANDSHAKE_MS = 15_000;

export type PeerState = 'connecting' | 'checking' | 'syncing' | 'synced' | 'nothing' | 'ended';

export interface PeerGroup {
  documentId: string;
  name: string;
  /** Entries that arrived in this group since the two phones met. */
  arrived: number;
  /** This phone's copy and the other phone's are the same. */
  synced: boolean;
}

/** One other phone, connected or trying to connect. */
export class NearbyPeer {
  state = $state<PeerState>('connecting');
  /** The other person's name in a shared group, once known. */
  name = $state<string | undefined>();
  groups = $state<PeerGroup[]>([]);
  /** Groups both hold that were not shared (a proof this phone could not check). */
  refused = $state(0);
  bytesIn = $state(0);
  bytesOut = $state(0);
  /** Waiting long for the other phone: time to say what to check. */
  slow = $state(false);
  /** Why it ended, in the reader's words. */
  ended = $state<string | undefined>();
  /** The other phone's device key (hex), once it proved membership. */
  device: string | undefined;
  stop: () => void = () => undefined;

  constructor(readonly id: number) {}
}

export class NearbySync {
  mode = $state<'choose' | 'host' | 'guest'>('choose');
  /** Groups are being opened, or an offer or answer made. */
  busy = $state(false);
  /** The host's current offer, as shown (one code, or moving codes). */
  offer = $state<string[] | undefined>();
  /** The guest's answer, as shown. */
  answer = $state<string[] | undefined>();
  /** The text of the code shown, for a phone that cannot scan (copy and paste). */
  codeTextShown = $state<string | undefined>();
  /** The last problem, in the reader's words. */
  message = $state<string | undefined>();
  /** Progress of moving codes being read. */
  reading = $state<{ received: number; total: number } | undefined>();
  peers = $state<NearbyPeer[]>([]);
  /** QR codes this phone showed and read (for the benchmark's honest count). */
  codesShown = $state(0);
  codesRead = $state(0);

  // Not reactive: the screen reads the peers, not these.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #views = new Map<string, GroupView>();
  #viewsReady: Promise<void> | undefined;
  #pending: Connection | undefined;
  /** Offers this phone showed and has since used or replaced (an answer to one is stale). */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #spent = new Set<string>();
  readonly #reader = new CodeReader();
  #next = 1;
  #closed = false;
  #refresh: ReturnType<typeof setTimeout> | undefined;
  readonly #host: GroupHost;

  constructor() {
    // The group views of this screen must not move the open group's sync indicator.
    const base = app;
    this.#host = {
      get secret() {
        return base.secret;
      },
      repo: () => base.repo(),
      pendingInvite: (id) => base.pendingInvite(id),
      rememberGroup: (id, name) => base.cacheGroupName(id, name),
      cacheGroupName: (id, name) => base.cacheGroupName(id, name),
      setUnsynced: (id, n) => base.setUnsynced(id, n),
      get connection() {
        return base.connection;
      },
      documentInSync: undefined,
      loadMirror: (id) => base.loadMirror(id),
      saveMirror: (id, entries, pending) => base.saveMirror(id, entries, pending)
    };
  }

  /** Opens every group of this person on this phone (the handshake checks against them). */
  #prepare(): Promise<void> {
    this.#viewsReady ??= (async () => {
      await Promise.all(
        app.groups.map(async (row) => {
          const view = new GroupView(row.documentId, this.#host);
          this.#views.set(row.documentId, view);
          await view.open().catch(() => undefined);
        })
      );
    })();
    return this.#viewsReady;
  }

  #handshakeGroups(): NearbyGroup[] {
    const out: NearbyGroup[] = [];
    for (const [documentId, view] of this.#views) {
      const state = view.group;
      if (view.load !== 'ready' || !state) continue;
      out.push({ documentId, isMemberDevice: (d) => isActiveMemberDevice(state, d) });
    }
    return out;
  }

  /** The host: shows a code for the next person to scan. */
  async host(): Promise<void> {
    this.mode = 'host';
    this.message = undefined;
    this.busy = true;
    try {
      await this.#prepare();
      await this.#newOffer();
    } finally {
      this.busy = false;
    }
  }

  async #newOffer(): Promise<void> {
    if (this.#pending) {
      this.#spent.add(toHex(this.#pending.code.session));
      hangUp(this.#pending);
    }
    this.#pending = undefined;
    if (this.#refresh) clearTimeout(this.#refresh);
    this.busy = true;
    const made = await makeOffer(random(8), nowSeconds());
    this.busy = false;
    if (this.#closed || this.mode !== 'host') {
      if (made.ok) hangUp(made.value);
      return;
    }
    if (!made.ok) {
      this.offer = undefined;
      this.message = prepareWords(made.error);
      return;
    }
    this.#pending = made.value;
    this.offer = this.#show(made.value.code);
    // Guests refuse an offer older than OFFER_LIFETIME_S: a code left on screen is renewed well
    // before that [NEAR-5] (and leaves the screen at once, as a used one does).
    const shown = made.value;
    this.#refresh = setTimeout(
      () => {
        if (this.#pending !== shown) return;
        this.offer = undefined;
        void this.#newOffer();
      },
      (OFFER_LIFETIME_S * 1000) / 2
    );
  }

  /** The guest: ready to scan the host's code. */
  async guest(): Promise<void> {
    this.mode = 'guest';
    this.message = undefined;
    this.busy = true;
    try {
      await this.#prepare();
    } finally {
      this.busy = false;
    }
  }

  /** Back to the choice (a guest that wants to scan again, or a host that stops taking guests). */
  choose(): void {
    if (this.#refresh) clearTimeout(this.#refresh);
    if (this.#pending) {
      this.#spent.add(toHex(this.#pending.code.session));
      hangUp(this.#pending);
    }
    this.#pending = undefined;
    this.offer = undefined;
    this.answer = undefined;
    this.codeTextShown = undefined;
    this.message = undefined;
    this.mode = 'choose';
  }

  #show(code: NearbyCode): string[] {
    this.codeTextShown = codeText(code);
    const frames = codeFrames(code);
    this.codesShown += frames.length;
    return frames;
  }

  /** Starts reading afresh (each time the camera starts). */
  freshScan(): void {
    this.#reader.reset();
    this.reading = undefined;
  }

  #scan(text: string): Scan {
    const s = this.#reader.read(text);
    this.codesRead = this.#reader.seen;
    return s;
  }

  /**
   * What the guest's camera read. True when it was the host's offer (the camera can stop); a code
   * that cannot be used is said why and changes nothing [NEAR-5, NEAR-6].
   */
  readOffer(text: string): boolean {
    const s = this.#scan(text);
    if (s.kind === 'partial') {
      this.reading = { received: s.received, total: s.total };
      return false;
    }
    if (s.kind === 'bad') {
      this.message = codeWords(s.error);
      return false;
    }
    if (s.code.kind !== 'offer') {
      this.message = m.near_bad_answer_not_offer();
      return false;
    }
    if (offerStale(s.code, nowSeconds())) {
      this.message = m.near_bad_old();
      return false;
    }
    this.message = undefined;
    void this.#answer(s.code);
    return true;
  }

  async #answer(offer: NearbyCode): Promise<void> {
    this.busy = true;
    const made = await answerOffer(offer, nowSeconds());
    this.busy = false;
    if (this.#closed) {
      if (made.ok) hangUp(made.value);
      return;
    }
    if (!made.ok) {
      this.message = prepareWords(made.error);
      return;
    }
    const conn = made.value;
    this.answer = this.#show(conn.code);
    const peer = this.#peer(conn);
    const hint = setTimeout(() => (peer.slow = true), GUEST_HINT_MS);
    const result = await opened(conn, GUEST_OPEN_MS);
    clearTimeout(hint);
    peer.slow = false;
    if (this.answer && toHex(conn.code.session) === toHex(offer.session)) {
      this.answer = undefined;
      this.codeTextShown = undefined;
    }
    if (result !== 'open') return this.#end(peer, conn, undefined, m.near_unreachable());
    await this.#meet(peer, conn, 'guest', offer, conn.code);
  }

  /**
   * What the host's camera read. True when it answered the offer on screen (the camera can
   * stop); anything else is said why and changes nothing [NEAR-5, NEAR-6].
   */
  readAnswer(text: string): boolean {
    const s = this.#scan(text);
    if (s.kind === 'partial') {
      this.reading = { received: s.received, total: s.total };
      return false;
    }
    if (s.kind === 'bad') {
      this.message = codeWords(s.error);
      return false;
    }
    if (s.code.kind !== 'answer') {
      this.message = m.near_bad_offer_not_answer();
      return false;
    }
    const pending = this.#pending;
    const session = toHex(s.code.session);
    if (!pending || toHex(pending.code.session) !== session) {
      this.message = this.#spent.has(session) ? m.near_bad_spent() : m.near_bad_not_ours();
      return false;
    }
    this.message = undefined;
    this.#pending = undefined;
    this.#spent.add(session);
    // Used: off the screen at once; the next person gets a new code in a moment.
    this.offer = undefined;
    this.codeTextShown = undefined;
    const answer = s.code;
    void (async () => {
      const peer = this.#peer(pending);
      // The next person can scan while this one connects.
      void this.#newOffer();
      if (!(await acceptAnswer(pending, answer)))
        return this.#end(peer, pending, undefined, codeWords('damaged'));
      if ((await opened(pending, HOST_OPEN_MS)) !== 'open')
        return this.#end(peer, pending, undefined, m.near_unreachable());
      await this.#meet(peer, pending, 'host', pending.code, answer);
    })();
    return true;
  }

  #peer(conn: Connection): NearbyPeer {
    const peer = new NearbyPeer(this.#next++);
    peer.stop = () => this.#end(peer, conn, undefined, m.near_ended_you());
    this.peers = [...this.peers, peer];
    return peer;
  }

  /** The channel is open: the handshake, then sync through the worker. */
  async #meet(
    peer: NearbyPeer,
    conn: Connection,
    role: 'host' | 'guest',
    offer: NearbyCode,
    answer: NearbyCode
  ): Promise<void> {
    const secret = app.secret;
    if (!secret) return this.#end(peer, conn, undefined, m.near_locked());
    const channel = new NearbyChannel(conn.dc, { early: conn.early });
    peer.state = 'checking';
    channel.onbytes = () => {
      peer.bytesIn = channel.bytesIn;
      peer.bytesOut = channel.bytesOut;
    };
    let alias: string | undefined;
    channel.onend = (why) => this.#end(peer, conn, alias, endWords(why));
    peer.stop = () => channel.end('local', 'stopped');
    const handshake = new Handshake({
      role,
      session: offer.session,
      fingerprints: { host: offer.signal.fingerprint, guest: answer.signal.fingerprint },
      secret,
      groups: this.#handshakeGroups(),
      nonce: random(32)
    });
    const done = await new Promise<HandshakeDone | undefined>((resolve) => {
      const timer = setTimeout(() => {
        channel.end('stalled');
        resolve(undefined);
      }, HANDSHAKE_MS);
      const prior = channel.onend;
      channel.onend = (why) => {
        clearTimeout(timer);
        resolve(undefined);
        prior?.(why);
      };
      channel.oncontrol = (bytes) => {
        const step = handshake.receive(bytes);
        for (const out of step.send) channel.sendControl(out);
        if (step.error) {
          clearTimeout(timer);
          const words =
            step.error === 'version'
              ? m.near_bad_version()
              : step.error === 'bye'
                ? byeWords(step.detail)
                : m.near_garbage();
          channel.onend = () => this.#end(peer, conn, alias, words);
          channel.end(step.error === 'garbage' ? 'garbage' : 'local', step.error);
          resolve(undefined);
        } else if (step.done) {
          clearTimeout(timer);
          channel.onend = prior;
          channel.allowSync();
          resolve(step.done);
        }
      };
      channel.sendControl(handshake.start());
      // The other phone's hello may have come before this page listened.
      channel.replayEarly();
    });
    if (!done || !channel.open) return;
    channel.oncontrol = (bytes) => {
      // After the handshake only a goodbye may come this way.
      const step = handshake.receive(bytes);
      channel.onend = () =>
        this.#end(
          peer,
          conn,
          alias,
          step.error === 'bye' ? byeWords(step.detail) : m.near_garbage()
        );
      channel.end(step.error === 'bye' ? 'closed' : 'garbage');
    };
    peer.refused = done.refused.length;
    peer.name = this.#nameOf(done.device);
    peer.device = done.device;
    // The same phone back after a cut: its old, ended connection leaves the list.
    if (done.device)
      this.peers = this.peers.filter(
        (p) =>
          p === peer || p.device !== done.device || (p.state !== 'ended' && p.state !== 'nothing')
      );
    if (done.shared.length === 0) {
      peer.state = 'nothing';
      channel.onend = () => this.#end(peer, conn, alias, undefined);
      channel.end('local', 'nothing-shared');
      return;
    }
    peer.state = 'syncing';
    await this.#sync(peer, conn, channel, done.shared, (a) => (alias = a));
  }

  async #sync(
    peer: NearbyPeer,
    conn: Connection,
    channel: NearbyChannel,
    shared: string[],
    named: (alias: string) => void
  ): Promise<void> {
    const hearth: HearthRepo = await app.repo();
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const docs = new Map<string, { doc: GroupDoc; start: number }>();
    for (const id of shared) {
      const doc = await hearth.findGroup(id as never);
      docs.set(id, { doc, start: Object.keys(doc.doc().entries).length });
    }
    let storageId: string | undefined;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const allowed = new Set(shared.flatMap((id) => [id, ...this.#threadsOf(id)]));
    const update = () => {
      if (peer.state === 'ended') return;
      // Threads the groups started since (on either phone) may cross too.
      const more = shared.flatMap((id) => this.#threadsOf(id)).filter((d) => !allowed.has(d));
      if (more.length > 0 && alias) {
        for (const d of more) allowed.add(d);
        void hearth.allow(alias, more).catch(() => undefined);
      }
      peer.groups = shared.map((id) => {
        const { doc, start } = docs.get(id)!;
        const theirs = storageId ? doc.getSyncInfo(storageId)?.lastHeads : undefined;
        return {
          documentId: id,
          name: this.#views.get(id)?.groupName() || m.group_unnamed(),
          arrived: Math.max(0, Object.keys(doc.doc().entries).length - start),
          synced: !!theirs && sameHeads(doc.heads(), theirs)
        };
      });
      peer.state = peer.groups.every((g) => g.synced) ? 'synced' : 'syncing';
    };
    const offs: (() => void)[] = [];
    for (const { doc } of docs.values()) {
      doc.on('change', update);
      doc.on('remote-heads', update);
      doc.on('heads-changed', update);
      offs.push(
        () => doc.off('change', update),
        () => doc.off('remote-heads', update),
        () => doc.off('heads-changed', update)
      );
    }
    const ports = new MessageChannel();
    let alias: string | undefined;
    const prior = channel.onend;
    channel.onend = (why) => {
      for (const off of offs) off();
      prior?.(why);
    };
    try {
      alias = await hearth.link(ports.port2, [...allowed], (n: LinkNotice) => {
        if (n.state === 'peer') {
          storageId = n.storageId;
          update();
        } else if (n.why) {
          // The worker closed it: what the other phone sent was not Hearth's protocol [NEAR-7].
          channel.onend = (why) => {
            for (const off of offs) off();
            void why;
            this.#end(peer, conn, alias, m.near_garbage());
          };
          channel.end('garbage');
        }
      });
    } catch {
      channel.end('local', 'no-repo');
      return;
    }
    named(alias);
    if (!channel.open) {
      void hearth.unlink(alias).catch(() => undefined);
      return;
    }
    bridge(channel.syncLink, portLink(ports.port1));
    channel.release();
    update();
  }

  #threadsOf(documentId: string): string[] {
    const state = this.#views.get(documentId)?.group;
    return state ? Object.values(state.threads).map((t) => t.doc) : [];
  }

  #nameOf(device: string | undefined): string | undefined {
    if (!device) return undefined;
    for (const view of this.#views.values()) {
      const member = Object.values(view.group?.members ?? {}).find((x) =>
        x.devices.includes(device)
      );
      if (member) return view.nameOf(member.id);
    }
    return undefined;
  }

  #end(peer: NearbyPeer, conn: Connection, alias: string | undefined, words: string | undefined) {
    if (peer.state === 'ended') return;
    // "Nothing shared" stays what the screen says; every other state becomes "ended".
    if (peer.state !== 'nothing') peer.state = 'ended';
    peer.ended = words;
    peer.slow = false;
    if (alias) void app.repo().then((h) => h.unlink(alias).catch(() => undefined));
    hangUp(conn);
  }

  /** Ends everything (the screen closes). */
  close(): void {
    this.#closed = true;
    if (this.#refresh) clearTimeout(this.#refresh);
    if (this.#pending) hangUp(this.#pending);
    this.#pending = undefined;
    for (const peer of this.peers) peer.stop();
    for (const view of this.#views.values()) view.close();
    this.#views.clear();
  }
}

function codeWords(error: CodeError): string {
  switch (error) {
    case 'other-app':
      return m.near_bad_other_app();
    case 'other-hearth-code':
      return m.near_bad_other_hearth();
    case 'other-version':
      return m.near_bad_version();
    case 'damaged':
      return m.near_bad_damaged();
  }
}

function prepareWords(error: PrepareError): string {
  return error === 'no-webrtc' ? m.near_no_webrtc() : m.near_no_network();
}

function endWords(why: ChannelEnd): string {
  switch (why) {
    case 'stalled':
      return m.near_stalled();
    case 'garbage':
      return m.near_garbage();
    case 'local':
      return m.near_ended_you();
    case 'closed':
      return m.near_ended();
  }
}

function byeWords(detail: string | undefined): string {
  if (detail === 'garbage') return m.near_they_refused();
  if (detail === 'version') return m.near_bad_version();
  if (detail === 'nothing-shared') return m.near_nothing_shared();
  return m.near_ended();
}
