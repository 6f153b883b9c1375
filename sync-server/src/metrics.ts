import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { measure, OverBudget, type Measured } from './chunk-sizes';

/**
 * Prometheus metrics for operators [OPS-2]: connections, documents in memory, bytes and messages
 * in and out, refusals by reason, errors, and storage latency. Labels never carry document ids or
 * content.
 */
export function createMetrics(documentsInMemory: () => number, upstreams: () => number = () => 0) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hearth_relay_' });
  const m = {
    registry,
    connections: new Gauge({
      name: 'hearth_relay_connections',
      help: 'Open sync WebSocket connections',
      registers: [registry]
    }),
    connectionsTotal: new Counter({
      name: 'hearth_relay_connections_total',
      help: 'Sync connections accepted',
      registers: [registry]
    }),
    bytes: new Counter({
      name: 'hearth_relay_bytes_total',
      help: 'Sync bytes by direction',
      labelNames: ['direction'] as const,
      registers: [registry]
    }),
    messages: new Counter({
      name: 'hearth_relay_messages_total',
      help: 'Sync messages by direction',
      labelNames: ['direction'] as const,
      registers: [registry]
    }),
    refused: new Counter({
      name: 'hearth_relay_refused_total',
      help: 'Connections or messages refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    errors: new Counter({
      name: 'hearth_relay_errors_total',
      help: 'Errors by kind',
      labelNames: ['kind'] as const,
      registers: [registry]
    }),
    upstreamFailures: new Counter({
      name: 'hearth_relay_upstream_failures_total',
      help: 'Attempts to reach an upstream relay that failed (each is retried later), by reason',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    savesSkipped: new Counter({
      name: 'hearth_relay_saves_skipped_total',
      help: 'Saves not made because they would not hold the live document (an unloaded or older state)',
      labelNames: ['reason'] as const,
      registers: [registry]
    }),
    evicted: new Counter({
      name: 'hearth_relay_documents_evicted_total',
      help: 'Idle documents written out and dropped from memory',
      registers: [registry]
    }),
    ackWait: new Histogram({
      name: 'hearth_relay_ack_wait_seconds',
      help: 'Time a sync message waits until the document state it tells of is stored',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry]
    }),
    storage: new Histogram({
      name: 'hearth_relay_storage_seconds',
      help: 'Storage operation latency',
      labelNames: ['op'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry]
    })
  };
  new Gauge({
    name: 'hearth_relay_upstreams_connected',
    help: 'Upstream relays this relay is connected to',
    registers: [registry],
    collect() {
      this.set(upstreams());
    }
  });
  new Gauge({
    name: 'hearth_relay_documents_in_memory',
    help: 'Documents the relay holds in memory',
    registers: [registry],
    collect() {
      this.set(documentsInMemory());
    }
  });
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Wraps a storage adapter so every operation's latency is observed (and errors counted). */
export function timedStorage(
  inner: StorageAdapterInterface,
  metrics: Metrics
): StorageAdapterInterface {
  const time = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
    const end = metrics.storage.startTimer({ op });
    try {
      return await run();
    } catch (e) {
      metrics.errors.inc({ kind: `storage-${op}` });
      throw e;
    } finally {
      end();
    }
  };
  return {
    load: (key: StorageKey) => time('load', () => inner.load(key)),
    save: (key: StorageKey, data: Uint8Array) => time('save', () => inner.save(key, data)),
    remove: (key: StorageKey) => time('remove', () => inner.remove(key)),
    loadRange: (prefix: StorageKey): Promise<Chunk[]> =>
      time('loadRange', () => inner.loadRange(prefix)),
    removeRange: (prefix: StorageKey) => time('removeRange', () => inner.removeRange(prefix))
  };
}

/**
 * A token bucket per connection [OPS-3]: `rate` messages a second on average, bursts up to
 * `burst`. Time is passed in so the rule is testable.
 */
