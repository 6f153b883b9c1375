import { afterEach, describe, expect, it } from 'vitest';
import { NearbyChannel } from '../../src/lib/adapters/nearby-channel';
import { holdEarly } from '../../src/lib/adapters/nearby-rtc';
import { controlFrame, FrameType } from '../../src/lib/core/nearby/frames';
import { byeMessage } from '../../src/lib/core/nearby/handshake';

/** The parts of an RTCDataChannel a NearbyChannel uses; messages are delivered by hand. */
class FakeChannel {
  binaryType = 'blob';
  readyState: RTCDataChannelState = 'open';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  sent: Uint8Array[] = [];
  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }
  close(): void {
    this.readyState = 'closed';
  }
  /** What the network does: hands a message to whoever listens now, or to nobody. */
  deliver(bytes: Uint8Array): void {
    this.onmessage?.({ data: bytes.slice().buffer } as MessageEvent);
  }
}

const channels: NearbyChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) c.end('local');
});

function take(dc: FakeChannel, early?: ReturnType<typeof holdEarly>) {
  const channel = new NearbyChannel(dc as unknown as RTCDataChannel, { early });
  channels.push(channel);
  const control: number[][] = [];
  const ends: string[] = [];
  channel.oncontrol = (bytes) => control.push([...bytes]);
  channel.onend = (why) => ends.push(why);
  return { channel, control, ends };
}

describe('a direct connection’s first messages', () => {
  it('[NEAR-2] the other phone’s hello, sent the instant its side opened and dispatched before this page took the channel over, is handled once the handshake starts, in order with what follows', () => {
    const dc = new FakeChannel();
    const early = holdEarly(dc as unknown as RTCDataChannel);
    expect(dc.binaryType).toBe('arraybuffer');
    // This phone is still finishing its own steps: nothing of the page listens yet.
    dc.deliver(controlFrame(Uint8Array.of(1, 2, 3)));
    dc.deliver(controlFrame(Uint8Array.of(4, 5)));
    const { channel, control, ends } = take(dc, early);
    // Held, not handled before the page is ready for them.
    expect(control).toEqual([]);
    channel.replayEarly();
    dc.deliver(controlFrame(Uint8Array.of(6)));
    expect(control).toEqual([[1, 2, 3], [4, 5], [6]]);
    expect(channel.bytesIn).toBe(4 + 3 + 2);
    expect(ends).toEqual([]);
    // Once only.
    channel.replayEarly();
    expect(control).toHaveLength(3);
  });

  it('[NEAR-2] [NEAR-7] a peer that floods the channel before the handshake starts is cut off as garbage, and what it sent is not handled', () => {
    const dc = new FakeChannel();
    const early = holdEarly(dc as unknown as RTCDataChannel);
    for (let i = 0; i < 65; i++) dc.deliver(controlFrame(Uint8Array.of(i)));
    const { channel, control, ends } = take(dc, early);
    channel.replayEarly();
    expect(control).toEqual([]);
    expect(ends).toEqual(['garbage']);
    expect(dc.sent.map((f) => [...f])).toEqual([[...controlFrame(byeMessage('garbage'))]]);
    expect(dc.readyState).toBe('closed');
  });

  it('[NEAR-7] garbage among the held messages ends the connection when it is reached, as it would live', () => {
    const dc = new FakeChannel();
    const early = holdEarly(dc as unknown as RTCDataChannel);
    dc.deliver(controlFrame(Uint8Array.of(9)));
    dc.deliver(Uint8Array.of(FrameType.Ping + 40, 1, 2));
    dc.deliver(controlFrame(Uint8Array.of(10)));
    const { channel, control, ends } = take(dc, early);
    channel.replayEarly();
    expect(control).toEqual([[9]]);
    expect(ends).toEqual(['garbage']);
  });
});
