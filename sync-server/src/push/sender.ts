import type { Agent } from 'node:https';
import webpush, { WebPushError } from 'web-push';
import type { VapidKeys } from './vapid';
import type { Subscription } from './store';

export type Outcome = 'sent' | 'failed' | 'gone';

export interface SenderOptions {
  vapid: VapidKeys;
  subject: string;
  retries: number;
  retryMs: number;
  timeoutMs: number;
  /** An https.Agent (tests: one that trusts the local push service's certificate). */
  agent?: Agent;
  /** Each attempt after the first, and why. */
  onRetry: (why: string) => void;
  onError: (kind: string) => void;
  onDone: (subscriptionId: string, outcome: Outcome, ms: number) => void;
  /** How many sends may be in flight at once; more wait their turn. */
  concurrency?: number;
  /** Sends waiting beyond this are given up at once (counted failed). */
  maxQueued?: number;
}

interface Job {
  id: string;
  sub: Subscription;
  body: Buffer;
  attempt: number;
  started: number;
}

/**
 * Sends pushes through the `web-push` library (VAPID, RFC 8291 `aes128gcm`) [PUSH-2, PUSH-6]:
 * 201/2xx is sent; 404/410 means the subscription has expired (the caller forgets it); 5xx, 429,
 * a network error or no answer within `timeoutMs` is tried again after `retryMs`, doubling each
 * time with ±50 % jitter, `retries` times, then given up; any other answer (400, 403, 413) is
 * failed at once. Every push is `Urgency: high` with a 24-hour TTL: the relay cannot read what a
 * push is about, so it cannot treat a check-in request differently from a reply, and nothing in
 * the headers tells a push service either.
 */
export class PushSender {
  #queue: Job[] = [];
  #inFlight = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  readonly #o: SenderOptions;

  constructor(o: SenderOptions) {
    this.#o = o;
  }

  send(id: string, sub: Subscription, body: Buffer): void {
    if (this.#closed) return;
    if (this.#queue.length >= (this.#o.maxQueued ?? 10_000)) {
      this.#o.onError('push-queue-full');
      this.#o.onDone(id, 'failed', 0);
      return;
    }
    this.#queue.push({ id, sub, body, attempt: 0, started: performance.now() });
    this.#pump();
  }

  #pump(): void {
    while (!this.#closed && this.#inFlight < (this.#o.concurrency ?? 32) && this.#queue.length) {
      const job = this.#queue.shift()!;
      this.#inFlight++;
      void this.#attempt(job).finally(() => {
        this.#inFlight--;
        this.#pump();
      });
    }
  }

  async #attempt(job: Job): Promise<void> {
    job.attempt++;
    let retryAfter: number | undefined;
    let why: string;
    try {
      await webpush.sendNotification(
        { endpoint: job.sub.endpoint, keys: { p256dh: job.sub.p256dh, auth: job.sub.auth } },
        job.body,
        {
          vapidDetails: {
            subject: this.#o.subject,
            publicKey: this.#o.vapid.publicKey,
            privateKey: this.#o.vapid.privateKey
          },
          TTL: 86_400,
          urgency: 'high',
          timeout: this.#o.timeoutMs,
          contentEncoding: 'aes128gcm',
          ...(this.#o.agent ? { agent: this.#o.agent } : {})
        }
      );
      this.#o.onDone(job.id, 'sent', performance.now() - job.started);
      return;
    } catch (e) {
      if (e instanceof WebPushError) {
        const status = e.statusCode;
        if (status === 404 || status === 410) {
          this.#o.onDone(job.id, 'gone', performance.now() - job.started);
          return;
        }
        if (status < 500 && status !== 429) {
          this.#o.onError(`push-${status}`);
          this.#o.onDone(job.id, 'failed', performance.now() - job.started);
          return;
        }
        why = status === 429 ? 'push-429' : 'push-5xx';
        const after = Number(e.headers?.['retry-after']);
        if (status === 429 && Number.isFinite(after)) retryAfter = Math.min(after * 1000, 60_000);
      } else {
        const message = e instanceof Error ? e.message : String(e);
        why = /timeout/i.test(message) ? 'push-timeout' : 'push-network';
      }
    }
    this.#o.onError(why);
    if (job.attempt > this.#o.retries || this.#closed) {
      this.#o.onDone(job.id, 'failed', performance.now() - job.started);
      return;
    }
    this.#o.onRetry(why);
    const wait = retryAfter ?? this.#o.retryMs * 2 ** (job.attempt - 1) * (0.5 + Math.random());
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (this.#closed) return;
      this.#queue.push(job);
      this.#pump();
    }, wait);
    t.unref?.();
    this.#timers.add(t);
  }

  /** Waits for nothing more: retries still waiting are dropped (the relay is stopping). */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#queue = [];
  }
}
