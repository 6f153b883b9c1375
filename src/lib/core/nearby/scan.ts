import { FrameCollector, toFrames } from '../sync/qr-frames';
import {
  codeText,
  decodeCode,
  encodeCode,
  readCode,
  type CodeError,
  type NearbyCode
} from './code';

/**
 * Showing and reading nearby codes [NEAR-1, NEAR-6]. A code is one QR code; one longer than
 * `oneCode` characters (a phone on many networks) is shown as moving codes in the SNK-4 format,
 * which the reader collects in any order.
 */

/** Codes longer than this are shown as moving codes. */
const ONE_CODE_CHARS = 400;

/** What to show for a code: one QR text, or the frames of a loop. */
export function codeFrames(code: NearbyCode, oneCode = ONE_CODE_CHARS, frameBytes = 200): string[] {
  const text = codeText(code);
  return text.length <= oneCode ? [text] : toFrames(encodeCode(code), frameBytes);
}

export type Scan =
  | { kind: 'code'; code: NearbyCode }
  | { kind: 'partial'; received: number; total: number }
  | { kind: 'bad'; error: CodeError };

/** Reads what a camera sees, one code at a time. */
export class CodeReader {
  #collector = new FrameCollector();
  /** Codes read, repeats included. */
  seen = 0;

  /** Starts afresh (each time the camera starts). */
  reset(): void {
    this.#collector = new FrameCollector();
  }

  read(text: string): Scan {
    this.seen++;
    const t = text.trim();
    if (!t.startsWith('HQ')) {
      const code = readCode(t);
      return code.ok ? { kind: 'code', code: code.value } : { kind: 'bad', error: code.error };
    }
    const r = this.#collector.add(t);
    // Not a frame of this transfer (another loop started on screen): start over with it.
    if (!r.ok) {
      this.reset();
      const again = this.#collector.add(t);
      if (!again.ok) return { kind: 'bad', error: 'damaged' };
    }
    if (!this.#collector.done)
      return { kind: 'partial', received: this.#collector.received, total: this.#collector.total };
    const file = this.#collector.file();
    this.reset();
    if (!file.ok) return { kind: 'bad', error: 'damaged' };
    const code = decodeCode(file.value);
    if (code.ok) return { kind: 'code', code: code.value };
    // A group file's moving codes are Hearth's too, but not a nearby code.
    return { kind: 'bad', error: code.error === 'other-app' ? 'other-hearth-code' : code.error };
  }
}
