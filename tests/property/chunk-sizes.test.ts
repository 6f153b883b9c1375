/**
 * The relay's reading of Automerge bytes [OPS-15]: what it counts must be what Automerge holds,
 * and nothing an attacker writes may make it inflate past its budget or crash it.
 */
import * as A from '@automerge/automerge';
import fc from 'fast-check';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Malformed, measure, measureAll, OverBudget } from '../../sync-server/src/chunk-sizes';

type Doc = Record<string, unknown>;

/** A document made by several actors from a list of edits. */
function build(edits: { actor: number; key: string; value: string | number | Uint8Array }[]) {
  const actors = ['aa', 'bb', 'cc'].map((a) => A.init<Doc>(a));
  for (const e of edits) {
    const i = e.actor % actors.length;
    let d = actors[i]!;
    for (const [j, other] of actors.entries()) if (j !== i) d = A.merge(d, A.clone(other));
    actors[i] = A.change(d, (x) => {
      x[e.key] = e.value;
    });
  }
  return actors.reduce((a, b) => A.merge(a, A.clone(b)));
}

const edit = fc.record({
  actor: fc.nat(2),
  key: fc.constantFrom('a', 'b', 'c', 'text'),
  value: fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.integer(),
    fc.uint8Array({ maxLength: 2000 }),
    fc.nat(5000).map((n) => new Uint8Array(n)) // compressible: zeros
  )
});

describe('[OPS-15] measuring Automerge data without loading it', () => {
  it('counts exactly the changes Automerge holds, in a saved document and in its changes', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 0, maxLength: 25 }), (edits) => {
        const doc = build(edits);
        const changes = A.getAllChanges(doc);
        expect(measure(A.save(doc), Infinity).changes).toBe(changes.length);
        expect(measureAll(changes, Infinity).changes).toBe(changes.length);
        expect(measure(A.saveSince(doc, []), Infinity).changes).toBe(changes.length);
        // What it decodes to is at least what it takes.
        expect(measure(A.save(doc), Infinity).bytes).toBeGreaterThanOrEqual(
          A.save(doc).byteLength - 64
        );
      }),
      { numRuns: 60 }
    );
  });

  it('a 32 MiB value saved in 32 KiB: over a smaller budget it stops, having inflated no more than the budget', () => {
    let doc = A.from<Doc>({});
    doc = A.change(doc, (d) => {
      d.v = new Uint8Array(32 << 20);
    });
    const saved = A.save(doc);
    expect(saved.byteLength).toBeLessThan(64 * 1024);
    expect(() => measure(saved, 1 << 20)).toThrow(OverBudget);
    expect(measure(saved, 64 << 20).bytes).toBeGreaterThan(32 << 20);
  });

  it('bytes that are not Automerge data, or are cut short, or lie about their columns: Malformed or OverBudget, never anything else', () => {
    const good = A.save(build([{ actor: 0, key: 'a', value: 'hello' }]));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.nat(good.length - 1).map((n) => good.subarray(0, n)),
          fc
            .tuple(fc.nat(good.length - 1), fc.nat(255))
            .map(([i, b]) => Uint8Array.from(good, (x, j) => (j === i ? b : x)))
        ),
        (bytes) => {
          try {
            measure(bytes, 1 << 20);
          } catch (e) {
            expect(e instanceof Malformed || e instanceof OverBudget).toBe(true);
          }
        }
      ),
      { numRuns: 2000 }
    );
    // A compressed change chunk whose body inflates to more than the budget.
    const body = deflateRawSync(new Uint8Array(8 << 20));
    const header = [0x85, 0x6f, 0x4a, 0x83, 0, 0, 0, 0, 2];
    let n = body.length;
    const leb: number[] = [];
    do {
      leb.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
      n >>>= 7;
    } while (n > 0);
    const chunk = Uint8Array.from([...header, ...leb, ...body]);
    expect(() => measure(chunk, 1 << 20)).toThrow(OverBudget);
  });
});
