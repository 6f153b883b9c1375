/**
 * A local Web Push service for tests: an HTTPS server standing where a browser's push service
 * (FCM, Mozilla autopush, Apple) would be. It checks what a push service checks — the VAPID JWT
 * (ES256 over the relay's public key, audience, expiry) — and then does what the phone would do:
 * decrypts the RFC 8291 `aes128gcm` body with the subscription's own private key and auth secret.
 * Written from the RFCs with Node's crypto, independently of the `web-push` library the relay uses.
 *
 * Each subscription's endpoint is `https://127.0.0.1:<port>/p/<id>`; how that id answers can be
 * set (`behave`): 201, 404/410 (expired), 500 a few times, or no answer at all (timeout).
 */
import { execFileSync } from 'node:child_process';
import {
  createDecipheriv,
  createECDH,
  createHmac,
  createPublicKey,
  randomBytes,
  verify
} from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The browser's side: the P-256 private key and auth secret that decrypt. */
  ecdh: ReturnType<typeof createECDH>;
  auth: Buffer;
  id: string;
}

export interface Received {
  id: string;
  at: number;
  /** Body as sent (encrypted), its size in bytes. */
  bytes: number;
  /** Decrypted payload, or null when it did not decrypt. */
  payload: Buffer | null;
  vapid: { ok: boolean; why?: string; sub?: string; aud?: string; exp?: number };
  headers: Record<string, string | string[] | undefined>;
}

type Behaviour =
  { kind: 'ok' } | { kind: 'status'; status: number; times: number } | { kind: 'hang' };

const b64u = (b: Buffer | Uint8Array) => Buffer.from(b).toString('base64url');

/** A self-signed certificate for 127.0.0.1 (openssl), its key, and an agent that trusts it. */
export function selfSigned(): { cert: string; key: string; certFile: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-push-tls-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1'
    ],
    { stdio: 'ignore' }
  );
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  };
}

/** The P-256 public key in a VAPID `k=` parameter (65 bytes, uncompressed) as a KeyObject. */
function p256PublicKey(raw: Buffer) {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('not an uncompressed P-256 point');
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: b64u(raw.subarray(1, 33)),
      y: b64u(raw.subarray(33, 65))
    },
    format: 'jwk'
  });
}

/** Checks `Authorization: vapid t=<JWT>, k=<key>` as a push service does (RFC 8292). */
function checkVapid(
  header: string | undefined,
  expectedKey: string | undefined,
  audience: string,
  nowSeconds: number
): Received['vapid'] {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) return { ok: false, why: 'no vapid header' };
  const [, token, key] = m;
  if (expectedKey && key !== expectedKey) return { ok: false, why: 'another key' };
  const [h, p, s] = token!.split('.');
  if (!h || !p || !s) return { ok: false, why: 'malformed jwt' };
  let head: { alg?: string; typ?: string };
  let claims: { aud?: string; exp?: number; sub?: string };
  try {
    head = JSON.parse(Buffer.from(h, 'base64url').toString()) as typeof head;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as typeof claims;
  } catch {
    return { ok: false, why: 'malformed jwt' };
  }
  if (head.alg !== 'ES256') return { ok: false, why: 'not ES256' };
  const signature = Buffer.from(s, 'base64url');
  const good = verify(
    'sha256',
    Buffer.from(`${h}.${p}`),
    { key: p256PublicKey(Buffer.from(key!, 'base64url')), dsaEncoding: 'ieee-p1363' },
    signature
  );
  if (!good) return { ok: false, why: 'bad signature' };
  if (claims.aud !== audience) return { ok: false, why: `audience ${claims.aud}` };
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds)
    return { ok: false, why: 'expired' };
  if (claims.exp > nowSeconds + 24 * 3600) return { ok: false, why: 'exp over 24 h' };
  if (!claims.sub || !/^(mailto:|https:)/.test(claims.sub)) return { ok: false, why: 'no sub' };
  return { ok: true, sub: claims.sub, aud: claims.aud, exp: claims.exp };
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/**
 * Decrypts an RFC 8291 message (RFC 8188 `aes128gcm`, one record) with the user agent's keys;
 * null when it does not decrypt.
 */
