import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Agent } from 'node:https';
import { createECDH } from 'node:crypto';
import { isIP } from 'node:net';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RelayConfig } from '../config';
import { PushSender } from './sender';
import { PushStore, sha256b64, type LaterWake } from './store';
import { loadVapidKeys, type VapidKeys } from './vapid';

/**
 * Web Push at the relay [PUSH-*]. Devices register opaque handles (16 random-looking bytes each,
 * made from keys the relay never has) to their browser's push subscription; a device that wants
 * others woken names their handles with a payload sealed to each recipient. The relay learns that
 * some address asked to wake some handles, and when; it cannot read the payload, does not know
 * whose handles they are, and answers the same whether a handle exists or not (ADR 0025).
 *
 *   GET  /push/key         → { publicKey }                      the VAPID key to subscribe with
 *   POST /push/register    { subscription, claim, handles }     → { registered, taken }
 *   POST /push/unregister  { claim, handles? }                   → {}
 *   POST /push/wake        { wakes: [{ to, data }], at?, cancel? } → 202 { accepted }
 *   POST /push/cancel      { secret }                            → {}
 */
export interface Push {
  /** Answers a request under /push/ (true), or leaves it (false). */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean;
  start(): void;
  close(): Promise<void>;
  readonly publicKey: string | undefined;
}

const HANDLE = /^[A-Za-z0-9_-]{22}$/;
const B64U = /^[A-Za-z0-9_-]*$/;
const MAX_WAKES = 64;
const MAX_DATA = 1024;
/** 64 wakes of 1 KiB in base64url with their handles fit (about 90 KiB). */
const MAX_BODY = 128 * 1024;
const MAX_AHEAD_SECONDS = 31 * 86_400;
const REPLAY_SECONDS = 86_400;
const MAX_REMEMBERED = 200_000;
const MAX_WAITING = 100_000;
const REGISTRATIONS_PER_IP_PER_MINUTE = 30;

/**
 * base64url without padding, in its one canonical spelling: the last character's spare bits must
 * be zero, so the same bytes cannot be sent again under another spelling (a replay, or a second
 * spelling of someone's handle) [PUSH-5].
 */
const b64uBytes = (s: string): Buffer | undefined => {
  if (!B64U.test(s) || s.length % 4 === 1) return undefined;
  const bytes = Buffer.from(s, 'base64url');
  return bytes.toString('base64url') === s ? bytes : undefined;
};
const isHandle = (h: unknown): h is string =>
  typeof h === 'string' && HANDLE.test(h) && b64uBytes(h) !== undefined;

/** Is this 65-byte key a point on P-256 (what a browser's p256dh must be)? */
const scratch = createECDH('prime256v1');
scratch.generateKeys();
function onCurve(point: Buffer): boolean {
  try {
    scratch.computeSecret(point);
    return true;
  } catch {
    return false;
  }
}

/**
 * Who a wake or registration is counted against [PUSH-4]: an IPv4 address (also when seen as
 * `::ffff:a.b.c.d`), or an IPv6 address's /64 (one subscriber's line usually has a whole /64, so
 * counting single IPv6 addresses would give one sender 2^64 budgets).
 */
export function senderKey(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const bare = ip.replace(/%.*$/, '');
  if (isIP(bare) !== 6) return ip;
  let text = bare.toLowerCase();
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text =
      text.slice(0, dotted.index) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

class Bucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly perSecond: number,
    readonly burst: number,
    now: number
  ) {
    this.#tokens = burst;
    this.#last = now;
  }
  take(n: number, now: number): boolean {
    this.#tokens = Math.min(
      this.burst,
      this.#tokens + ((now - this.#last) / 1000) * this.perSecond
    );
    this.#last = now;
    if (this.#tokens < n) return false;
    this.#tokens -= n;
    return true;
  }
  full(now: number): boolean {
    return this.#tokens + ((now - this.#last) / 1000) * this.perSecond >= this.burst;
  }
}

