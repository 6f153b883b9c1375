import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import {
  codeText,
  parseSdp,
  readCode,
  sdpOf,
  type NearbyCode
} from '../../src/lib/core/nearby/code';
import { controlFrame, FrameReader, syncFrames } from '../../src/lib/core/nearby/frames';
import {
  Handshake,
  type HandshakeDone,
  type NearbyGroup
} from '../../src/lib/core/nearby/handshake';

/**
 * Someone in the room who is not running Hearth's app: a bare Chromium page with a real
 * RTCPeerConnection, driven from the test. It answers a host's offer like a phone would, then
 * sends what the test says (garbage, silence, a handshake with a stolen or real key, requests for
 * documents by id) and records everything it receives. Used to attack the host [NEAR-3, NEAR-7,
 * NEAR-8].
 */
export class RoguePeer {
  /** Every data-channel message received, in order. */
  readonly received: Uint8Array[] = [];
  readonly #reader = new FrameReader();
  /** Control (handshake) messages and whole sync messages received. */
  readonly control: Uint8Array[] = [];
  readonly sync: Uint8Array[] = [];
  closed = false;
  #handshake: Handshake | undefined;
  done: HandshakeDone | undefined;
  handshakeError: string | undefined;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page
  ) {}

  /** A Chromium for rogues: each rogue is a context of its own in it. */
  static launch(): Promise<Browser> {
    return chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox']
    });
  }

  static async start(browser: Browser): Promise<RoguePeer> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const rogue = new RoguePeer(context, page);
    await page.exposeFunction('rogueReceived', (bytes: number[]) =>
      rogue.#onFrame(Uint8Array.from(bytes))
    );
    await page.exposeFunction('rogueClosed', () => {
      rogue.closed = true;
    });
    return rogue;
  }

  /** Answers the host's offer (its text, as its screen shows it); returns the answer's text. */
  async answer(
    offerText: string
  ): Promise<{ text: string; offer: NearbyCode; answer: NearbyCode }> {
    const offer = readCode(offerText);
    if (!offer.ok) throw new Error(`not an offer: ${offer.error}`);
    const sdp = await this.page.evaluate(
      async (remote) => {
        const pc = new RTCPeerConnection({ iceServers: [] });
        const dc = pc.createDataChannel('x', { negotiated: true, id: 0 });
        dc.binaryType = 'arraybuffer';
        const w = window as unknown as Record<string, unknown>;
        w.rogueDc = dc;
        w.roguePc = pc;
        dc.onmessage = (e) =>
          void (w.rogueReceived as (b: number[]) => void)([
            ...new Uint8Array(e.data as ArrayBuffer)
          ]);
        dc.onclose = () => void (w.rogueClosed as () => void)();
        await pc.setRemoteDescription({ type: 'offer', sdp: remote });
        await pc.setLocalDescription(await pc.createAnswer());
        await new Promise<void>((r) => {
          if (pc.iceGatheringState === 'complete') r();
          pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r();
          setTimeout(r, 4000);
        });
        return pc.localDescription!.sdp;
      },
      sdpOf(offer.value.signal, 'offer')
    );
    const signal = parseSdp(sdp);
    if (!signal.ok) throw new Error(signal.error);
    const answer: NearbyCode = {
      kind: 'answer',
      session: offer.value.session,
      made: Math.floor(Date.now() / 1000),
      signal: signal.value
    };
    return { text: codeText(answer), offer: offer.value, answer };
  }

  /** Waits until the channel is open. */
  async opened(ms = 30_000): Promise<void> {
    await this.page.waitForFunction(
      () => (window as unknown as { rogueDc?: RTCDataChannel }).rogueDc?.readyState === 'open',
      null,
      { timeout: ms }
    );
  }

  /** Sends raw data-channel messages. */
  async send(...frames: Uint8Array[]): Promise<void> {
    await this.page.evaluate(
      (list) => {
        const dc = (window as unknown as { rogueDc: RTCDataChannel }).rogueDc;
        for (const f of list) if (dc.readyState === 'open') dc.send(Uint8Array.from(f));
      },
      frames.map((f) => [...f])
    );
  }

  /** Sends a sync-layer message (automerge-repo's CBOR) in parts, as the app would. */
  sendSync(message: Uint8Array): Promise<void> {
    return this.send(...syncFrames(message));
  }

  /**
   * Plays the handshake as the guest with this device key, claiming membership of `groups`
   * (the host checks that claim against its own ledger).
   */
  async handshake(
    codes: { offer: NearbyCode; answer: NearbyCode },
    secret: Uint8Array,
    groups: NearbyGroup[]
  ): Promise<void> {
    this.#handshake = new Handshake({
      role: 'guest',
      session: codes.offer.session,
      fingerprints: {
        host: codes.offer.signal.fingerprint,
        guest: codes.answer.signal.fingerprint
      },
      secret,
      groups,
      nonce: crypto.getRandomValues(new Uint8Array(32))
    });
    // The host's hello may have come already (it says it as soon as the channel opens): answer
    // it after our own hello, in one go, so the host hears them in order.
    const out = [this.#handshake.start()];
    for (const bytes of this.control) out.push(...this.#step(bytes));
    await this.send(...out.map(controlFrame));
  }

  #step(bytes: Uint8Array): Uint8Array[] {
    const h = this.#handshake;
    if (!h || h.finished) return [];
    const step = h.receive(bytes);
    if (step.error) this.handshakeError = step.error;
    if (step.done) this.done = step.done;
    return step.send;
  }

  #onFrame(frame: Uint8Array): void {
    this.received.push(frame);
    const r = this.#reader.read(frame);
    if (r.kind === 'sync') this.sync.push(r.bytes);
    if (r.kind !== 'control') return;
    this.control.push(r.bytes);
    if (this.#handshake) void this.send(...this.#step(r.bytes).map(controlFrame));
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
  }
}
