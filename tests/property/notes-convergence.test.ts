import * as A from '@automerge/automerge';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  newGroupDoc,
  readGroupDoc,
  type Note,
  type SkeletonGroupDoc
} from '../../src/lib/core/group/notes';

type Step =
  | { kind: 'write'; peer: number; text: string; at: number }
  | { kind: 'sync'; from: number; to: number }
  | { kind: 'rename'; peer: number; name: string };

const step = (peers: number) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('write' as const),
        peer: fc.nat(peers - 1),
        text: fc.string({ maxLength: 12 }),
        at: fc.nat(1000)
      })
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('sync' as const),
        from: fc.nat(peers - 1),
        to: fc.nat(peers - 1)
      })
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('rename' as const),
        peer: fc.nat(peers - 1),
        name: fc.string({ minLength: 1, maxLength: 8 })
      })
    }
  );

const scenario = fc
  .integer({ min: 2, max: 5 })
  .chain((peers) => fc.tuple(fc.constant(peers), fc.array(step(peers), { maxLength: 40 })));

describe('skeleton group documents converge', () => {
  it('[GRP-5] peers that write concurrently and sync in any order end with identical groups', () => {
    fc.assert(
      fc.property(scenario, ([peers, steps]) => {
        const origin = A.from<SkeletonGroupDoc>(newGroupDoc('G', 0));
        let docs = Array.from({ length: peers }, (_, i) =>
          A.clone(origin, { actor: (i + 1).toString(16).padStart(2, '0').repeat(16) })
        );
        let counter = 0;
        for (const s of steps as Step[]) {
          if (s.kind === 'write') {
            const note: Note = {
              id: `n${counter++}`,
              author: `p${s.peer}`,
              authorName: `P${s.peer}`,
              text: s.text,
              at: s.at
            };
            docs[s.peer] = A.change(docs[s.peer]!, (d) => void d.notes.push(note));
          } else if (s.kind === 'rename') {
            docs[s.peer] = A.change(docs[s.peer]!, (d) => void (d.name = s.name));
          } else if (s.from !== s.to) {
            docs[s.to] = A.merge(docs[s.to]!, docs[s.from]!);
          }
        }
        // Full exchange: everyone merges everyone, then all must agree exactly.
        // (A.merge makes its first argument stale, so merge into clones.)
        let all = A.clone(docs[0]!);
        for (const d of docs) all = A.merge(all, d);
        docs = docs.map((d) => A.merge(A.clone(d), all));
        const views = docs.map((d) => JSON.stringify(readGroupDoc(d)));
        expect(new Set(views).size).toBe(1);
        expect(readGroupDoc(docs[0])?.notes).toHaveLength(counter);
      }),
      { numRuns: 200 }
    );
  });
});
