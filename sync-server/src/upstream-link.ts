import type { Message, PeerId, PeerMetadata } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';

/** Why one attempt to reach an upstream failed, in words an operator can act on. */
export type LinkFailure =
  'refused' | 'rate-limited' | 'bad-gateway' | 'http-error' | 'reset' | 'other';

/**
 * A relay's link to one upstream relay [OPS-10, OPS-14]: automerge-repo's WebSocket client, made
 * safe to run unattended for months.
 *
 * automerge-repo-network-websocket 2.5.6 rethrows every socket error but ECONNREFUSED from its
 * event handler: an upstream answering 429 (its per-address limit; several laptops behind one
 * NAT), 502 (a proxy while it restarts), or dropping the handshake was an uncaught exception
 * that ended the relay process. Here every failure is "try again later": counted, logged, and
 * retried with exponential backoff (from `retryMs`, doubling to `maxRetryMs`, with jitter so
 * laptops behind one NAT do not retry in step), back to `retryMs` once the link is up. It also
 * retries only one connection at a time: the upstream client opens a new socket on every tick of
 * its retry timer, abandoning one still connecting (which then fails with no listener, or stays
 * open, unheard, against the upstream's connection limit).
 */
export class UpstreamLink extends WebSocketClientAdapter {
  #failures = 0;
  #notBefore = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;

  constructor(
    url: string,
    private readonly baseRetryMs: number,
    private readonly maxRetryMs: number,
    private readonly onFailure: (reason: LinkFailure, detail: string) => void,
    /** 0..1, for the jitter (Math.random in the relay; fixed in tests). */
    private readonly random: () => number = Math.random
  ) {
    super(url, baseRetryMs);
    this.on('peer-candidate', () => {
      this.#failures = 0;
      this.#notBefore = 0;
    });
  }

  override connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    if (this.#stopped) return;
    const wait = this.#notBefore - Date.now();
    // One attempt in flight at a time; later ticks wait for it (or for the backoff to pass).
    if (wait > 0 || this.socket?.readyState === 0 /* CONNECTING */) {
      this.#timer ??= setTimeout(
        () => {
          this.#timer = undefined;
          this.connect(peerId, peerMetadata);
        },
        Math.max(wait, this.baseRetryMs)
      );
      this.#timer.unref?.();
      return;
    }
    super.connect(peerId, peerMetadata);
  }

  override onError = (event: Parameters<WebSocketClientAdapter['onError']>[0]): void => {
    const error = ('error' in event ? event.error : undefined) as
      (Error & { code?: string }) | undefined;
    this.#failures++;
    const backoff = Math.min(this.maxRetryMs, this.baseRetryMs * 2 ** (this.#failures - 1));
    this.#notBefore = Date.now() + backoff * (0.5 + this.random() / 2);
    this.onFailure(classify(error), error?.message ?? 'connection failed');
  };

  override receiveMessage(messageBytes: Uint8Array): void {
    try {
      super.receiveMessage(messageBytes);
    } catch (e) {
      // A message the client cannot take (empty, or one the repo rejects): the link is dropped
      // and made again, never the process.
      this.onFailure('other', e instanceof Error ? e.message : String(e));
      this.socket?.close();
    }
  }

  override send(message: Message): void {
    // The upstream client throws when its socket is not open (reconnecting): what was not sent
    // is offered again by sync once the link is back.
    if (this.socket?.readyState !== 1 /* OPEN */) return;
    super.send(message);
  }

  override disconnect(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!this.socket || !this.peerId) return;
    // Closing a socket still connecting reports an error: heard here, not thrown.
    (this.socket as unknown as { on?: (e: string, f: () => void) => void }).on?.('error', () => {});
    super.disconnect();
  }
}

function classify(error: (Error & { code?: string }) | undefined): LinkFailure {
  const message = error?.message ?? '';
  if (error?.code === 'ECONNREFUSED') return 'refused';
  const status = /Unexpected server response: (\d+)/.exec(message)?.[1];
  if (status === '429') return 'rate-limited';
  if (status === '502' || status === '503' || status === '504') return 'bad-gateway';
  if (status) return 'http-error';
  if (error?.code === 'ECONNRESET' || /socket hang up/.test(message)) return 'reset';
  return 'other';
}
