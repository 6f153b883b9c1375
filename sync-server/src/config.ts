import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { looksLikeDocumentId } from '../../src/lib/core/group/links';

/** Everything the relay can be told. Each field is documented in docs/OPERATORS.md. */
export interface RelayConfig {
  port: number;
  host: string;
  /** Where documents are stored (embedded file storage). */
  dataDir: string;
  /** The built PWA to serve; `null` serves no app (sync only). */
  staticDir: string | null;
  /** Largest WebSocket message accepted; bigger ones close that connection with code 1009. */
  maxMessageBytes: number;
  /** How often the relay pings clients and drops those that do not answer. */
  keepAliveMs: number;
  /** A sync connection that sends nothing for this long is closed (`idle`); 0 keeps it open. */
  idleTimeoutMs: number;
  /** Open sync connections allowed from one IP address; more are refused (429). */
  maxConnectionsPerIp: number;
  /** Average sync messages per second per connection; bursts up to 4× are allowed. */
  messagesPerSecond: number;
  /** Different documents one connection may sync; one more closes it (`too many documents`). */
  maxDocumentsPerConnection: number;
  /** A document that takes this many bytes in storage accepts no more changes here [OPS-6]. */
  maxDocumentBytes: number;
  /**
   * What a document may decode to (compressed columns inflated): changes that would take it past
   * this are refused before anything loads them [OPS-15].
   */
  maxDocumentDecodedBytes: number;
  /** Changes a document may hold; more are refused [OPS-15]. */
  maxDocumentChanges: number;
  /**
   * Different documents the relay does not have that one connection may name; one more closes
   * it (`too many unknown documents`) [OPS-16].
   */
  maxUnknownDocumentsPerConnection: number;
  /** Documents the relay does not have that one address may name per minute (bursts too) [OPS-16]. */
  unknownDocumentsPerIpPerMinute: number;
  /** Document ids the relay refuses to store or serve (answered as unavailable) [OPS-4]. */
  denylist: string[];
  /** When set, the only document ids the relay stores and serves (allowlist mode) [OPS-6]. */
  allowlist: string[] | null;
  /**
   * Which new documents the relay accepts [OPS-7]: `any`; `groups` — a Hearth group whose first
   * entry is a valid genesis, a document of a group admitted here (its threads), or one on the
   * allowlist.
   */
  admit: 'any' | 'groups';
  /** PostgreSQL connection string; when set, documents live there instead of `dataDir` [STO-8]. */
  databaseUrl: string | null;
  /** Relays to sync with over an outgoing WebSocket (`ws://host:port/sync`) [OPS-10]. */
  upstream: string[];
  /** First wait before trying an upstream again after a failed attempt; doubles each time [OPS-14]. */
  upstreamRetryMs: number;
  /** Longest wait between attempts to reach an upstream [OPS-14]. */
  upstreamMaxRetryMs: number;
  /** A document nobody has synced for this long is written out and dropped from memory; 0 never [OPS-8]. */
  evictIdleMs: number;
  /** When set, `/metrics` answers only `Authorization: Bearer <token>` (a secret). */
  metricsToken: string | null;
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
  /** Web Push: wake requests, subscriptions and reminders at `/push/*` [PUSH-1]; off serves none. */
  push: boolean;
  /** Contact for push services (`mailto:` or `https:`), sent in every VAPID token. */
  pushSubject: string;
  /** VAPID key pair (base64url); when absent the relay makes one in `<dataDir>/push/` [PUSH-1]. */
  pushVapidPublicKey: string | null;
  pushVapidPrivateKey: string | null;
  /** Hosts (and their subdomains) a subscription's https endpoint may be on [PUSH-7]. */
  pushServices: string[];
  /** Wakes one address may ask for per minute (bursts too); more are refused, 429 [PUSH-4]. */
  pushWakesPerIpPerMinute: number;
  /** Pushes one handle may receive per hour, whoever asks; more are dropped [PUSH-4]. */
  pushPerHandlePerHour: number;
  /** Attempts after the first when a push service answers 5xx/429 or does not answer [PUSH-6]. */
  pushRetries: number;
  /** First wait before another attempt; it doubles each time (with jitter) [PUSH-6]. */
  pushRetryMs: number;
  /** A push service that has not answered in this long counts as a failed attempt [PUSH-6]. */
  pushTimeoutMs: number;
  /** Handles the relay keeps in all; past it, registrations keep none more (`store-full`) [PUSH-7]. */
  pushMaxHandles: number;
}

