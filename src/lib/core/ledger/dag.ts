import type { Entry } from './envelope';

/**
 * The causal structure of a set of entries [LED-4..LED-6]:
 * - an entry is ready when every entry in its `prev` is present and ready; the rest wait;
 * - ready entries are put in one total order, a topological order of `prev` with ties broken by
 *   entry id, so every device holding the same entries orders them the same way;
 * - each entry gets a version vector (device → highest valid seq in its causal past, itself
 *   included), so "is A in the causal past of B" is one lookup;
 * - each device's entries must form one chain: seq n+1 links back to seq n, which it has seen.
 *   The backlink is always a parent, whether or not `prev` names it: a device has always seen its
 *   own previous entry [LED-6], so a writer that had to leave it out of a full `prev` is not
 *   judged to have skipped it.
 *   Two entries of one device with the same seq are equivocation: the device is frozen from that
 *   seq on, whichever of the two arrived first.
 */

/** An entry's causal parents: its `prev`, and its backlink (its own previous entry). */
export function parentsOf(e: { prev: string[]; backlink: string | null; id?: string }): string[] {
  return e.backlink === null || e.prev.includes(e.backlink) ? e.prev : [...e.prev, e.backlink];
}

export interface Dag {
  order: Entry[];
  /** Entries whose causal past is incomplete, with the first missing id. */
  waiting: Map<string, string>;
  /** Structural verdicts ('bad-seq', 'bad-backlink', 'equivocation', 'frozen-device'). */
  invalid: Map<string, 'bad-seq' | 'bad-backlink' | 'equivocation' | 'frozen-device'>;
  index: Map<string, number>;
  /** Version vectors, indexed by device number (see `devices`). */
  vv: Map<string, number[]>;
  /** device → its number in version vectors, and the reverse. */
  deviceIndex: Map<string, number>;
  devices: string[];
  /** Claimed time made monotone along each device's chain. */
  time: Map<string, number>;
  /** device → seq → entry id (valid chain entries only). */
  chain: Map<string, Map<number, string>>;
  /** device → the lowest seq at which it has two different entries (equivocation) [LED-6]. */
  frozenFrom: Map<string, number>;
  /**
   * Entries of equivocating devices that stand all the same, because other members built on them
   * (chosen by the ledger, see `standing` in derive.ts) [LED-6].
   */
  stands: Set<string>;
  heads: string[];
}

/** A binary min-heap of numbers (ranks of entry ids in sorted order). */
class RankHeap {
  private a: number[] = [];
  push(x: number) {
    const a = this.a;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      const t = a[p]!;
      a[p] = a[i]!;
      a[i] = t;
      i = p;
    }
  }
  pop(): number | undefined {
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
        const t = a[m]!;
        a[m] = a[i]!;
        a[i] = t;
        i = m;
      }
    }
    return top;
  }
}

export function emptyDag(): Dag {
  return {
    order: [],
    waiting: new Map(),
    invalid: new Map(),
    index: new Map(),
    vv: new Map(),
    deviceIndex: new Map(),
    devices: [],
    time: new Map(),
    chain: new Map(),
    frozenFrom: new Map(),
    stands: new Set(),
    heads: []
  };
}

function deviceNumber(dag: Dag, device: string): number {
  let n = dag.deviceIndex.get(device);
  if (n === undefined) {
    n = dag.devices.length;
    dag.deviceIndex.set(device, n);
    dag.devices.push(device);
  }
  return n;
}

