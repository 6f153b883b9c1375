import { chromium, type Browser } from '@playwright/test';
import { correction, generate } from 'lean-qr';

/**
 * A Y4M video (what Chromium's fake camera plays, `--use-file-for-fake-video-capture`) showing
 * each text as a QR code for `hold` video frames, as a phone screen held up to a camera would.
 * Grey-scale: the luma plane carries the code, the chroma planes are neutral.
 */
export function qrVideo(texts: string[], o: { size?: number; hold?: number; fps?: number } = {}) {
  const size = o.size ?? 480;
  const hold = o.hold ?? 3;
  const header = Buffer.from(`YUV4MPEG2 W${size} H${size} F${o.fps ?? 10}:1 Ip A1:1 C420jpeg\n`);
  const chroma = Buffer.alloc((size / 2) * (size / 2) * 2, 128);
  const parts: Buffer[] = [header];
  for (const text of texts) {
    const code = generate(text, { minCorrectionLevel: correction.M });
    const modules = code.size + 8;
    const scale = Math.floor(size / modules);
    const offset = Math.floor((size - scale * modules) / 2);
    const luma = Buffer.alloc(size * size, 255);
    for (let y = 0; y < code.size; y++)
      for (let x = 0; x < code.size; x++) {
        if (!code.get(x, y)) continue;
        const px = offset + (x + 4) * scale;
        const py = offset + (y + 4) * scale;
        for (let dy = 0; dy < scale; dy++)
          luma.fill(0, (py + dy) * size + px, (py + dy) * size + px + scale);
      }
    for (let i = 0; i < hold; i++) parts.push(Buffer.from('FRAME\n'), luma, chroma);
  }
  return Buffer.concat(parts);
}

/** A Chromium whose camera (permission already granted) plays `video` in a loop. */
export function cameraBrowser(video: string): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`
    ]
  });
}
