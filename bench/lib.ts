import type { Page } from '@playwright/test';
import { GroupSession } from '../src/lib/core/group/session';
import { deviceKeys } from '../src/lib/core/group/signer';
import { putThroughRelay, readFromRelay } from '../tests/kit/relay-writer';
import { startRelay } from '../tests/e2e/helpers';
import { createServer, connect, type Server } from 'node:net';

/**
 * Relay flags for a bench whose many clients all come from this one machine: the per-address
 * limits (connections, documents per connection, unknown documents, OPS-16) would otherwise
 * refuse all but the first few hundred, and the bench would measure the refusals.
 */
export const ONE_ADDRESS_FLAGS = [
  '--max-connections-per-ip',
  '100000',
  '--max-documents-per-connection',
  '100000',
  '--unknown-documents-per-ip-per-minute',
  '1000000',
  '--max-unknown-documents-per-connection',
  '1000000'
];

/**
 * One benchmark figure, printed as a JSON line: `{"bench","value","unit","goal"}`. A figure printed
 * for context (the comparison server's, a count) has no goal. `counts` are what prove the figure
 * measured what it says (samples taken, samples that saw the event), printed beside it.
 */
export function report(
  bench: string,
  value: number,
  unit: string,
  goal?: number,
  counts?: Record<string, number>
): void {
  const rounded = Math.round(value * 100) / 100;
  console.log(
    JSON.stringify({
      bench,
      value: rounded,
      unit,
      ...(goal === undefined ? {} : { goal }),
      ...(counts ?? {})
    })
  );
}

/** The same real relay process the browser tests start (tests/e2e/helpers.ts). */
export async function startRelayProcess(
  port: number,
  dataDir: string
): Promise<{ stop(): Promise<unknown> }> {
  return startRelay({ port, dataDir });
}

/**
 * A TCP proxy in front of the relay that counts the bytes the browser really receives (after
 * compression, including the service worker's own fetches). WebSocket connections are counted
 * apart from HTTP so page-load figures are not blurred by sync traffic.
 */
