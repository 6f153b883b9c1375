import { constants } from 'node:buffer';
import { inflateRawSync } from 'node:zlib';

/**
 * How big Automerge data is once decoded, read from its bytes without loading it [OPS-15].
 *
 * A sync message or a stored chunk is a sequence of Automerge chunks (the binary format's
 * "chunk": magic, checksum, type, length, body). Their size on the wire says little about what
 * they cost to hold: a 32 KiB document chunk whose value column is DEFLATE-compressed can hold
 * 32 MiB of zeros, and Automerge's WebAssembly memory, once grown to hold it, never shrinks. So
 * the relay measures what a message would decode to before anything loads it: compressed
 * columns and compressed changes are inflated with a cap (the output is counted and dropped;
 * inflation stops at the cap), and change rows are counted from a document chunk's actor column.
 *
 * Format: the Automerge binary format specification (chunk container, document chunk, column
 * specifications and RLE encoding).
 */

export interface Measured {
  /** Bytes the data decodes to (column data inflated; everything else as it stands). */
  bytes: number;
  /** Changes the data holds (one per change chunk, one per row of a document chunk). */
  changes: number;
}

export class OverBudget extends Error {
  constructor() {
    super('decodes to more than the limit');
    this.name = 'OverBudget';
  }
}

export class Malformed extends Error {
  constructor(what: string) {
    super(`not Automerge data: ${what}`);
    this.name = 'Malformed';
  }
}

const MAGIC = [0x85, 0x6f, 0x4a, 0x83];
const DOCUMENT = 0;
const CHANGE = 1;
const COMPRESSED_CHANGE = 2;
/** Column specification bit: the column's data is DEFLATE-compressed. */
const DEFLATE = 0x08;
/** The change columns' actor column: id 0, type "actor" (1). */
const ACTOR_COLUMN = 0x01;

class Reader {
  at: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length
  ) {
    this.at = start;
  }

  byte(): number {
    if (this.at >= this.end) throw new Malformed('ends too soon');
    return this.bytes[this.at++]!;
  }

  /** Unsigned LEB128 (at most 53 bits, as JavaScript numbers can hold). */
  uleb(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (shift > 49) throw new Malformed('number too long');
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return value;
    }
  }

  /** Signed LEB128. */
  sleb(): number {
    let value = 0;
    let shift = 0;
    let b: number;
    do {
      if (shift > 49) throw new Malformed('number too long');
      b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return b & 0x40 ? value - 2 ** shift : value;
  }

  skip(n: number): void {
    if (n < 0 || this.at + n > this.end) throw new Malformed('ends too soon');
    this.at += n;
  }
}

/**
 * Measures every chunk in `data` (several may follow one another). Throws `OverBudget` as soon as
 * the decoded bytes pass `budget`, having inflated at most `budget` bytes, and `Malformed` for
 * bytes that are not Automerge chunks.
 */
export function measure(
  data: Uint8Array,
  budget: number,
  into: Measured = { bytes: 0, changes: 0 }
) {
  const r = new Reader(data);
  while (r.at < r.end) {
    for (const m of MAGIC) if (r.byte() !== m) throw new Malformed('no chunk magic');
    r.skip(4); // checksum
    const type = r.byte();
    const length = r.uleb();
    const bodyStart = r.at;
    r.skip(length);
    if (type === CHANGE) {
      into.bytes += r.at - bodyStart + 9;
      into.changes += 1;
    } else if (type === COMPRESSED_CHANGE) {
      into.bytes += inflatedLength(data.subarray(bodyStart, r.at), budget - into.bytes);
      into.changes += 1;
    } else if (type === DOCUMENT) {
      measureDocument(new Reader(data, bodyStart, r.at), budget, into);
    } else throw new Malformed(`chunk type ${type}`);
    if (into.bytes > budget) throw new OverBudget();
  }
  return into;
}

/** Measures several pieces of data (a sync message's changes) against one budget. */
export function measureAll(pieces: readonly Uint8Array[], budget: number): Measured {
  const into = { bytes: 0, changes: 0 };
  for (const p of pieces) measure(p, budget, into);
  return into;
}

function measureDocument(r: Reader, budget: number, into: Measured): void {
  const start = r.at;
  for (let actors = r.uleb(); actors > 0; actors--) r.skip(r.uleb());
  r.skip(r.uleb() * 32); // heads
  const columns = (): { spec: number; length: number }[] => {
    const out = [];
    for (let n = r.uleb(); n > 0; n--) out.push({ spec: r.uleb(), length: r.uleb() });
    return out;
  };
  const changeColumns = columns();
  const opColumns = columns();
  into.bytes += r.at - start;
  let rows: number | undefined;
  for (const [i, c] of [...changeColumns, ...opColumns].entries()) {
    const at = r.at;
    r.skip(c.length);
    let column = r.bytes.subarray(at, r.at);
    if (c.spec & DEFLATE) {
      column = inflate(column, budget - into.bytes);
      into.bytes += column.length;
    } else into.bytes += c.length;
    if (into.bytes > budget) throw new OverBudget();
    if (i < changeColumns.length && (c.spec & ~DEFLATE) === ACTOR_COLUMN) rows = rleRows(column);
  }
  into.bytes += r.end - r.at; // head indices
  // A document with changes always has an actor column; one without has none and no rows.
  into.changes += rows ?? 0;
}

/** Rows in an RLE column of unsigned LEB128 values (runs, literal runs and null runs). */
function rleRows(column: Uint8Array): number {
  const r = new Reader(column);
  let rows = 0;
  while (r.at < r.end) {
    const run = r.sleb();
    if (run > 0) {
      rows += run;
      r.uleb();
    } else if (run < 0) {
      rows += -run;
      for (let k = 0; k < -run; k++) r.uleb();
    } else rows += r.uleb();
  }
  return rows;
}

function inflate(deflated: Uint8Array, budget: number): Uint8Array {
  if (budget <= 0) throw new OverBudget();
  try {
    // Large output chunks: the memory of a refused inflation goes back to the system at once.
    return inflateRawSync(deflated, {
      maxOutputLength: Math.min(budget, constants.MAX_LENGTH),
      chunkSize: 1024 * 1024
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new OverBudget();
    throw new Malformed('column does not inflate');
  }
}

function inflatedLength(deflated: Uint8Array, budget: number): number {
  return inflate(deflated, budget).length;
}