export const DEFAULTS: RelayConfig = {
  port: 3030,
  host: '0.0.0.0',
  dataDir: './data',
  staticDir: './build',
  maxMessageBytes: 16 * 1024 * 1024,
  keepAliveMs: 10_000,
  idleTimeoutMs: 30 * 60_000,
  maxConnectionsPerIp: 64,
  messagesPerSecond: 100,
  maxDocumentsPerConnection: 500,
  maxDocumentBytes: 64 * 1024 * 1024,
  maxDocumentDecodedBytes: 32 * 1024 * 1024,
  maxDocumentChanges: 500_000,
  maxUnknownDocumentsPerConnection: 100,
  unknownDocumentsPerIpPerMinute: 120,
  denylist: [],
  allowlist: null,
  admit: 'any',
  databaseUrl: null,
  upstream: [],
  upstreamRetryMs: 5_000,
  upstreamMaxRetryMs: 5 * 60_000,
  evictIdleMs: 5 * 60_000,
  metricsToken: null,
  logLevel: 'info',
  push: true,
  pushSubject: 'mailto:hearth-relay@invalid',
  pushVapidPublicKey: null,
  pushVapidPrivateKey: null,
  pushServices: [
    'fcm.googleapis.com',
    'push.services.mozilla.com',
    'web.push.apple.com',
    'notify.windows.com'
  ],
  pushWakesPerIpPerMinute: 60,
  pushPerHandlePerHour: 30,
  pushRetries: 4,
  pushRetryMs: 1000,
  pushTimeoutMs: 10_000,
  pushMaxHandles: 200_000
};

/** Fields whose values are never printed or logged. */
const SECRETS: readonly (keyof RelayConfig)[] = ['metricsToken', 'pushVapidPrivateKey'];

