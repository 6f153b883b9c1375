/**
 * The camera reading QR codes, on the phone [ID-6, SNK-4]: the back camera into a video element,
 * one frame decoded every `every` ms (jsQR, loaded only now), each code read handed to `oncode`
 * until it returns true. Nothing leaves the phone.
 */
export interface QrCamera {
  stop(): void;
}

export async function openQrCamera(o: {
  /** Called once the camera is granted: show the video element, then return it. */
  started: () => Promise<HTMLVideoElement | undefined>;
  /** Each code read; return true when done (the camera then stops). */
  oncode: (text: string) => boolean;
  every?: number;
  /** Codes on a phone screen are dark on light: no need to try them inverted. */
  inverted?: boolean;
}): Promise<QrCamera> {
  const [{ default: jsQR }, media] = await Promise.all([
    import('jsqr'),
    navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } })
  ]);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const t of media.getTracks()) t.stop();
  };
  let video: HTMLVideoElement | undefined;
  try {
    video = await o.started();
    if (!video) {
      stop();
      return { stop };
    }
    video.srcObject = media;
    await video.play();
  } catch (e) {
    stop();
    throw e;
  }
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  const tick = () => {
    if (stopped || !video || !context) return;
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (w > 0 && h > 0) {
      canvas.width = w;
      canvas.height = h;
      context.drawImage(video, 0, 0, w, h);
      const found = jsQR(context.getImageData(0, 0, w, h).data, w, h, {
        inversionAttempts: o.inverted === false ? 'dontInvert' : 'attemptBoth'
      });
      if (found?.data && o.oncode(found.data)) {
        stop();
        return;
      }
    }
    timer = setTimeout(tick, o.every ?? 250);
  };
  tick();
  return { stop };
}