/** Buckets by key, pruned of full (idle) ones now and then so memory stays bounded. */
class Buckets {
  #map = new Map<string, Bucket>();
  constructor(
    private readonly perSecond: number,
    private readonly burst: number
  ) {}
  take(key: string, n: number, now: number): boolean {
    let b = this.#map.get(key);
    if (!b) {
      if (this.#map.size >= MAX_REMEMBERED) this.prune(now);
      this.#map.set(key, (b = new Bucket(this.perSecond, this.burst, now)));
    }
    return b.take(n, now);
  }
  prune(now: number): void {
    for (const [k, b] of this.#map) if (b.full(now)) this.#map.delete(k);
  }
}

/** Is this an https URL on one of the allowed push services (never an address literal)? */
function allowedEndpoint(endpoint: string, services: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return services.some((s) =>
    isIP(s) ? host === s : host === s || (host.endsWith(`.${s}`) && !isIP(host))
  );
}

export function createPush(
  config: RelayConfig,
  registry: Registry,
  log: (event: string, fields?: Record<string, unknown>) => void,
  error: (kind: string) => void,
  agent?: Agent
): Push {
  const pushes = new Counter({
    name: 'hearth_relay_pushes_total',
    help: 'Pushes to push services by outcome: sent, failed (given up), gone (404/410: subscription forgotten), retried (one more attempt)',
    labelNames: ['outcome'] as const,
    registers: [registry]
  });
  const refused = new Counter({
    name: 'hearth_relay_push_refused_total',
    help: 'Wakes and registrations refused or dropped, by reason',
    labelNames: ['reason'] as const,
    registers: [registry]
  });
  const sendSeconds = new Histogram({
    name: 'hearth_relay_push_send_seconds',
    help: 'From a wake taken (or due) to the push service accepting it, retries included',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry]
  });
  const store = new PushStore(config.dataDir, config.pushMaxHandles);
  new Gauge({
    name: 'hearth_relay_push_subscriptions',
    help: 'Push subscriptions held',
    registers: [registry],
    collect() {
      this.set(store.subscriptions);
    }
  });
  new Gauge({
    name: 'hearth_relay_push_waiting',
    help: 'Wakes waiting for their time (reminders)',
    registers: [registry],
    collect() {
      this.set(store.waiting);
    }
  });

  let vapid: VapidKeys | undefined;
  let sender: PushSender | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const perIp = new Buckets(config.pushWakesPerIpPerMinute / 60, config.pushWakesPerIpPerMinute);
  const perHandle = new Buckets(config.pushPerHandlePerHour / 3600, config.pushPerHandlePerHour);
  const registrations = new Buckets(
    REGISTRATIONS_PER_IP_PER_MINUTE / 60,
    REGISTRATIONS_PER_IP_PER_MINUTE
  );
  /** sha256(handle ‖ data) → until when it counts as a replay. */
  const seen = new Map<string, number>();

  const deliver = (w: { to: string; data: string }) => {
    const found = store.subscriptionOf(w.to);
    if (!found) {
      refused.inc({ reason: 'unknown-handle' });
      return;
    }
    const body = Buffer.concat([Buffer.from(w.to, 'base64url'), Buffer.from(w.data, 'base64url')]);
    sender?.send(found.id, found.sub, body);
  };

  const tick = () => {
    for (const w of store.takeDue(Math.floor(Date.now() / 1000))) deliver(w);
    const now = Date.now();
    if (seen.size > 0)
      for (const [k, until] of seen) {
        if (until > now) break; // insertion order is time order
        seen.delete(k);
      }
  };

  function answer(res: ServerResponse, status: number, body?: unknown, headers = {}): void {
    res
      .writeHead(status, {
        'Access-Control-Allow-Origin': '*',
        'Cache-Control': 'no-store',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers
      })
      .end(body === undefined ? undefined : JSON.stringify(body));
  }

  function bad(res: ServerResponse, why: string): void {
    refused.inc({ reason: 'bad-request' });
    answer(res, 400, { error: why });
  }

  async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) {
        refused.inc({ reason: 'too-large' });
        answer(res, 413, { error: 'too large' }, { Connection: 'close' });
        req.destroy();
        return undefined;
      }
      chunks.push(chunk);
    }
    try {
      const v = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v;
    } catch {
      // answered below
    }
    bad(res, 'not a JSON object');
    return undefined;
  }

  const ipOf = (req: IncomingMessage) => senderKey(req.socket.remoteAddress ?? 'unknown');

  async function register(req: IncomingMessage, res: ServerResponse) {
    if (!registrations.take(ipOf(req), 1, Date.now())) {
      refused.inc({ reason: 'registrations' });
      return answer(res, 429, { error: 'too many registrations' }, { 'Retry-After': '60' });
    }
    const body = (await readJson(req, res)) as Record<string, unknown> | undefined;
    if (!body) return;
    const sub = body.subscription as
      { endpoint?: unknown; keys?: { p256dh?: unknown; auth?: unknown } } | undefined;
    const claim = body.claim;
    const handles = body.handles;
    if (
      typeof claim !== 'string' ||
      b64uBytes(claim)?.length !== 32 ||
      !Array.isArray(handles) ||
      handles.length > 512 ||
      !handles.every(isHandle)
    )
      return bad(res, 'claim or handles');
    if (typeof sub?.endpoint !== 'string' || sub.endpoint.length > 1024 || !sub.keys)
      return bad(res, 'subscription');
    if (!allowedEndpoint(sub.endpoint, config.pushServices)) {
      refused.inc({ reason: 'endpoint' });
      return answer(res, 400, { error: 'endpoint is not an allowed push service' });
    }
    // Some browsers pad their keys' base64url with '='; kept without.
    const p256dh = typeof sub.keys.p256dh === 'string' ? sub.keys.p256dh.replace(/=+$/, '') : '';
    const auth = typeof sub.keys.auth === 'string' ? sub.keys.auth.replace(/=+$/, '') : '';
    const point = b64uBytes(p256dh);
    const secret = b64uBytes(auth);
    if (point?.length !== 65 || point[0] !== 4 || !onCurve(point) || secret?.length !== 16)
      return bad(res, 'subscription keys');
    const r = store.register({ endpoint: sub.endpoint, p256dh, auth }, claim, handles);
    if (r.taken.length) refused.inc({ reason: 'taken' }, r.taken.length);
    if (r.full) refused.inc({ reason: 'handles-per-subscription' });
    if (r.storeFull) refused.inc({ reason: 'store-full' }, r.storeFull);
    answer(res, 200, { registered: r.registered, taken: r.taken });
  }

  async function unregister(req: IncomingMessage, res: ServerResponse) {
    if (!registrations.take(ipOf(req), 1, Date.now())) {
      refused.inc({ reason: 'registrations' });
      return answer(res, 429, { error: 'too many registrations' }, { 'Retry-After': '60' });
    }
    const body = (await readJson(req, res)) as Record<string, unknown> | undefined;
    if (!body) return;
    const { claim, handles } = body;
    if (typeof claim !== 'string' || b64uBytes(claim)?.length !== 32) return bad(res, 'claim');
    if (
      handles !== undefined &&
      !(Array.isArray(handles) && handles.length <= 512 && handles.every(isHandle))
    )
      return bad(res, 'handles');
    store.unregister(claim, handles);
    answer(res, 200, {});
  }

  async function wake(req: IncomingMessage, res: ServerResponse) {
    const body = (await readJson(req, res)) as Record<string, unknown> | undefined;
    if (!body) return;
    const { wakes, at, cancel } = body;
    if (!Array.isArray(wakes)) return bad(res, 'wakes');
    if (wakes.length > MAX_WAKES) {
      refused.inc({ reason: 'too-many' });
      return answer(res, 400, { error: `at most ${MAX_WAKES} wakes` });
    }
    const list: { to: string; data: string }[] = [];
    for (const w of wakes as { to?: unknown; data?: unknown }[]) {
      if (!w || !isHandle(w.to)) return bad(res, 'handle');
      const data = typeof w.data === 'string' ? b64uBytes(w.data) : undefined;
      if (!data || data.length === 0 || data.length > MAX_DATA) return bad(res, 'data');
      list.push({ to: w.to, data: w.data as string });
    }
    const now = Math.floor(Date.now() / 1000);
    if (at !== undefined && (typeof at !== 'number' || !Number.isInteger(at)))
      return bad(res, 'at');
    if (typeof at === 'number' && at > now + MAX_AHEAD_SECONDS) return bad(res, 'at too far');
    if (cancel !== undefined && (typeof cancel !== 'string' || b64uBytes(cancel)?.length !== 32))
      return bad(res, 'cancel');
    // One address asks for so many wakes a minute; a flood is refused whole and counted [PUSH-4].
    if (!perIp.take(ipOf(req), list.length, Date.now())) {
      refused.inc({ reason: 'rate-limit' }, list.length);
      return answer(res, 429, { error: 'too many wakes' }, { 'Retry-After': '60' });
    }
    const later = typeof at === 'number' && at > now;
    if (later && store.waiting + list.length > MAX_WAITING) {
      refused.inc({ reason: 'waiting-full' }, list.length);
      return answer(res, 503, { error: 'too many reminders waiting' }, { 'Retry-After': '3600' });
    }
    const until = Date.now() + REPLAY_SECONDS * 1000;
    for (const w of list) {
      // The same sealed bytes to the same handle again is a replay, not a new message [PUSH-5].
      const key = sha256b64(`${w.to}.${w.data}`);
      if (seen.has(key)) {
        refused.inc({ reason: 'replay' });
        continue;
      }
      if (seen.size >= MAX_REMEMBERED) seen.delete(seen.keys().next().value!);
      seen.set(key, until);
      if (!store.subscriptionOf(w.to)) {
        refused.inc({ reason: 'unknown-handle' });
        continue;
      }
      // However many addresses ask, one handle receives so many pushes an hour [PUSH-4].
      if (!perHandle.take(w.to, 1, Date.now())) {
        refused.inc({ reason: 'handle-budget' });
        continue;
      }
      if (later) {
        const entry: LaterWake = { due: at, to: w.to, data: w.data };
        if (typeof cancel === 'string') entry.cancel = cancel;
        store.addLater(entry);
      } else deliver(w);
    }
    // The same answer whatever became of each wake: a sender learns nothing about handles [PUSH-3].
    answer(res, 202, { accepted: list.length });
  }

  async function cancelLater(req: IncomingMessage, res: ServerResponse) {
    const body = (await readJson(req, res)) as Record<string, unknown> | undefined;
    if (!body) return;
    const secret = typeof body.secret === 'string' ? b64uBytes(body.secret) : undefined;
    if (secret?.length !== 32) return bad(res, 'secret');
    store.cancel(sha256b64(secret));
    answer(res, 200, {});
  }

  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/push/register': register,
    '/push/unregister': unregister,
    '/push/wake': wake,
    '/push/cancel': cancelLater
  };

  return {
    get publicKey() {
      return vapid?.publicKey;
    },
    start() {
      if (!config.push) return;
      const loaded = loadVapidKeys(config.dataDir, {
        publicKey: config.pushVapidPublicKey,
        privateKey: config.pushVapidPrivateKey
      });
      vapid = loaded.keys;
      if (loaded.made) log('push-keys-made', { where: 'dataDir/push/vapid.json' });
      store.load();
      if (store.setAside) log('push-store-unreadable', { movedTo: 'push/store.json.unreadable' });
      sender = new PushSender({
        vapid,
        subject: config.pushSubject,
        retries: config.pushRetries,
        retryMs: config.pushRetryMs,
        timeoutMs: config.pushTimeoutMs,
        ...(agent ? { agent } : {}),
        onRetry: () => pushes.inc({ outcome: 'retried' }),
        onError: (kind) => error(kind),
        onDone: (id, outcome, ms) => {
          pushes.inc({ outcome });
          if (outcome === 'sent') sendSeconds.observe(ms / 1000);
          if (outcome === 'gone') store.forget(id);
        }
      });
      timer = setInterval(tick, 1000);
      timer.unref();
    },
    handle(req, res, pathname) {
      if (!pathname.startsWith('/push/')) return false;
      if (!config.push || !vapid) {
        answer(res, 404, { error: 'push is off on this relay' });
        return true;
      }
      if (req.method === 'OPTIONS') {
        answer(res, 204, undefined, {
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': 'Content-Type',
          'Access-Control-Max-Age': '86400'
        });
        return true;
      }
      if (pathname === '/push/key') {
        if (req.method !== 'GET' && req.method !== 'HEAD') answer(res, 405);
        else answer(res, 200, { publicKey: vapid.publicKey });
        return true;
      }
      const route = routes[pathname];
      if (!route) {
        answer(res, 404, { error: 'not found' });
        return true;
      }
      if (req.method !== 'POST') {
        answer(res, 405, undefined, { Allow: 'POST' });
        return true;
      }
      route(req, res).catch((e: unknown) => {
        error('push-route');
        log('push-error', { reason: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) answer(res, 500, { error: 'internal' });
      });
      return true;
    },
    async close() {
      if (timer) clearInterval(timer);
      sender?.close();
      if (config.push && vapid) await store.flush();
    }
  };
}