/** A config problem, said in one line that tells the operator what to change. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Key = keyof RelayConfig;

/** Environment variable and flag for each field (the config file uses the field names). */
const NAMES: Record<Key, { env: string; flag: string; label: string }> = {
  port: { env: 'PORT', flag: '--port', label: 'port' },
  host: { env: 'HOST', flag: '--host', label: 'host' },
  dataDir: { env: 'DATA_DIR', flag: '--data-dir', label: 'data dir' },
  staticDir: { env: 'STATIC_DIR', flag: '--static-dir', label: 'static dir' },
  maxMessageBytes: {
    env: 'MAX_MESSAGE_BYTES',
    flag: '--max-message-bytes',
    label: 'max message bytes'
  },
  keepAliveMs: { env: 'KEEPALIVE_MS', flag: '--keepalive-ms', label: 'keepalive ms' },
  idleTimeoutMs: { env: 'IDLE_TIMEOUT_MS', flag: '--idle-timeout-ms', label: 'idle timeout ms' },
  maxConnectionsPerIp: {
    env: 'MAX_CONNECTIONS_PER_IP',
    flag: '--max-connections-per-ip',
    label: 'max connections per ip'
  },
  messagesPerSecond: {
    env: 'MESSAGES_PER_SECOND',
    flag: '--messages-per-second',
    label: 'messages per second'
  },
  maxDocumentsPerConnection: {
    env: 'MAX_DOCUMENTS_PER_CONNECTION',
    flag: '--max-documents-per-connection',
    label: 'max documents per connection'
  },
  maxDocumentBytes: {
    env: 'MAX_DOCUMENT_BYTES',
    flag: '--max-document-bytes',
    label: 'max document bytes'
  },
  maxDocumentDecodedBytes: {
    env: 'MAX_DOCUMENT_DECODED_BYTES',
    flag: '--max-document-decoded-bytes',
    label: 'max document decoded bytes'
  },
  maxDocumentChanges: {
    env: 'MAX_DOCUMENT_CHANGES',
    flag: '--max-document-changes',
    label: 'max document changes'
  },
  maxUnknownDocumentsPerConnection: {
    env: 'MAX_UNKNOWN_DOCUMENTS_PER_CONNECTION',
    flag: '--max-unknown-documents-per-connection',
    label: 'max unknown documents per connection'
  },
  unknownDocumentsPerIpPerMinute: {
    env: 'UNKNOWN_DOCUMENTS_PER_IP_PER_MINUTE',
    flag: '--unknown-documents-per-ip-per-minute',
    label: 'unknown documents per ip per minute'
  },
  denylist: { env: 'DENYLIST', flag: '--denylist', label: 'denylist' },
  allowlist: { env: 'ALLOWLIST', flag: '--allowlist', label: 'allowlist' },
  admit: { env: 'ADMIT', flag: '--admit', label: 'admit' },
  databaseUrl: { env: 'DATABASE_URL', flag: '--database-url', label: 'database url' },
  upstream: { env: 'UPSTREAM', flag: '--upstream', label: 'upstream' },
  upstreamRetryMs: {
    env: 'UPSTREAM_RETRY_MS',
    flag: '--upstream-retry-ms',
    label: 'upstream retry ms'
  },
  upstreamMaxRetryMs: {
    env: 'UPSTREAM_MAX_RETRY_MS',
    flag: '--upstream-max-retry-ms',
    label: 'upstream max retry ms'
  },
  evictIdleMs: { env: 'EVICT_IDLE_MS', flag: '--evict-idle-ms', label: 'evict idle ms' },
  metricsToken: { env: 'METRICS_TOKEN', flag: '--metrics-token', label: 'metrics token' },
  logLevel: { env: 'LOG_LEVEL', flag: '--log-level', label: 'log level' },
  push: { env: 'PUSH', flag: '--push', label: 'push' },
  pushSubject: { env: 'PUSH_SUBJECT', flag: '--push-subject', label: 'push subject' },
  pushVapidPublicKey: {
    env: 'PUSH_VAPID_PUBLIC_KEY',
    flag: '--push-vapid-public-key',
    label: 'push vapid public key'
  },
  pushVapidPrivateKey: {
    env: 'PUSH_VAPID_PRIVATE_KEY',
    flag: '--push-vapid-private-key',
    label: 'push vapid private key'
  },
  pushServices: { env: 'PUSH_SERVICES', flag: '--push-services', label: 'push services' },
  pushWakesPerIpPerMinute: {
    env: 'PUSH_WAKES_PER_IP_PER_MINUTE',
    flag: '--push-wakes-per-ip-per-minute',
    label: 'push wakes per ip per minute'
  },
  pushPerHandlePerHour: {
    env: 'PUSH_PER_HANDLE_PER_HOUR',
    flag: '--push-per-handle-per-hour',
    label: 'push per handle per hour'
  },
  pushRetries: { env: 'PUSH_RETRIES', flag: '--push-retries', label: 'push retries' },
  pushRetryMs: { env: 'PUSH_RETRY_MS', flag: '--push-retry-ms', label: 'push retry ms' },
  pushTimeoutMs: { env: 'PUSH_TIMEOUT_MS', flag: '--push-timeout-ms', label: 'push timeout ms' },
  pushMaxHandles: { env: 'PUSH_MAX_HANDLES', flag: '--push-max-handles', label: 'push max handles' }
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

/**
 * One schema for every layer. Environment variables and flags arrive as strings, the config file
 * as JSON values: each field accepts both and says what is wrong in the operator's terms.
 */
function whole(label: string, min: number, max: number) {
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const text = String(v).trim();
    if (!/^\d+$/.test(text)) {
      ctx.addIssue({ code: 'custom', message: `${label} must be a whole number, got "${v}"` });
      return z.NEVER;
    }
    const n = Number(text);
    if (n < min || n > max) {
      ctx.addIssue({
        code: 'custom',
        message: `${label} must be between ${min} and ${max}, got ${n}`
      });
      return z.NEVER;
    }
    return n;
  });
}

function text(label: string) {
  return z.string({ message: `${label} must be text` }).transform((v, ctx) => {
    if (v.trim() === '') {
      ctx.addIssue({ code: 'custom', message: `${label} must not be empty` });
      return z.NEVER;
    }
    return v.trim();
  });
}

