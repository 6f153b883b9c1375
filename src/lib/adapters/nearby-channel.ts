import { byeMessage } from '$core/nearby/handshake';
import { controlFrame, FrameReader, PING, syncFrames } from '$core/nearby/frames';
import { now } from './clock';
import type { Link } from './link-adapter';
import type { EarlyMessages } from './nearby-rtc';

/** How a direct connection ended [NEAR-7, NEAR-8]. */
export type ChannelEnd =
  /** The data channel closed (the other phone left, or the network went). */
  | 'closed'
  /** Nothing arrived for `stallMs`: the other phone stopped answering. */
  | 'stalled'
  /** The other phone sent something that is not Hearth's protocol. */
  | 'garbage'
  /** This phone ended it (the person stopped, or the screen closed). */
  | 'local';

export interface ChannelOptions {
  /** A ping goes out when nothing else has for this long. */
  pingMs?: number;
  /** Nothing received for this long ends the connection. */
  stallMs?: number;
  /** What the channel received before this took it over (`holdEarly`); see `replayEarly`. */
  early?: EarlyMessages;
}

/** Sending pauses while the browser holds more than this for the channel… */
const HIGH_WATER = 1024 * 1024;
/** …and goes on when it is down to this. */
const LOW_WATER = 256 * 1024;

/**
 * One direct connection's data channel, on the page [NEAR-2]: handshake messages one way
 * (`sendControl`, `oncontrol`), sync messages another (`syncLink`, which the page joins to the
 * worker's repo through a MessagePort, ADR 0026). Sync messages are cut into parts and put back
 * together; sending waits while the browser's buffer is full; a ping keeps a quiet channel alive
 * and a silent one is closed as stalled [NEAR-8]. Counts the bytes each way.
 */
export class NearbyChannel {
  bytesIn = 0;
  bytesOut = 0;
  oncontrol: ((bytes: Uint8Array) => void) | null = null;
  onend: ((why: ChannelEnd) => void) | null = null;
  /** Called whenever bytes move (for a progress display). */
  onbytes: (() => void) | null = null;
  readonly syncLink: Link;

  readonly #dc: RTCDataChannel;
  readonly #reader = new FrameReader();
  readonly #queue: Uint8Array[] = [];
  #lastIn = now();
  #lastOut = now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #ended = false;
  /** Sync messages are garbage until both phones proved membership [NEAR-3]. */
  #syncAllowed = false;
  /** Sync messages that came before the page joined the channel to the worker. */
  readonly #held: Uint8Array[] = [];
  #early: EarlyMessages | undefined;

  constructor(dc: RTCDataChannel, o: ChannelOptions = {}) {
    this.#dc = dc;
    this.#early = o.early;
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = LOW_WATER;
    dc.onbufferedamountlow = () => this.#pump();
    dc.onmessage = (event: MessageEvent) => this.#receive(event.data);
    dc.onclose = () => this.#finish('closed');
    dc.onerror = () => this.#finish('closed');
    this.syncLink = {
      onmessage: null,
      onclose: null,
      send: (bytes) => {
        if (this.#ended) throw new Error('channel closed');
        for (const frame of syncFrames(bytes)) this.#queue.push(frame);
        this.#pump();
      },
      close: () => this.end('local')
    };
    const pingMs = o.pingMs ?? 5000;
    const stallMs = o.stallMs ?? 20_000;
    this.#timer = setInterval(
      () => {
        const t = now();
        if (t - this.#lastIn > stallMs) return this.end('stalled');
        if (t - this.#lastOut > pingMs && this.#queue.length === 0) this.#send(PING);
      },
      Math.min(1000, pingMs)
    );
  }

  get open(): boolean {
    return !this.#ended;
  }

  /**
   * From now on sync messages may come (the handshake is done); those that arrive before
   * `syncLink.onmessage` is set are held until `release()`.
   */
  allowSync(): void {
    this.#syncAllowed = true;
  }

  /**
   * Handles what arrived before this took the channel over, in order, as if it arrived now. Call
   * it once `oncontrol` is set and this phone's first message is sent.
   */
  replayEarly(): void {
    const early = this.#early;
    this.#early = undefined;
    if (!early) return;
    if (early.overflow) return this.end('garbage');
    for (const data of early.data.splice(0)) this.#receive(data);
  }

  /** Hands the held sync messages to `syncLink.onmessage`. */
  release(): void {
    while (this.#held.length > 0 && this.syncLink.onmessage && !this.#ended)
      this.syncLink.onmessage(this.#held.shift()!);
  }

  sendControl(bytes: Uint8Array): void {
    this.#queue.push(controlFrame(bytes));
    this.#pump();
  }

  /**
   * Ends the connection: a goodbye with the reason goes first when the channel is still open
   * (so the other phone can say why), then the channel closes.
   */
  end(why: ChannelEnd, say: string = why): void {
    if (this.#ended) return;
    try {
      if (this.#dc.readyState === 'open') this.#dc.send(controlFrame(byeMessage(say)) as never);
    } catch {
      // Closing anyway.
    }
    this.#finish(why);
    try {
      this.#dc.close();
    } catch {
      // Already closed.
    }
  }

  #receive(data: unknown): void {
    if (this.#ended) return;
    const frame =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : data instanceof Uint8Array
          ? data
          : undefined;
    // Text, or a Blob: not Hearth's protocol.
    if (!frame) return this.end('garbage');
    this.#lastIn = now();
    this.bytesIn += frame.length;
    this.onbytes?.();
    const r = this.#reader.read(frame);
    switch (r.kind) {
      case 'control':
        return this.oncontrol?.(r.bytes);
      case 'sync':
        if (!this.#syncAllowed) return this.end('garbage');
        if (this.syncLink.onmessage && this.#held.length === 0)
          return this.syncLink.onmessage(r.bytes);
        // A peer that floods before this phone is ready is not following the protocol.
        if (this.#held.length >= 256) return this.end('garbage');
        this.#held.push(r.bytes);
        return this.release();
      case 'garbage':
        return this.end('garbage');
      default:
        return;
    }
  }

  #pump(): void {
    while (this.#queue.length > 0 && !this.#ended) {
      if (this.#dc.readyState !== 'open') return;
      if (this.#dc.bufferedAmount > HIGH_WATER) return;
      this.#send(this.#queue.shift()!);
    }
  }

  #send(frame: Uint8Array): void {
    try {
      this.#dc.send(frame as Uint8Array<ArrayBuffer>);
      this.#lastOut = now();
      this.bytesOut += frame.length;
      this.onbytes?.();
    } catch {
      this.#finish('closed');
    }
  }

  #finish(why: ChannelEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#queue.length = 0;
    this.#dc.onmessage = null;
    this.#dc.onbufferedamountlow = null;
    this.syncLink.onclose?.();
    this.onend?.(why);
  }
}