function decryptAes128gcm(
  body: Buffer,
  ecdh: ReturnType<typeof createECDH>,
  auth: Buffer
): Buffer | null {
  try {
    if (body.length < 21 + 65 + 17) return null;
    const salt = body.subarray(0, 16);
    const rs = body.readUInt32BE(16);
    const idlen = body[20]!;
    const asPublic = body.subarray(21, 21 + idlen);
    const records = body.subarray(21 + idlen);
    if (idlen !== 65 || rs < 18 || records.length > rs) return null;
    const uaPublic = ecdh.getPublicKey();
    const shared = ecdh.computeSecret(asPublic);
    // RFC 8291 §3.4: IKM from the ECDH secret and the auth secret.
    const prkKey = hmac(auth, shared);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, asPublic]);
    const ikm = hmac(prkKey, Buffer.concat([keyInfo, Buffer.of(1)]));
    // RFC 8188 §2.2 and §2.3: content-encryption key and nonce.
    const prk = hmac(salt, ikm);
    const cek = hmac(
      prk,
      Buffer.concat([Buffer.from('Content-Encoding: aes128gcm\0'), Buffer.of(1)])
    );
    const nonce = hmac(
      prk,
      Buffer.concat([Buffer.from('Content-Encoding: nonce\0'), Buffer.of(1)])
    );
    const decipher = createDecipheriv('aes-128-gcm', cek.subarray(0, 16), nonce.subarray(0, 12));
    decipher.setAuthTag(records.subarray(records.length - 16));
    const plain = Buffer.concat([
      decipher.update(records.subarray(0, records.length - 16)),
      decipher.final()
    ]);
    // The last record ends with a 0x02 delimiter followed by zero padding.
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    if (end < 0 || plain[end] !== 2) return null;
    return plain.subarray(0, end);
  } catch {
    return null;
  }
}

export class PushEndpoint {
  readonly received: Received[] = [];
  readonly agent: Agent;
  readonly certFile: string;
  #server: Server;
  #tls: ReturnType<typeof selfSigned>;
  #subs = new Map<string, TestSubscription>();
  #behave = new Map<string, Behaviour>();
  #waiters: (() => void)[] = [];
  port = 0;
  /** The relay's VAPID public key; when set, a push signed with any other key is refused (403). */
  vapidKey: string | undefined;

  constructor() {
    this.#tls = selfSigned();
    this.certFile = this.#tls.certFile;
    this.agent = new Agent({ ca: this.#tls.cert, keepAlive: true });
    this.#server = createServer({ cert: this.#tls.cert, key: this.#tls.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = /^\/p\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1] ?? '';
        const behaviour = this.#behave.get(id) ?? { kind: 'ok' };
        if (behaviour.kind === 'hang') return; // never answers: the sender's timeout must act
        const body = Buffer.concat(chunks);
        const sub = this.#subs.get(id);
        const vapid = checkVapid(
          req.headers.authorization,
          this.vapidKey,
          `https://127.0.0.1:${this.port}`,
          Math.floor(Date.now() / 1000)
        );
        const payload = sub ? decryptAes128gcm(body, sub.ecdh, sub.auth) : null;
        this.received.push({
          id,
          at: performance.now(),
          bytes: body.length,
          payload,
          vapid,
          headers: req.headers
        });
        for (const w of this.#waiters.splice(0)) w();
        if (behaviour.kind === 'status' && behaviour.times > 0) {
          behaviour.times--;
          res.writeHead(behaviour.status).end();
          return;
        }
        if (!sub) return void res.writeHead(404).end();
        if (!vapid.ok) return void res.writeHead(403).end(vapid.why);
        if (req.headers['content-encoding'] !== 'aes128gcm') return void res.writeHead(415).end();
        res.writeHead(201, { Location: `/m/${randomBytes(4).toString('hex')}` }).end();
      });
    });
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const a = this.#server.address();
    this.port = typeof a === 'object' && a ? a.port : 0;
    return this;
  }

  /** A fresh browser-side subscription at this push service. */
  subscribe(): TestSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const id = randomBytes(9).toString('base64url');
    const sub: TestSubscription = {
      endpoint: `https://127.0.0.1:${this.port}/p/${id}`,
      keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) },
      ecdh,
      auth,
      id
    };
    this.#subs.set(id, sub);
    return sub;
  }

  /** How the endpoint of a subscription answers from now on. */
  behave(sub: TestSubscription, b: Behaviour): void {
    this.#behave.set(sub.id, b);
  }

  for(sub: TestSubscription): Received[] {
    return this.received.filter((r) => r.id === sub.id);
  }

  /** Resolves once `count` pushes have arrived in all (or rejects after `ms`). */
  async waitFor(count: number, ms = 15_000): Promise<void> {
    const end = Date.now() + ms;
    while (this.received.length < count) {
      if (Date.now() > end)
        throw new Error(`push endpoint: ${this.received.length} of ${count} pushes arrived`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#tls.cleanup();
  }
}
