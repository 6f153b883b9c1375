import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/lib/core/encoding/hex';
import { FrameCollector, parseFrame, toFrames } from '../../src/lib/core/sync/qr-frames';

describe('A file as a loop of QR codes', () => {
  it('[SNK-4] frames seen in any order, with some missed the first time round and some repeated, give back the file exactly', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 5000 }),
        fc.integer({ min: 16, max: 600 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 400 }),
        (file, size, noise) => {
          const frames = toFrames(file, size);
          const c = new FrameCollector();
          // A camera that starts anywhere in the loop, misses and repeats frames, loops until done.
          let at = noise[0]! % frames.length;
          for (let step = 0; !c.done && step < frames.length * 20; step++) {
            const r = noise[step % noise.length]! % 10;
            // r === 0: missed (only on the first time round, or the camera would never finish).
            if (r !== 0 || step >= frames.length) expect(c.add(frames[at]!).ok).toBe(true);
            if (r !== 1) at = (at + 1) % frames.length; // r === 1: the same frame again
          }
          expect(c.done).toBe(true);
          const out = c.file();
          expect(out.ok && toHex(out.value)).toBe(toHex(file));
        }
      ),
      { numRuns: 200 }
    );
  });

  it('[SNK-4] text that is not a frame, a frame of another transfer, or a damaged frame changes nothing', () => {
    const a = toFrames(new Uint8Array(1000).fill(1), 300);
    const b = toFrames(new Uint8Array(1000).fill(2), 300);
    const c = new FrameCollector();
    expect(c.add(a[0]!)).toMatchObject({ ok: true, value: { received: 1, total: 4 } });
    expect(c.add('hearth-heads:1:abc')).toMatchObject({ ok: false, error: 'not-a-frame' });
    expect(c.add(b[1]!)).toMatchObject({ ok: false, error: 'other-transfer' });
    expect(c.add(a[0]!)).toMatchObject({ ok: true, value: { received: 1, fresh: false } });
    expect(parseFrame(a[1]!.replace('/1/4/', '/9/4/'))).toBeUndefined();
    expect(parseFrame(`${a[1]!}*`)).toBeUndefined();
    expect(c.missing()).toEqual([1, 2, 3]);
    expect(c.file()).toMatchObject({ ok: false, error: 'incomplete' });
    // A frame whose bytes were altered: the file does not match its id.
    const altered = a.map((f, i) => (i === 2 ? f.replace(/\/A/, '/B') : f));
    const d = new FrameCollector();
    for (const f of altered) d.add(f);
    expect(d.file()).toMatchObject({ ok: false, error: 'mismatch' });
  });

  it('[SNK-4] a 20 KB file is 50 frames of at most ~560 characters', () => {
    const frames = toFrames(new Uint8Array(20_000).map((_, i) => i * 7));
    expect(frames).toHaveLength(50);
    expect(Math.max(...frames.map((f) => f.length))).toBeLessThan(560);
  });
});