export class CountingProxy {
  http = 0;
  ws = 0;
  requests = 0;
  #server: Server;
  /**
   * Shapes WebSocket traffic like a slow link (half the round trip each way, and a byte rate per
   * direction). Chromium's network throttling does not reach a page's WebSocket frames (nor a
   * worker's), so a bench that means "a slow network" for sync sets this.
   */
  shapeWs: { rttMs: number; downBytesPerSec: number; upBytesPerSec: number } | undefined;
  constructor(
    readonly port: number,
    target: number
  ) {
    this.#server = createServer((client) => {
      const upstream = connect(target, '127.0.0.1');
      let kind: 'http' | 'ws' | undefined;
      const up = this.#link(() => this.shapeWs?.upBytesPerSec);
      const down = this.#link(() => this.shapeWs?.downBytesPerSec);
      client.on('data', (chunk: Buffer) => {
        if (kind === undefined)
          kind = /upgrade:\s*websocket/i.test(chunk.toString('latin1')) ? 'ws' : 'http';
        if (kind === 'http')
          this.requests += (chunk.toString('latin1').match(/^(GET|HEAD) /gm) ?? []).length;
        if (kind === 'ws') up(chunk, (c) => upstream.write(c));
        else upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        if (kind === 'ws') this.ws += chunk.length;
        else this.http += chunk.length;
        if (kind === 'ws') down(chunk, (c) => client.write(c));
        else client.write(chunk);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
  }
  /** One direction of a shaped link: chunks leave in order, each after the previous one. */
  #link(rate: () => number | undefined) {
    let free = 0;
    return (chunk: Buffer, send: (c: Buffer) => void) => {
      const bytesPerSec = rate();
      const shape = this.shapeWs;
      if (!bytesPerSec || !shape) return send(chunk);
      const now = Date.now();
      free = Math.max(now, free) + (chunk.length / bytesPerSec) * 1000;
      setTimeout(() => send(chunk), free - now + shape.rttMs / 2);
    };
  }
  listen(): Promise<void> {
    return new Promise((resolve) => this.#server.listen(this.port, '127.0.0.1', resolve));
  }
  reset(): void {
    this.http = 0;
    this.ws = 0;
    this.requests = 0;
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.#server.close(() => resolve()));
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The device key of the person on a page ('self'), read from the browser's storage. */
export async function deviceSeedOf(page: {
  evaluate<T>(f: () => Promise<T>): Promise<T>;
}): Promise<Uint8Array> {
  const seed = await page.evaluate(
    () =>
      new Promise<number[]>((resolve, reject) => {
        const open = indexedDB.open('hearth');
        open.onsuccess = () => {
          const get = open.result.transaction('identity').objectStore('identity').get('self');
          get.onsuccess = () => resolve([...(get.result as { secretKey: Uint8Array }).secretKey]);
          get.onerror = () => reject(new Error('no identity'));
        };
      })
  );
  return Uint8Array.from(seed);
}

/**
 * Bytes requested up to the first contentful paint (Resource Timing, the browser's own mark), so
 * background loads that start after it (Automerge, the service worker) are not counted.
 */
export function bytesBeforeFirstPaint(page: {
  evaluate<T>(f: () => Promise<T>): Promise<T>;
}): Promise<{ all: number; js: number; files: number }> {
  return page.evaluate(async () => {
    const fcp = await new Promise<number>((resolve) => {
      const seen = performance.getEntriesByName('first-contentful-paint')[0];
      if (seen) return resolve(seen.startTime);
      new PerformanceObserver((list) => {
        const e = list.getEntriesByName('first-contentful-paint')[0];
        if (e) resolve(e.startTime);
      }).observe({ type: 'paint', buffered: true });
    });
    const before = performance
      .getEntriesByType('resource')
      .concat(performance.getEntriesByType('navigation'))
      .filter((e) => e.startTime <= fcp) as PerformanceResourceTiming[];
    return {
      all: before.reduce((n, e) => n + e.transferSize, 0),
      files: before.filter((e) => e.transferSize > 0).length,
      js: before.filter((e) => /\.m?js(\?|$)/.test(e.name)).reduce((n, e) => n + e.transferSize, 0)
    };
  });
}

/** The slow phone's link [#8]: 400 ms round trip, 50 kB/s down, 20 kB/s up. */
export const SLOW_LINK = { rttMs: 400, downBytesPerSec: 50_000, upBytesPerSec: 20_000 };

/**
 * Makes a page a slow phone: CDP network throttling at SLOW_LINK (it does not reach WebSocket
 * frames: shape those with `CountingProxy.shapeWs = SLOW_LINK`) and a CPU 4× slower (the page's
 * main thread only, not its workers).
 */
export async function slowPhone(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: SLOW_LINK.rttMs,
    downloadThroughput: SLOW_LINK.downBytesPerSec,
    uploadThroughput: SLOW_LINK.upBytesPerSec
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
}

/**
 * The rest of a group, from this process, straight to a relay: the founder (its key read from the
 * browser page) admits members, each with their own device; then they write. `count()` is how
 * many entries the group holds as written here.
 */
export async function groupWriter(page: Page, documentId: string, relayPort: number) {
  const seed = await deviceSeedOf(page);
  const relayUrl = `ws://127.0.0.1:${relayPort}`;
  // The new group reaches the relay a moment after the screen shows it: ask until it is there.
  let doc: Awaited<ReturnType<typeof readFromRelay>> | undefined;
  for (let i = 0; !doc; i++) {
    doc = await readFromRelay(relayUrl, documentId).catch(() => undefined);
    if (!doc && i > 60) throw new Error('the group never reached the relay');
    if (!doc) await new Promise((r) => setTimeout(r, 1000));
  }
  // One verdict cache for every member's session: each signature is checked once.
  const verdicts = new Map<string, boolean>();
  const random = (k: number) => crypto.getRandomValues(new Uint8Array(k));
  const groupId = doc.groupId;
  const session = (key: Uint8Array) =>
    new GroupSession({ groupId, device: deviceKeys(key), random, verdicts });
  const all: Uint8Array[] = [...doc.entries.values()];
  const founder = session(seed);
  founder.addAll(all);
  const members: { s: GroupSession; seen: number }[] = [{ s: founder, seen: all.length }];
  let t = Math.floor(Date.now() / 1000);
  // Signed here, sent by flush() (no socket is open while signing: see putThroughRelay).
  let pending: Uint8Array[] = [];
  const put = (list: Uint8Array[]) => {
    all.push(...list);
    pending.push(...list);
  };
  const catchUp = (m: { s: GroupSession; seen: number }) => {
    m.s.addAll(all.slice(m.seen));
    m.seen = all.length;
  };
  return {
    /** The founder invites, votes in and hands the key to `n` new members. */
    admit(n: number) {
      for (let i = 0; i < n; i++) {
        catchUp(members[0]!);
        const inv = founder.invite(++t, { days: 7, singleUse: true });
        put(inv.entries);
        const m = { s: session(random(32)), seen: 0 };
        catchUp(m);
        put(
          m.s.apply({
            invite: inv.inviteId,
            secret: inv.secret,
            name: `Member ${i}`,
            motivation: 'Hello',
            now: ++t
          })
        );
        catchUp(members[0]!);
        const application = Object.values(founder.state.applications).find(
          (a) => a.applicant === m.s.me
        )!;
        put(founder.propose({ type: 'admit', application: application.id }, ++t));
        const p = Object.values(founder.state.proposals).find(
          (x) => x.kind === 'admit' && x.status === 'voting'
        )!;
        put(founder.vote(p.id, 1, '', ++t));
        put(founder.close(p.id, ++t));
        put(founder.heal(++t));
        members.push(m);
      }
    },
    /** n entries by the members in turn: a proposal now and then, comments on it. */
    write(n: number) {
      let proposal = '';
      for (let i = 0; i < n; i++) {
        const m = members[i % members.length]!;
        catchUp(m);
        if (i % 10 === 0) {
          put(m.s.propose({ type: 'general', text: `Idea ${i}: tea at four` }, ++t));
          proposal = Object.keys(m.s.state.proposals).at(-1)!;
        } else put(m.s.comment(proposal, `Comment ${i}, sounds good to me`, ++t));
      }
    },
    ballot() {
      catchUp(members[0]!);
      const p = Object.values(founder.state.proposals).find((x) => x.status === 'voting')!;
      put(founder.vote(p.id, 1, '', ++t));
    },
    /** Sends what was written since the last flush; resolves once the relay holds it. */
    async flush() {
      const list = pending;
      pending = [];
      await putThroughRelay(relayUrl, documentId, list);
    },
    size: () => members.length,
    count: () => all.length
  };
}