export function buildDag(entries: Iterable<Entry>, stands: Set<string> = new Set()): Dag {
  const byId = new Map<string, Entry>();
  for (const e of entries) byId.set(e.id, e);

  // Equivocation: the lowest seq at which a device has two different entries.
  const seen = new Map<string, Map<number, string>>();
  const frozenFrom = new Map<string, number>();
  for (const e of byId.values()) {
    let bySeq = seen.get(e.device);
    if (!bySeq) seen.set(e.device, (bySeq = new Map<number, string>()));
    const other = bySeq.get(e.seq);
    if (other === undefined) bySeq.set(e.seq, e.id);
    else if (other !== e.id)
      frozenFrom.set(e.device, Math.min(frozenFrom.get(e.device) ?? Infinity, e.seq));
  }

  // Kahn's algorithm over entries whose prev are all present; ties go to the smallest id. Ids are
  // ranked once (a string sort), so the heap compares small integers.
  const sorted = [...byId.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const rank = new Map<string, number>();
  sorted.forEach((e, i) => rank.set(e.id, i));
  const children: number[][] = sorted.map(() => []);
  const missingCount = new Int32Array(sorted.length);
  const waiting = new Map<string, string>();
  const heap = new RankHeap();
  sorted.forEach((e, i) => {
    let missing = 0;
    for (const p of parentsOf(e)) {
      if (p === e.id) continue;
      const r = rank.get(p);
      if (r === undefined) {
        waiting.set(e.id, p);
        missing++;
        continue;
      }
      missing++;
      children[r]!.push(i);
    }
    missingCount[i] = missing;
    if (missing === 0) heap.push(i);
  });

  const dag: Dag = emptyDag();
  dag.waiting = waiting;
  dag.frozenFrom = frozenFrom;
  dag.stands = stands;
  // Devices whose entries other devices build on get the low numbers, so version vectors stay as short as
  // the devices in an entry's past: a thousand junk keys nobody builds on add nothing to them.
  sorted.forEach((e, i) => {
    if (children[i]!.some((c) => sorted[c]!.device !== e.device)) deviceNumber(dag, e.device);
  });
  const hasChild = new Set<string>();
  for (let r = heap.pop(); r !== undefined; r = heap.pop()) {
    const e = sorted[r]!;
    place(dag, e, frozenFrom);
    for (const p of parentsOf(e)) hasChild.add(p);
    for (const c of children[r]!) {
      if (--missingCount[c]! === 0) heap.push(c);
    }
  }
  // Anything not placed waits: either a prev is absent, or it depends on something that waits.
  for (const e of byId.values()) {
    if (dag.index.has(e.id) || waiting.has(e.id)) continue;
    waiting.set(e.id, parentsOf(e).find((p) => !dag.index.has(p)) ?? e.id);
  }
  dag.heads = dag.order.filter((e) => !hasChild.has(e.id)).map((e) => e.id);
  return dag;
}

/** Adds one entry whose prev are all placed: version vector, chain check, equivocation. */
export function place(dag: Dag, e: Entry, frozenFrom: Map<string, number> = dag.frozenFrom): void {
  dag.index.set(e.id, dag.order.length);
  dag.order.push(e);
  check(dag, e, frozenFrom);
}

/**
 * Adds one entry whose parents are all placed where a full `buildDag` would have put it: after its
 * last parent, before the first later entry with a greater id (Kahn's algorithm pops the smallest
 * ready id, and a new entry has no children yet, so nothing else moves) [LED-5, LED-11].
 */
export function insert(dag: Dag, e: Entry): void {
  let at = 0;
  for (const p of parentsOf(e)) at = Math.max(at, (dag.index.get(p) ?? -1) + 1);
  while (at < dag.order.length && dag.order[at]!.id < e.id) at++;
  dag.order.splice(at, 0, e);
  for (let i = at; i < dag.order.length; i++) dag.index.set(dag.order[i]!.id, i);
  check(dag, e, dag.frozenFrom);
}

function check(dag: Dag, e: Entry, frozenFrom: Map<string, number>): void {
  const me = deviceNumber(dag, e.device);
  let size = me + 1;
  const parents = parentsOf(e);
  for (const p of parents) size = Math.max(size, dag.vv.get(p)?.length ?? 0);
  const vv: number[] = new Array<number>(size).fill(0);
  for (const p of parents) {
    const pv = dag.vv.get(p);
    if (!pv) continue;
    for (let i = 0; i < pv.length; i++) if (vv[i]! < pv[i]!) vv[i] = pv[i]!;
  }
  const frozen = frozenFrom.get(e.device);
  const seenSeq = vv[me] ?? 0;
  const prevId = e.seq > 1 ? dag.chain.get(e.device)?.get(e.seq - 1) : undefined;
  if (frozen !== undefined && e.seq >= frozen && !dag.stands.has(e.id))
    dag.invalid.set(e.id, e.seq === frozen ? 'equivocation' : 'frozen-device');
  else if (seenSeq !== e.seq - 1) dag.invalid.set(e.id, 'bad-seq');
  else if (e.seq > 1 && prevId !== e.backlink) dag.invalid.set(e.id, 'bad-backlink');
  else if (dag.chain.get(e.device)?.has(e.seq)) dag.invalid.set(e.id, 'equivocation');
  else {
    vv[me] = e.seq;
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
  const n = dag.deviceIndex.get(ea.device);
  const vb = dag.vv.get(b);
  return (
    n !== undefined &&
    vb !== undefined &&
    (vb[n] ?? 0) >= ea.seq &&
    dag.chain.get(ea.device)?.get(ea.seq) === a
  );
}

export function concurrent(dag: Dag, a: string, b: string): boolean {
  return !isAncestor(dag, a, b) && !isAncestor(dag, b, a);
}
