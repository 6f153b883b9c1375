// Renders the app icons (192, 512, maskable 512) from SVG with Chromium. Run: node scripts/make-icons.mjs
import { chromium } from '@playwright/test';
import { writeFile } from 'node:fs/promises';

const flame = (scale) => `
  <g transform="translate(32 32) scale(${scale}) translate(-32 -32)">
    <path d="M32 12c6 9 14 14 14 25a14 14 0 0 1-28 0c0-6 3-10 6-13 0 5 2 8 5 9-1-8 1-15 3-21z" fill="#fdf8f3"/>
    <rect x="16" y="50" width="32" height="4" rx="2" fill="#fdf8f3"/>
  </g>`;
const any = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#a4461f"/>${flame(1)}</svg>`;
// Maskable: full-bleed background, artwork inside the central 80% safe zone.
const maskable = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" fill="#a4461f"/>${flame(0.72)}</svg>`;

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
const page = await browser.newPage();
for (const [name, svg, size] of [
  ['icon-192.png', any, 192],
  ['icon-512.png', any, 512],
  ['icon-maskable-512.png', maskable, 512]
]) {
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`
  );
  await writeFile(`static/icons/${name}`, await page.screenshot({ omitBackground: true }));
}
await browser.close();
