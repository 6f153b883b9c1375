import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import pg from 'pg';

/**
 * PostgreSQL storage for the relay [STO-8], selected by `DATABASE_URL`. It meets the same storage
 * contract as the embedded file storage, and lets several relay processes share one database
 * (scale-out, docs/OPERATORS.md): each save announces the document on a NOTIFY channel so the
 * other relays holding it in memory load the new chunks [OPS-9].
 *
 * Keys are stored as one text: every part hex-encoded and followed by `/` (`6162/736e6170/`). Hex
 * has no `/`, so a prefix matches whole parts only, and with the "C" collation a prefix is a
 * range scan on the primary key: `key >= 'p/' AND key < 'p0'` ('0' follows '/').
 */
const CHANNEL = 'hearth_relay_chunks';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS hearth_chunks (
  key text COLLATE "C" PRIMARY KEY,
  data bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
)`;

export interface ChunkNotice {
  documentId: string;
  /** The relay process that wrote it (a relay ignores its own notices). */
  origin: string;
}

export class PostgresStorageAdapter implements StorageAdapterInterface {
  readonly #pool: pg.Pool;
  #ready: Promise<void> | undefined;
  #listener: pg.Client | undefined;
  #closed = false;

  constructor(
    connectionString: string,
    /** Names this process in change notices; empty sends none. */
    private readonly origin = '',
    poolSize = 10
  ) {
    this.#pool = new pg.Pool({ connectionString, max: poolSize });
    // An idle client whose server went away (PostgreSQL restarting) must not crash the relay: the
    // pool drops it and the next query reconnects.
    this.#pool.on('error', () => undefined);
  }

  /** Creates the table once; every operation waits for it. A failed attempt is retried next time. */
  ready(): Promise<void> {
    this.#ready ??= this.#pool.query(SCHEMA).then(
      () => undefined,
      (e: unknown) => {
        this.#ready = undefined;
        throw e;
      }
    );
    return this.#ready;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    await this.ready();
    const r = await this.#pool.query<{ data: Buffer }>(
      'SELECT data FROM hearth_chunks WHERE key = $1',
      [encodeKey(key)]
    );
    const row = r.rows[0];
    return row ? copy(row.data) : undefined;
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await this.ready();
    const documentId = key[0];
    const notify = this.origin !== '' && documentId !== undefined && isDocumentChunk(key);
    // One statement: the value and its notice commit together (NOTIFY is sent at commit).
    await this.#pool.query(
      notify
        ? `WITH saved AS (
             INSERT INTO hearth_chunks (key, data) VALUES ($1, $2)
             ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_at = now()
             RETURNING 1)
           SELECT pg_notify($3, $4) FROM saved`
        : `INSERT INTO hearth_chunks (key, data) VALUES ($1, $2)
           ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data, updated_at = now()`,
      notify
        ? [encodeKey(key), Buffer.from(data), CHANNEL, `${documentId} ${this.origin}`]
        : [encodeKey(key), Buffer.from(data)]
    );
  }

  async remove(key: StorageKey): Promise<void> {
    await this.ready();
    await this.#pool.query('DELETE FROM hearth_chunks WHERE key = $1', [encodeKey(key)]);
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    await this.ready();
    const [sql, params] = rangeWhere(keyPrefix);
    const r = await this.#pool.query<{ key: string; data: Buffer }>(
      `SELECT key, data FROM hearth_chunks ${sql} ORDER BY key`,
      params
    );
    return r.rows.map((row) => ({ key: decodeKey(row.key), data: copy(row.data) }));
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    await this.ready();
    const [sql, params] = rangeWhere(keyPrefix);
    await this.#pool.query(`DELETE FROM hearth_chunks ${sql}`, params);
  }

  /** Ids of every stored document (for federation's catch-up walk). */
  async documentIds(): Promise<string[]> {
    await this.ready();
    const kinds = ['snapshot', 'incremental'].map((k) => Buffer.from(k, 'utf8').toString('hex'));
    const r = await this.#pool.query<{ doc: string }>(
      `SELECT DISTINCT split_part(key, '/', 1) AS doc FROM hearth_chunks
       WHERE split_part(key, '/', 2) = ANY($1)`,
      [kinds]
    );
    return r.rows.map((row) => decodeKey(`${row.doc}/`)[0]!);
  }

  /** Whether any chunk of the document is stored (one indexed range probe per kind). */
  async hasDocument(documentId: string): Promise<boolean> {
    await this.ready();
    for (const kind of ['snapshot', 'incremental']) {
      const [sql, params] = rangeWhere([documentId, kind]);
      const r = await this.#pool.query(`SELECT 1 FROM hearth_chunks ${sql} LIMIT 1`, params);
      if (r.rows.length > 0) return true;
    }
    return false;
  }

  /**
   * Calls `onNotice` when another relay saves a document chunk. Keeps one dedicated connection
   * and, when PostgreSQL restarts under it, reconnects with a growing pause (and says so through
   * `onError`, so the relay can count it).
   */
  async listen(onNotice: (n: ChunkNotice) => void, onError: (e: Error) => void): Promise<void> {
    const connect = async (attempt: number): Promise<void> => {
      if (this.#closed) return;
      const client = new pg.Client({ connectionString: this.#pool.options.connectionString });
      client.on('notification', (msg) => {
        const [documentId, origin] = (msg.payload ?? '').split(' ');
        if (documentId && origin && origin !== this.origin) onNotice({ documentId, origin });
      });
      const retry = (e: Error) => {
        onError(e);
        client.removeAllListeners('error');
        client.on('error', () => undefined);
        if (this.#listener === client) this.#listener = undefined;
        void client.end().catch(() => undefined);
        const pause = Math.min(5_000, 100 * 2 ** attempt);
        setTimeout(() => void connect(attempt + 1).catch(onError), pause).unref();
      };
      client.on('error', retry);
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
      } catch (e) {
        retry(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (this.#closed) {
        await client.end();
        return;
      }
      this.#listener = client;
    };
    await connect(0);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#listener?.end().catch(() => undefined);
    await this.#pool.end();
  }
}

/** A chunk of an Automerge document (not the adapter's own id or other bookkeeping). */
function isDocumentChunk(key: StorageKey): boolean {
  return key.length === 3 && (key[1] === 'snapshot' || key[1] === 'incremental');
}

function encodeKey(key: StorageKey): string {
  return key.map((part) => Buffer.from(part, 'utf8').toString('hex') + '/').join('');
}

function decodeKey(text: string): string[] {
  return text
    .split('/')
    .slice(0, -1)
    .map((hex) => Buffer.from(hex, 'hex').toString('utf8'));
}

function rangeWhere(prefix: StorageKey): [string, string[]] {
  if (prefix.length === 0) return ['', []];
  const low = encodeKey(prefix);
  return ['WHERE key >= $1 AND key < $2', [low, low.slice(0, -1) + '0']];
}

/** A fresh Uint8Array: callers may keep or change it without touching the driver's buffer. */
function copy(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}