export class RateLimit {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now: number
  ) {
    this.tokens = burst;
    this.last = now;
  }
  take(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * Storage that can be closed: once the relay has flushed and stopped, late writes (a document that
 * finished loading after the flush) are dropped instead of landing in a data directory that may be
 * gone, and `close()` waits for writes already under way.
 */
export function closableStorage(inner: StorageAdapterInterface): StorageAdapterInterface & {
  close(): Promise<void>;
} {
  let closed = false;
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  return {
    load: (key) => inner.load(key),
    loadRange: (prefix) => inner.loadRange(prefix),
    save: (key, data) => (closed ? Promise.resolve() : track(inner.save(key, data))),
    remove: (key) => (closed ? Promise.resolve() : track(inner.remove(key))),
    removeRange: (prefix) => (closed ? Promise.resolve() : track(inner.removeRange(prefix))),
    async close() {
      closed = true;
      await Promise.allSettled([...pending]);
    }
  };
}

interface ChunkSize {
  stored: number;
  /** What it decodes to, and the changes it holds (document data only) [OPS-15]. */
  decoded: number;
  changes: number;
}

/**
 * Bytes each document takes in storage, and what it decodes to, learned from what is saved,
 * removed and loaded [OPS-6, OPS-15]: enough to stop a document growing past the operator's
 * limits. Changes a message brought are counted as `pending` until the next save captures them.
 */
export class DocumentSizes {
  readonly #chunks = new Map<string, Map<string, ChunkSize>>();
  readonly #pending = new Map<string, Measured>();
  /** Changes that passed the limits and wait for their turn (not in the document yet). */
  readonly #waiting = new Map<string, Measured>();

  /** Past `decodedCap` a stored chunk is not inflated further: it counts as that much. */
  constructor(private readonly decodedCap = 1 << 30) {}

  #sum(documentId: string, field: keyof ChunkSize): number {
    let n = 0;
    for (const v of this.#chunks.get(documentId)?.values() ?? []) n += v[field];
    return n;
  }

  /** Bytes in storage. */
  size(documentId: string): number {
    return this.#sum(documentId, 'stored');
  }

  /**
   * What the document decodes to and the changes it holds: stored, plus taken since, plus what
   * passed the limits and waits to be taken.
   */
  decoded(documentId: string, inMemory?: { changes: number }): Measured {
    const pending = this.#pending.get(documentId);
    const waiting = this.#waiting.get(documentId);
    // A save clears `pending`, including a change taken while the chunk was being made; once
    // such a change is in the document in memory, the document's own count has it.
    const held = Math.max(
      this.#sum(documentId, 'changes') + (pending?.changes ?? 0),
      inMemory?.changes ?? 0
    );
    return {
      bytes: this.#sum(documentId, 'decoded') + (pending?.bytes ?? 0) + (waiting?.bytes ?? 0),
      changes: held + (waiting?.changes ?? 0)
    };
  }

  /** Changes a message brought passed the limits: counted while they wait for their turn. */
  reserve(documentId: string, m: Measured): void {
    add(this.#waiting, documentId, m, 1);
  }

  /** Their turn is over: taken into the document in memory (not stored yet), or not. */
  settle(documentId: string, m: Measured, kept: boolean): void {
    add(this.#waiting, documentId, m, -1);
    if (kept) add(this.#pending, documentId, m, 1);
  }

  #set(key: StorageKey, data: Uint8Array | undefined): void {
    const [doc, kind, ...rest] = key;
    if (!doc || kind === undefined) return;
    const chunks = this.#chunks.get(doc) ?? new Map<string, ChunkSize>();
    this.#chunks.set(doc, chunks);
    const name = [kind, ...rest].join('/');
    if (data === undefined) {
      chunks.delete(name);
      return;
    }
    let decoded = { bytes: data.byteLength, changes: 0 };
    if (kind === 'snapshot' || kind === 'incremental') {
      try {
        decoded = measure(data, this.decodedCap);
      } catch (e) {
        // Stored before the limit existed: as full as the limit allows.
        if (e instanceof OverBudget) decoded = { bytes: this.decodedCap, changes: 0 };
        // Not Automerge data (automerge-repo would not load it either): its bytes, no changes.
      }
    }
    chunks.set(name, { stored: data.byteLength, decoded: decoded.bytes, changes: decoded.changes });
  }

  wrap(inner: StorageAdapterInterface): StorageAdapterInterface {
    return {
      load: (key) => inner.load(key),
      loadRange: async (prefix) => {
        const chunks = await inner.loadRange(prefix);
        for (const c of chunks) this.#set(c.key, c.data);
        return chunks;
      },
      save: async (key, data) => {
        await inner.save(key, data);
        this.#set(key, data);
        // A document's chunk is saved from its whole state in memory: what was pending is in it.
        if (key[1] === 'snapshot' || key[1] === 'incremental') this.#pending.delete(key[0]!);
      },
      remove: async (key) => {
        await inner.remove(key);
        this.#set(key, undefined);
      },
      removeRange: async (prefix) => {
        await inner.removeRange(prefix);
        const [doc, ...rest] = prefix;
        const chunks = doc ? this.#chunks.get(doc) : undefined;
        if (!chunks) return;
        for (const k of [...chunks.keys()]) if (k.startsWith(rest.join('/'))) chunks.delete(k);
      }
    };
  }
}

function add(map: Map<string, Measured>, key: string, m: Measured, sign: 1 | -1): void {
  const was = map.get(key) ?? { bytes: 0, changes: 0 };
  const next = { bytes: was.bytes + sign * m.bytes, changes: was.changes + sign * m.changes };
  if (next.bytes <= 0 && next.changes <= 0) map.delete(key);
  else map.set(key, next);
}
