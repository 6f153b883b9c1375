import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  controlFrame,
  FrameReader,
  FrameType,
  PART_BYTES,
  PING,
  syncFrames
} from '../../src/lib/core/nearby/frames';

describe('nearby frames: what a data channel carries', () => {
  it('[NEAR-2] a sync message of any size is cut into parts of at most 16 KiB and put back together whole', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3 * PART_BYTES + 10 }), (message) => {
        const frames = syncFrames(message);
        for (const f of frames) expect(f.length).toBeLessThanOrEqual(PART_BYTES + 1);
        expect(frames.slice(0, -1).every((f) => f[0] === FrameType.Part)).toBe(true);
        expect(frames.at(-1)![0]).toBe(FrameType.Last);
        const reader = new FrameReader();
        const out = frames.map((f) => reader.read(f));
        expect(out.at(-1)).toEqual({ kind: 'sync', bytes: message });
      }),
      { numRuns: 200 }
    );
  });

  it('[NEAR-2] control messages and pings pass between the parts of a sync message', () => {
    const reader = new FrameReader();
    const [first, last] = syncFrames(new Uint8Array(PART_BYTES + 1).fill(7));
    expect(reader.read(first!)).toEqual({ kind: 'partial' });
    expect(reader.read(PING)).toEqual({ kind: 'ping' });
    expect(reader.read(controlFrame(Uint8Array.of(1, 2)))).toEqual({
      kind: 'control',
      bytes: Uint8Array.of(1, 2)
    });
    expect(reader.read(last!)).toMatchObject({ kind: 'sync' });
  });

  it('[NEAR-7] an empty message, an unknown type and a message growing past the limit are garbage', () => {
    const reader = new FrameReader(100);
    expect(reader.read(new Uint8Array(0))).toEqual({ kind: 'garbage', why: 'empty' });
    expect(reader.read(Uint8Array.of(99, 1))).toEqual({ kind: 'garbage', why: 'unknown-type' });
    expect(reader.read(Uint8Array.of(FrameType.Part, ...new Uint8Array(60)))).toEqual({
      kind: 'partial'
    });
    expect(reader.read(Uint8Array.of(FrameType.Last, ...new Uint8Array(60)))).toEqual({
      kind: 'garbage',
      why: 'too-large'
    });
  });
});
