import { resolve } from 'node:path';
import { looksLikeDocumentId } from '../../src/lib/core/group/links';

/** Everything the relay can be told. Each field is documented in README ("Running a relay"). */
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
  /** Open sync connections allowed from one IP address; more are refused (429). */
  maxConnectionsPerIp: number;
  /** Average sync messages per second per connection; bursts up to 4× are allowed. */
  messagesPerSecond: number;
  /** Document ids the relay refuses to store or serve (answered as unavailable) [OPS-4]. */
  denylist: string[];
  /** pino log level. */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'silent';
}

export const DEFAULTS: RelayConfig = {
  port: 3030,
  host: '0.0.0.0',
  dataDir: './data',
  staticDir: './build',
  maxMessageBytes: 16 * 1024 * 1024,
  keepAliveMs: 10_000,
  maxConnectionsPerIp: 64,
  messagesPerSecond: 100,
  denylist: [],
  logLevel: 'info'
};

/** A config problem, said in one line that tells the operator what to change. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Key = keyof RelayConfig;

const ENV: Record<string, Key> = {
  PORT: 'port',
  HOST: 'host',
  DATA_DIR: 'dataDir',
  STATIC_DIR: 'staticDir',
  MAX_MESSAGE_BYTES: 'maxMessageBytes',
  KEEPALIVE_MS: 'keepAliveMs',
  MAX_CONNECTIONS_PER_IP: 'maxConnectionsPerIp',
  MESSAGES_PER_SECOND: 'messagesPerSecond',
  DENYLIST: 'denylist',
  LOG_LEVEL: 'logLevel'
};

const FLAGS: Record<string, Key> = {
  '--port': 'port',
  '--host': 'host',
  '--data-dir': 'dataDir',
  '--static-dir': 'staticDir',
  '--max-message-bytes': 'maxMessageBytes',
  '--keepalive-ms': 'keepAliveMs',
  '--max-connections-per-ip': 'maxConnectionsPerIp',
  '--messages-per-second': 'messagesPerSecond',
  '--denylist': 'denylist',
  '--log-level': 'logLevel'
};

/**
 * Builds the config from defaults, then environment, then command-line flags (later wins), and
 * validates every value. Throws ConfigError with one clear line on the first bad value.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  argv: readonly string[]
): RelayConfig {
  const raw: Partial<Record<Key, string>> = {};
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const key = FLAGS[flag];
    if (!key)
      throw new ConfigError(`unknown option ${flag} (known: ${Object.keys(FLAGS).join(', ')})`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    raw[key] = value;
  }
  return {
    port: int(raw.port, DEFAULTS.port, 'port', 0, 65535),
    host: nonEmpty(raw.host, DEFAULTS.host, 'host'),
    dataDir: resolve(nonEmpty(raw.dataDir, DEFAULTS.dataDir, 'data dir')),
    staticDir: staticDir(raw.staticDir),
    maxMessageBytes: int(
      raw.maxMessageBytes,
      DEFAULTS.maxMessageBytes,
      'max message bytes',
      1024,
      256 * 1024 * 1024
    ),
    keepAliveMs: int(raw.keepAliveMs, DEFAULTS.keepAliveMs, 'keepalive ms', 1000, 600_000),
    maxConnectionsPerIp: int(
      raw.maxConnectionsPerIp,
      DEFAULTS.maxConnectionsPerIp,
      'max connections per ip',
      1,
      100_000
    ),
    messagesPerSecond: int(
      raw.messagesPerSecond,
      DEFAULTS.messagesPerSecond,
      'messages per second',
      1,
      100_000
    ),
    denylist: denylist(raw.denylist),
    logLevel: logLevel(raw.logLevel)
  };
}

function int(
  value: string | undefined,
  fallback: number,
  name: string,
  min: number,
  max: number
): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()))
    throw new ConfigError(`${name} must be a whole number, got "${value}"`);
  const n = Number(value.trim());
  if (n < min || n > max)
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function nonEmpty(value: string | undefined, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (value.trim() === '') throw new ConfigError(`${name} must not be empty`);
  return value.trim();
}

/** Comma-separated document ids (or automerge: URLs); each must look like a document id. */
function denylist(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  return value.split(',').map((raw) => {
    const id = raw.trim().replace(/^automerge:/, '');
    if (!looksLikeDocumentId(id))
      throw new ConfigError(`denylist entry "${raw.trim()}" is not a document id`);
    return id;
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'silent'] as const;

function logLevel(value: string | undefined): RelayConfig['logLevel'] {
  if (value === undefined) return DEFAULTS.logLevel;
  const level = LOG_LEVELS.find((l) => l === value.trim());
  if (!level)
    throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

function staticDir(value: string | undefined): string | null {
  if (value === undefined) return DEFAULTS.staticDir ? resolve(DEFAULTS.staticDir) : null;
  if (value === 'none') return null;
  return resolve(nonEmpty(value, '', 'static dir'));
}