/** Document ids as a list (file) or comma-separated (env, flag); `automerge:` URLs allowed. */
function documentIds(label: string) {
  return z
    .union([z.array(z.string()), z.string(), z.null()], {
      message: `${label} must be a list of document ids`
    })
    .transform((v, ctx) => {
      if (v === null) return null;
      const items = (Array.isArray(v) ? v : v.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const out: string[] = [];
      for (const raw of items) {
        const id = raw.replace(/^automerge:/, '');
        if (!looksLikeDocumentId(id)) {
          ctx.addIssue({ code: 'custom', message: `${label} entry "${raw}" is not a document id` });
          return z.NEVER;
        }
        out.push(id);
      }
      return out;
    });
}

/** Push settings [PUSH-1, PUSH-4, PUSH-6, PUSH-7]. */
const PUSH_SCHEMA = {
  push: z.union([z.boolean(), z.string()]).transform((v, ctx) => {
    if (typeof v === 'boolean') return v;
    const t = v.trim().toLowerCase();
    if (['on', 'true', '1', 'yes'].includes(t)) return true;
    if (['off', 'false', '0', 'no'].includes(t)) return false;
    ctx.addIssue({ code: 'custom', message: `push must be on or off, got "${v}"` });
    return z.NEVER;
  }),
  pushSubject: text('push subject').refine((v) => /^(mailto:\S+@\S+|https:\/\/\S+)$/.test(v), {
    message: 'push subject must be a mailto: address or an https: URL'
  }),
  pushVapidPublicKey: z
    .union([z.null(), text('push vapid public key')])
    .refine((v) => v === null || Buffer.from(v, 'base64url').length === 65, {
      message: 'push vapid public key must be 65 bytes in base64url'
    }),
  pushVapidPrivateKey: z
    .union([z.null(), text('push vapid private key')])
    .refine((v) => v === null || Buffer.from(v, 'base64url').length === 32, {
      message: 'push vapid private key must be 32 bytes in base64url'
    }),
  pushServices: z
    .union([z.array(z.string()), z.string()], { message: 'push services must be a list of hosts' })
    .transform((v, ctx) => {
      const items = (Array.isArray(v) ? v : v.split(','))
        .map((s) => s.trim().toLowerCase())
        .filter((s) => s !== '');
      for (const h of items)
        if (!/^[a-z0-9.-]+$/.test(h) || h.startsWith('.')) {
          ctx.addIssue({
            code: 'custom',
            message: `push services entry "${h}" is not a host name`
          });
          return z.NEVER;
        }
      return items;
    }),
  pushWakesPerIpPerMinute: whole('push wakes per ip per minute', 1, 1_000_000),
  pushPerHandlePerHour: whole('push per handle per hour', 1, 100_000),
  pushRetries: whole('push retries', 0, 10),
  pushRetryMs: whole('push retry ms', 10, 3600_000),
  pushTimeoutMs: whole('push timeout ms', 100, 120_000),
  pushMaxHandles: whole('push max handles', 1, 10_000_000)
};

const SCHEMA = z.object({
  port: whole('port', 0, 65535),
  host: text('host'),
  dataDir: text('data dir').transform((v) => resolve(v)),
  staticDir: z.union([z.string(), z.null()]).transform((v, ctx) => {
    if (v === null || v.trim() === 'none') return null;
    if (v.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'static dir must not be empty' });
      return z.NEVER;
    }
    return resolve(v.trim());
  }),
  maxMessageBytes: whole('max message bytes', 1024, 256 * 1024 * 1024),
  keepAliveMs: whole('keepalive ms', 1000, 600_000),
  idleTimeoutMs: whole('idle timeout ms', 0, 24 * 3600_000),
  maxConnectionsPerIp: whole('max connections per ip', 1, 100_000),
  messagesPerSecond: whole('messages per second', 1, 100_000),
  maxDocumentsPerConnection: whole('max documents per connection', 1, 1_000_000),
  maxDocumentBytes: whole('max document bytes', 1024, 16 * 1024 * 1024 * 1024),
  maxDocumentDecodedBytes: whole('max document decoded bytes', 1024, 16 * 1024 * 1024 * 1024),
  maxDocumentChanges: whole('max document changes', 1, 1_000_000_000),
  maxUnknownDocumentsPerConnection: whole('max unknown documents per connection', 1, 1_000_000),
  unknownDocumentsPerIpPerMinute: whole('unknown documents per ip per minute', 1, 1_000_000),
  denylist: documentIds('denylist').transform((v) => v ?? []),
  allowlist: documentIds('allowlist'),
  admit: z.enum(['any', 'groups'], { message: 'admit must be "any" or "groups"' }),
  databaseUrl: z.union([z.null(), text('database url')]).transform((v, ctx) => {
    if (v === null) return null;
    if (!/^postgres(ql)?:\/\//.test(v)) {
      ctx.addIssue({
        code: 'custom',
        message: 'database url must start with postgres:// or postgresql://'
      });
      return z.NEVER;
    }
    return v;
  }),
  upstream: z
    .union([z.array(z.string()), z.string()], { message: 'upstream must be a list of ws:// URLs' })
    .transform((v, ctx) => {
      const items = (Array.isArray(v) ? v : v.split(','))
        .map((s) => s.trim())
        .filter((s) => s !== '');
      for (const u of items) {
        if (!/^wss?:\/\/[^\s/]+/.test(u)) {
          ctx.addIssue({ code: 'custom', message: `upstream "${u}" is not a ws:// or wss:// URL` });
          return z.NEVER;
        }
      }
      return items;
    }),
  upstreamRetryMs: whole('upstream retry ms', 100, 3600_000),
  upstreamMaxRetryMs: whole('upstream max retry ms', 100, 24 * 3600_000),
  evictIdleMs: whole('evict idle ms', 0, 24 * 3600_000),
  metricsToken: z.union([z.null(), text('metrics token')]).transform((v, ctx) => {
    if (v !== null && v.length < 16) {
      ctx.addIssue({ code: 'custom', message: 'metrics token must be at least 16 characters' });
      return z.NEVER;
    }
    return v;
  }),
  logLevel: z.enum(LOG_LEVELS, {
    message: `log level must be one of ${LOG_LEVELS.join(', ')}`
  }),
  ...PUSH_SCHEMA
});

