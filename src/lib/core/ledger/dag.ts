import type { Entry } from './envelope';

/**
 * The causal structure of a set of entries [LED-4..LED-6]:
 * - an entry is ready when every entry in its `prev` is present and ready; the rest wait;
 * - ready entries are put in one total order, a topological order of `prev` with ties broken by
 *   entry id, so every device holding the same entries orders them the same way;
 * - each entry gets a version vector (device → highest valid seq in its causal past, itself
 *   included), so "is A in the causal past of B" is one lookup;
 * - each device's entries must form one chain: seq n+1 links back to seq n, which it has seen.
 *   Two entries of one device with the same seq are equivocation: the device is frozen from that
 *   seq on, whichever of the two arrived first.
 */
export interface Dag {
  order: Entry[];
  /** Entries whose causal past is incomplete, with the first missing id. */
  waiting: Map<string, string>;
  /** Structural verdicts ('bad-seq', 'bad-backlink', 'equivocation', 'frozen-device'). */
  invalid: Map<string, 'bad-seq' | 'bad-backlink' | 'equivocation' | 'frozen-device'>;
  index: Map<string, number>;
  vv: Map<string, Map<string, number>>;
  /** Claimed time made monotone along each device's chain. */
  time: Map<string, number>;
  /** device → seq → entry id (valid chain entries only). */
  chain: Map<string, Map<number, string>>;
  heads: string[];
}

/** A binary min-heap of entry ids (for the deterministic topological order). */
class IdHeap {
  private a: string[] = [];
  push(x: string) {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): string | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

export function buildDag(entries: Iterable<Entry>): Dag {
  const byId = new Map<string, Entry>();
  for (const e of entries) byId.set(e.id, e);

  // Equivocation: the lowest seq at which a device has two different entries.
  const seen = new Map<string, string>();
  const frozenFrom = new Map<string, number>();
  for (const e of byId.values()) {
    const key = `${e.device}:${e.seq}`;
    const other = seen.get(key);
    if (other !== undefined && other !== e.id)
      frozenFrom.set(e.device, Math.min(frozenFrom.get(e.device) ?? Infinity, e.seq));
    else seen.set(key, e.id);
  }

  // Kahn's algorithm over entries whose prev are all present.
  const children = new Map<string, string[]>();
  const missingCount = new Map<string, number>();
  const waiting = new Map<string, string>();
  const heap = new IdHeap();
  for (const e of byId.values()) {
    let missing = 0;
    for (const p of e.prev) {
      if (p === e.id) continue;
      missing++;
      if (!byId.has(p)) waiting.set(e.id, p);
      const list = children.get(p);
      if (list) list.push(e.id);
      else children.set(p, [e.id]);
    }
    missingCount.set(e.id, missing);
    if (missing === 0) heap.push(e.id);
  }

  const dag: Dag = {
    order: [],
    waiting,
    invalid: new Map(),
    index: new Map(),
    vv: new Map(),
    time: new Map(),
    chain: new Map(),
    heads: []
  };
  const hasChild = new Set<string>();
  for (let id = heap.pop(); id !== undefined; id = heap.pop()) {
    const e = byId.get(id)!;
    place(dag, e, frozenFrom);
    for (const p of e.prev) hasChild.add(p);
    for (const c of children.get(id) ?? []) {
      const left = missingCount.get(c)! - 1;
      missingCount.set(c, left);
      if (left === 0) heap.push(c);
    }
  }
  // Anything not placed waits: either a prev is absent, or it depends on something that waits.
  for (const e of byId.values()) {
    if (dag.index.has(e.id) || waiting.has(e.id)) continue;
    waiting.set(e.id, e.prev.find((p) => !dag.index.has(p)) ?? e.id);
  }
  dag.heads = dag.order.filter((e) => !hasChild.has(e.id)).map((e) => e.id);
  return dag;
}

/** Adds one entry whose prev are all placed: version vector, chain check, equivocation. */
export function place(dag: Dag, e: Entry, frozenFrom?: Map<string, number>): void {
  dag.index.set(e.id, dag.order.length);
  dag.order.push(e);
  const vv = new Map<string, number>();
  for (const p of e.prev) {
    for (const [d, s] of dag.vv.get(p) ?? []) if ((vv.get(d) ?? 0) < s) vv.set(d, s);
  }
  const frozen = frozenFrom?.get(e.device);
  const seenSeq = vv.get(e.device) ?? 0;
  const prevId = e.seq > 1 ? dag.chain.get(e.device)?.get(e.seq - 1) : undefined;
  if (frozen !== undefined && e.seq >= frozen)
    dag.invalid.set(e.id, e.seq === frozen ? 'equivocation' : 'frozen-device');
  else if (seenSeq !== e.seq - 1) dag.invalid.set(e.id, 'bad-seq');
  else if (e.seq > 1 && prevId !== e.backlink) dag.invalid.set(e.id, 'bad-backlink');
  else if (dag.chain.get(e.device)?.has(e.seq)) dag.invalid.set(e.id, 'equivocation');
  else {
    vv.set(e.device, e.seq);
    let chain = dag.chain.get(e.device);
    if (!chain) dag.chain.set(e.device, (chain = new Map<number, string>()));
    chain.set(e.seq, e.id);
  }
  dag.vv.set(e.id, vv);
  const before = prevId !== undefined ? (dag.time.get(prevId) ?? 0) : 0;
  dag.time.set(e.id, Math.max(e.time, before));
}

/** True when entry `a` is `b` or in `b`'s causal past (both placed, `a` a valid chain entry). */
export function isAncestor(dag: Dag, a: string, b: string): boolean {
  if (a === b) return true;
  const ea = dag.order[dag.index.get(a) ?? -1];
  if (!ea) return false;
  return (
    (dag.vv.get(b)?.get(ea.device) ?? 0) >= ea.seq && dag.chain.get(ea.device)?.get(ea.seq) === a
  );
}

export function concurrent(dag: Dag, a: string, b: string): boolean {
  return !isAncestor(dag, a, b) && !isAncestor(dag, b, a);
}
