import { sha256 } from '@noble/hashes/sha2.js';
import { fromBase64Url, toBase64Url } from '../encoding/base64url';
import { toHex } from '../encoding/hex';
import { err, ok, type Result } from '../result';

/**
 * A file as a loop of QR codes [SNK-4]: one phone shows numbered frames over and over, the other
 * reads them with its camera in any order; a frame it missed comes round again, a repeated one
 * is ignored, and the file is whole when every number has been seen. Frames carry the file's id
 * (the start of its SHA-256), so frames of another transfer are never mixed in, and the whole
 * file is checked against its hash at the end.
 *
 *   HQ1/<id: 8 hex>/<index>/<total>/<base64url chunk>
 */

const PREFIX = 'HQ1';
/** Bytes per frame: a QR code a phone camera reads at arm's length (about version 20). */
const FRAME_BYTES = 400;
const MAX_FRAMES = 4000;

export interface Frame {
  id: string;
  index: number;
  total: number;
  data: Uint8Array;
}

/** The frames of a file, in order (shown in a loop). */
export function toFrames(file: Uint8Array, frameBytes = FRAME_BYTES): string[] {
  const id = toHex(sha256(file)).slice(0, 8);
  const total = Math.max(1, Math.ceil(file.length / frameBytes));
  if (total > MAX_FRAMES) throw new RangeError('file too large for QR codes');
  const out: string[] = [];
  for (let i = 0; i < total; i++)
    out.push(
      `${PREFIX}/${id}/${i}/${total}/${toBase64Url(file.subarray(i * frameBytes, (i + 1) * frameBytes))}`
    );
  return out;
}

export function parseFrame(text: string): Frame | undefined {
  const m = /^HQ1\/([0-9a-f]{8})\/(\d{1,4})\/(\d{1,4})\/([A-Za-z0-9_-]*)$/.exec(text);
  if (!m) return undefined;
  const index = Number(m[2]);
  const total = Number(m[3]);
  if (total < 1 || total > MAX_FRAMES || index >= total) return undefined;
  const data = fromBase64Url(m[4]!);
  return data ? { id: m[1]!, index, total, data } : undefined;
}

export type AssembleError = 'not-a-frame' | 'other-transfer' | 'mismatch';

/**
 * Collects frames from a camera. `add` takes whatever the camera read: a frame of the transfer
 * in progress (or the first frame seen), and says how far along it is; text that is not a frame,
 * or a frame of another transfer, is reported and changes nothing.
 */
export class FrameCollector {
  id: string | undefined;
  total = 0;
  private readonly parts = new Map<number, Uint8Array>();
  /** Frames read, repeats included (how many the camera saw). */
  seen = 0;

  get received(): number {
    return this.parts.size;
  }

  get done(): boolean {
    return this.total > 0 && this.parts.size === this.total;
  }

  add(text: string): Result<{ received: number; total: number; fresh: boolean }, AssembleError> {
    const f = parseFrame(text);
    if (!f) return err('not-a-frame');
    if (this.id === undefined) {
      this.id = f.id;
      this.total = f.total;
    } else if (f.id !== this.id) return err('other-transfer');
    else if (f.total !== this.total) return err('mismatch');
    this.seen++;
    const fresh = !this.parts.has(f.index);
    if (fresh) this.parts.set(f.index, f.data);
    return ok({ received: this.parts.size, total: this.total, fresh });
  }

  /** The file, once every frame is in and it matches its id; undefined before. */
  file(): Result<Uint8Array, 'incomplete' | 'mismatch'> {
    if (!this.done) return err('incomplete');
    const length = [...this.parts.values()].reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(length);
    let at = 0;
    for (let i = 0; i < this.total; i++) {
      const p = this.parts.get(i)!;
      out.set(p, at);
      at += p.length;
    }
    if (toHex(sha256(out)).slice(0, 8) !== this.id) return err('mismatch');
    return ok(out);
  }

  /** Missing frame numbers (shown so a person can wait for those to come round). */
  missing(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.total; i++) if (!this.parts.has(i)) out.push(i);
    return out;
  }
}
