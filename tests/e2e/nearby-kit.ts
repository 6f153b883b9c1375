import {
  expect,
  type Browser,
  type BrowserContext,
  type Page,
  type TestInfo
} from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { cameraBrowser, qrVideo } from './fake-camera';
import { runKit, startRelay, waitForServiceWorker, type RelayProcess } from './helpers';

/**
 * Phones for direct-sync tests [NEAR-*]: each its own Chromium with a fake camera (a video file
 * written just before it scans: Chromium reads it when the camera starts), its own relay to set
 * groups up, which the test stops before the phones meet.
 */
export interface Phone {
  name: string;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** What this phone's camera will see the next time it starts: these codes, over and over. */
  sees(texts: string[]): void;
}

let nextPort = 3600 + (process.pid % 200) * 2;

export async function ownRelay(info: TestInfo): Promise<RelayProcess> {
  return startRelay({ port: nextPort++, dataDir: info.outputPath(`relay-${nextPort}`) });
}

export async function phone(info: TestInfo, name: string, baseURL: string): Promise<Phone> {
  const video = info.outputPath(`${name}-camera.y4m`);
  writeFileSync(video, qrVideo(['nothing yet']));
  const browser = await cameraBrowser(video);
  const context = await browser.newContext({ baseURL, viewport: { width: 360, height: 640 } });
  const page = await context.newPage();
  return {
    name,
    browser,
    context,
    page,
    sees: (texts) => writeFileSync(video, qrVideo(texts.flatMap((t) => [t, t, t, t])))
  };
}

/**
 * The phones are left with no server at all: each has the app from its service worker, then the
 * relay process is stopped and this machine has no internet. (Not Chromium's offline mode: it cuts
 * WebRTC too, unlike a phone on a Wi-Fi or hotspot with no internet, which is what this is.)
 */
export async function noServer(relay: RelayProcess, ...phones: Phone[]): Promise<void> {
  for (const p of phones) await waitForServiceWorker(p.page);
  expect(await relay.stop()).not.toBeUndefined();
  const gone = await fetch(`${relay.url}/healthz`).then(
    () => false,
    () => true
  );
  expect(gone, 'the relay is stopped').toBe(true);
}

/**
 * The code a phone shows, read from its "code as text" (the same text as its QR code). `not`: a
 * code the phone showed before (a host replaces a used offer with a new one: wait for that).
 */
export async function shownCode(
  page: Page,
  what: 'near-offer' | 'near-answer',
  not?: string
): Promise<string> {
  await expect(page.getByTestId(what)).toBeVisible({ timeout: 30_000 });
  if (not)
    await expect(page.getByTestId('near-code-text')).not.toHaveValue(not, { timeout: 30_000 });
  return page.getByTestId('near-code-text').inputValue();
}

/** The last code each host page showed (so the next guest never reads a code already used). */
const lastOffer = new WeakMap<Page, string>();

/**
 * The host's next code: "Sync with someone here" → "Show my code" if not shown yet, and a code no
 * guest has read yet (a host replaces a used code with a new one).
 */
export async function hostOffer(host: Phone): Promise<string> {
  const h = host.page;
  if (!h.url().endsWith('/nearby')) await h.goto('/nearby');
  await expect(h.getByTestId('near-host').or(h.getByTestId('near-offer'))).toBeVisible();
  if (await h.getByTestId('near-host').isVisible()) await h.getByTestId('near-host').click();
  const offer = await shownCode(h, 'near-offer', lastOffer.get(h));
  lastOffer.set(h, offer);
  return offer;
}

/**
 * One guest joins a host by camera: the host shows its code, the guest's camera reads it and
 * shows an answer, the host's camera reads that. Returns how many QR codes crossed.
 */
export async function pair(host: Phone, guest: Phone): Promise<{ codes: number }> {
  const h = host.page;
  const g = guest.page;
  const offer = await hostOffer(host);
  const offerCodes = Number(await h.getByTestId('near-offer').getAttribute('data-codes'));
  guest.sees([offer]);
  if (!g.url().endsWith('/nearby')) await g.goto('/nearby');
  await expect(g.getByTestId('near-guest').or(g.getByTestId('near-scan'))).toBeVisible();
  if (await g.getByTestId('near-guest').isVisible()) await g.getByTestId('near-guest').click();
  await g.getByTestId('near-scan').click();
  const answer = await shownCode(g, 'near-answer');
  const answerCodes = Number(await g.getByTestId('near-answer').getAttribute('data-codes'));
  host.sees([answer]);
  await h.getByTestId('near-scan').click();
  return { codes: offerCodes + answerCodes };
}

/**
 * Hearth on this page stops taking anything in from a direct connection once more than `bytes`
 * have reached it (the message that crosses the line is the last one handed over): the cut of a
 * phone whose app is closed mid-sync, at a byte count rather than at whatever moment a test's
 * polling notices (a backlog crosses a local data channel in a few milliseconds). From the page's
 * next load on; `window.__hearthCutAt` then holds how many bytes got in.
 */
export async function cutAfter(page: Page, bytes: number): Promise<void> {
  await page.addInitScript((limit: number) => {
    const w = window as unknown as { __hearthCutAt?: number };
    let seen = 0;
    const own = Object.getOwnPropertyDescriptor(RTCDataChannel.prototype, 'onmessage')!;
    Object.defineProperty(RTCDataChannel.prototype, 'onmessage', {
      configurable: true,
      get(this: RTCDataChannel) {
        return own.get!.call(this) as unknown;
      },
      set(this: RTCDataChannel, handler: unknown) {
        const wrapped =
          typeof handler === 'function'
            ? (event: MessageEvent) => {
                if (w.__hearthCutAt !== undefined) return;
                const data = event.data as ArrayBuffer | string;
                seen += typeof data === 'string' ? data.length : data.byteLength;
                (handler as (e: MessageEvent) => void).call(this, event);
                if (seen > limit) w.__hearthCutAt = seen;
              }
            : handler;
        own.set!.call(this, wrapped);
      }
    });
  }, bytes);
}

export async function closePhones(...phones: Phone[]): Promise<void> {
  for (const p of phones) await p.browser.close().catch(() => undefined);
}

/** This phone's device seed, read from its IndexedDB (as a modified app on that phone could). */
export async function deviceSeed(page: Page): Promise<Uint8Array> {
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

/** The document id of the group a page shows (from its address). */
export function documentIdOf(url: string): string {
  return /#([1-9A-HJ-NP-Za-km-z]+)/.exec(url)![1]!;
}

/**
 * Writes `n` decisions into a group as the phone whose seed this is, through the relay (much
 * faster than tapping them in): a backlog for another phone to catch up on. Resolves once the
 * relay holds them. Runs in its own Node process (tests/kit/write-backlog.ts): under Playwright's
 * module loader automerge-repo refused the changes ("outdated document").
 */
export function writeBacklog(
  relayUrl: string,
  documentId: string,
  seed: Uint8Array,
  n: number
): Promise<void> {
  return runKit('write-backlog.ts', [
    relayUrl,
    documentId,
    Buffer.from(seed).toString('hex'),
    String(n)
  ]);
}