/** Reads the config file (JSON object with the field names above); one clear line if it can't. */
function readConfigFile(path: string): Partial<Record<Key, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read (does it exist?)';
    throw new ConfigError(`config file ${path} ${why}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`config file ${path} must hold one JSON object`);
  const out: Partial<Record<Key, unknown>> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (!(k in NAMES))
      throw new ConfigError(
        `config file ${path}: unknown setting "${k}" (known: ${Object.keys(NAMES).join(', ')})`
      );
    out[k as Key] = v;
  }
  return out;
}

/**
 * Builds the config from defaults, then a config file (`--config <file>` or `HEARTH_CONFIG`),
 * then environment, then command-line flags (later wins), and validates every value with one
 * schema [OPS-5]. Throws ConfigError with one clear line on the first bad value.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[]
): RelayConfig {
  const flags: Partial<Record<Key, string>> = {};
  let configFile = env.HEARTH_CONFIG?.trim() || undefined;
  const byFlag = new Map(Object.entries(NAMES).map(([k, n]) => [n.flag, k as Key]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const key = byFlag.get(flag);
    if (!key && flag !== '--config')
      throw new ConfigError(
        `unknown option ${flag} (known: --config, ${[...byFlag.keys()].join(', ')})`
      );
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    if (key) flags[key] = value;
    else configFile = value;
  }

  const raw: Record<Key, unknown> = { ...DEFAULTS };
  if (configFile) Object.assign(raw, readConfigFile(resolve(configFile)));
  for (const [key, n] of Object.entries(NAMES) as [Key, (typeof NAMES)[Key]][]) {
    const value = env[n.env];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  Object.assign(raw, flags);

  const result = SCHEMA.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path[0] as Key | undefined;
    const label = key ? NAMES[key].label : 'config';
    throw new ConfigError(
      issue.message.startsWith(label) ? issue.message : `${label}: ${issue.message}`
    );
  }
  if ((result.data.pushVapidPublicKey === null) !== (result.data.pushVapidPrivateKey === null))
    throw new ConfigError('push vapid public key and private key must be given together');
  return result.data;
}

/** The config as it may be printed or logged: secrets masked, nothing else hidden. */
export function describeConfig(c: RelayConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  for (const k of SECRETS) if (out[k] !== null) out[k] = '********';
  // A database password is a secret too: only the rest of the URL is shown.
  if (c.databaseUrl) out.databaseUrl = maskPassword(c.databaseUrl);
  return out;
}

function maskPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '********';
    return u.toString();
  } catch {
    return '********';
  }
}
