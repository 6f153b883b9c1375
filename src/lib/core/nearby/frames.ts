/**
 * What travels on a direct connection's data channel [NEAR-2]: every message starts with one byte
 * saying what it is.
 *
 *   1 control   a handshake message (handshake.ts)
 *   2 part      part of a sync message, more parts follow
 *   3 last      the last (or only) part of a sync message
 *   4 ping      "still here" (sent when nothing else has been for a while)
 *
 * Sync messages (automerge-repo's, CBOR) can be megabytes; browsers refuse data-channel messages
 * over 256 KiB and interoperate best at 16 KiB, so they are cut into parts. A message that would
 * grow past `MAX_MESSAGE` while being put back together is refused as garbage.
 */

export const FrameType = { Control: 1, Part: 2, Last: 3, Ping: 4 } as const;
/** Bytes of payload per data-channel message. */
export const PART_BYTES = 16 * 1024 - 1;
/** The largest sync message taken back in (as the relay's default, MAX_MESSAGE_BYTES). */
export const MAX_MESSAGE = 16 * 1024 * 1024;

export function controlFrame(bytes: Uint8Array): Uint8Array {
  return withType(FrameType.Control, bytes);
}

export const PING = Uint8Array.of(FrameType.Ping);

/** A sync message as the data-channel messages that carry it. */
export function syncFrames(message: Uint8Array, partBytes = PART_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < message.length || out.length === 0; at += partBytes) {
    const end = Math.min(message.length, at + partBytes);
    out.push(
      withType(end >= message.length ? FrameType.Last : FrameType.Part, message.subarray(at, end))
    );
  }
  return out;
}

export type Incoming =
  | { kind: 'control'; bytes: Uint8Array }
  | { kind: 'sync'; bytes: Uint8Array }
  | { kind: 'partial' }
  | { kind: 'ping' }
  | { kind: 'garbage'; why: 'empty' | 'unknown-type' | 'too-large' };

/** Reads data-channel messages in order, putting sync messages back together. */
export class FrameReader {
  #parts: Uint8Array[] = [];
  #size = 0;

  constructor(private readonly max = MAX_MESSAGE) {}

  read(frame: Uint8Array): Incoming {
    if (frame.length === 0) return { kind: 'garbage', why: 'empty' };
    const type = frame[0];
    const body = frame.subarray(1);
    switch (type) {
      case FrameType.Control:
        return { kind: 'control', bytes: body };
      case FrameType.Ping:
        return { kind: 'ping' };
      case FrameType.Part:
      case FrameType.Last: {
        this.#size += body.length;
        if (this.#size > this.max) {
          this.#parts = [];
          return { kind: 'garbage', why: 'too-large' };
        }
        this.#parts.push(body.slice());
        if (type === FrameType.Part) return { kind: 'partial' };
        const whole = new Uint8Array(this.#size);
        let at = 0;
        for (const p of this.#parts) {
          whole.set(p, at);
          at += p.length;
        }
        this.#parts = [];
        this.#size = 0;
        return { kind: 'sync', bytes: whole };
      }
      default:
        return { kind: 'garbage', why: 'unknown-type' };
    }
  }
}

function withType(type: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(body.length + 1);
  out[0] = type;
  out.set(body, 1);
  return out;
}
