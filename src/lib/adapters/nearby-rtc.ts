import { parseSdp, sdpOf, type NearbyCode, type SdpError } from '$core/nearby/code';
import { err, ok, type Result } from '$core/result';

/**
 * The browser's WebRTC, for two phones in one room [NEAR-1]: no STUN or TURN server (host
 * candidates only: both phones on one Wi-Fi or one phone's hotspot), one negotiated data channel,
 * every candidate gathered before the code is shown (the codes cross by camera, there is no
 * trickle).
 */

export interface Connection {
  pc: RTCPeerConnection;
  dc: RTCDataChannel;
  code: NearbyCode;
  /** What arrived before the page took the channel over (see `holdEarly`). */
  early: EarlyMessages;
}

/** Messages the channel received before anything listened to it. */
export interface EarlyMessages {
  data: unknown[];
  /** More came than a phone following the protocol sends before its hello is answered. */
  overflow: boolean;
}

/** At most this many messages are held before the handshake starts; more is a flood. */
const EARLY_MAX = 64;

/**
 * Listens to a data channel from the moment it exists. The other phone may send its hello the
 * instant its side opens; on a busy phone that message can be dispatched before this page has
 * finished its own steps and set a listener, and a data channel drops messages nobody listens
 * to. They are held here until the channel is taken over (`NearbyChannel`, which replays them).
 */
export function holdEarly(dc: Pick<RTCDataChannel, 'binaryType' | 'onmessage'>): EarlyMessages {
  const early: EarlyMessages = { data: [], overflow: false };
  dc.binaryType = 'arraybuffer';
  dc.onmessage = (event: MessageEvent) => {
    if (early.data.length >= EARLY_MAX) early.overflow = true;
    else early.data.push(event.data);
  };
  return early;
}

export type PrepareError = SdpError | 'no-webrtc';

/** How long gathering may take before the code is made with what was found. */
const GATHER_MS = 4000;

function peer(): { pc: RTCPeerConnection; dc: RTCDataChannel; early: EarlyMessages } {
  const pc = new RTCPeerConnection({ iceServers: [] });
  // Negotiated: both phones make the same channel, no extra round trip to announce it.
  const dc = pc.createDataChannel('hearth-sync', { negotiated: true, id: 0, ordered: true });
  return { pc, dc, early: holdEarly(dc) };
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const timer = setTimeout(resolve, GATHER_MS);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

async function local(pc: RTCPeerConnection): Promise<Result<NearbyCode['signal'], PrepareError>> {
  await gathered(pc);
  const signal = parseSdp(pc.localDescription?.sdp ?? '');
  return signal.ok ? ok(signal.value) : err(signal.error);
}

/** The host's side: a new connection and the offer code to show. */
export async function makeOffer(
  session: Uint8Array,
  made: number
): Promise<Result<Connection, PrepareError>> {
  if (typeof RTCPeerConnection !== 'function') return err('no-webrtc');
  const { pc, dc, early } = peer();
  try {
    await pc.setLocalDescription(await pc.createOffer());
    const signal = await local(pc);
    if (!signal.ok) {
      pc.close();
      return err(signal.error);
    }
    return ok({ pc, dc, early, code: { kind: 'offer', session, made, signal: signal.value } });
  } catch {
    pc.close();
    return err('no-webrtc');
  }
}

/** The guest's side: answers an offer read by the camera; the answer code goes back the same way. */
export async function answerOffer(
  offer: NearbyCode,
  made: number
): Promise<Result<Connection, PrepareError>> {
  if (typeof RTCPeerConnection !== 'function') return err('no-webrtc');
  const { pc, dc, early } = peer();
  try {
    await pc.setRemoteDescription({ type: 'offer', sdp: sdpOf(offer.signal, 'offer') });
    await pc.setLocalDescription(await pc.createAnswer());
    const signal = await local(pc);
    if (!signal.ok) {
      pc.close();
      return err(signal.error);
    }
    return ok({
      pc,
      dc,
      early,
      code: { kind: 'answer', session: offer.session, made, signal: signal.value }
    });
  } catch {
    pc.close();
    return err('no-webrtc');
  }
}

/** The host takes the guest's answer in; the channel opens if the phones can reach each other. */
export async function acceptAnswer(c: Connection, answer: NearbyCode): Promise<boolean> {
  try {
    await c.pc.setRemoteDescription({ type: 'answer', sdp: sdpOf(answer.signal, 'answer') });
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves when the channel opens, or says why it did not: the phones could not reach each other
 * (ICE failed), or nothing happened within `ms`.
 */
export function opened(c: Connection, ms: number): Promise<'open' | 'unreachable'> {
  return new Promise((resolve) => {
    if (c.dc.readyState === 'open') return resolve('open');
    const timer = setTimeout(() => done('unreachable'), ms);
    const done = (r: 'open' | 'unreachable') => {
      clearTimeout(timer);
      c.dc.removeEventListener('open', onOpen);
      c.pc.removeEventListener('connectionstatechange', onState);
      resolve(r);
    };
    const onOpen = () => done('open');
    const onState = () => {
      if (c.pc.connectionState === 'failed') done('unreachable');
    };
    c.dc.addEventListener('open', onOpen);
    c.pc.addEventListener('connectionstatechange', onState);
  });
}

/** Closes a connection for good. */
export function hangUp(c: Pick<Connection, 'pc' | 'dc'>): void {
  try {
    c.dc.close();
  } catch {
    // already closed
  }
  c.pc.close();
}
