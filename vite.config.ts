import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { sveltekit } from '@sveltejs/kit/vite';
import { SvelteKitPWA } from '@vite-pwa/sveltekit';
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { build as esbuild } from 'esbuild';
import { checkHelplines, type CheckedData } from './scripts/helplines-check';

/** The build refuses crisis numbers a phone cannot dial as stored [SAFE-26]. */
function helplineCheck(): Plugin {
  return {
    name: 'hearth-helpline-check',
    buildStart() {
      const file = 'src/lib/safety/helplines.json';
      const errors = checkHelplines(JSON.parse(readFileSync(file, 'utf8')) as CheckedData);
      if (errors.length) this.error(`${file}: numbers that do not dial:\n${errors.join('\n')}`);
    }
  };
}

/**
 * The service worker's push handling (src/sw/push.ts), bundled on its own as `push-handler.js`
 * next to the generated worker, which loads it with `importScripts` [PUSH-15].
 */
function pushHandler(): Plugin {
  return {
    name: 'hearth-push-handler',
    apply: 'build',
    async generateBundle(options) {
      if (this.environment?.name === 'ssr' || options.format === 'cjs') return;
      const out = await esbuild({
        entryPoints: ['src/sw/push.ts'],
        bundle: true,
        format: 'iife',
        target: 'es2022',
        minify: true,
        write: false,
        legalComments: 'none'
      });
      this.emitFile({
        type: 'asset',
        fileName: 'push-handler.js',
        source: out.outputFiles[0]!.text
      });
    }
  };
}

/**
 * The first screen in one file [PWA-4]. On a slow phone over HTTP/1.1 the browser fetches six files
 * at a time, each a round trip (400 ms on the slow-phone profile), so the twenty-odd small chunks
 * the first screen needed cost more than their bytes. This collects every module the app's entry,
 * the root layout and the root page import statically into one chunk, `first`; the rest of the app
 * stays split by route and loads after the first screen (or from the service worker).
 */
function firstScreenChunk(): { plugin: Plugin; test: (id: string) => boolean } {
  const closure = new Set<string>();
  const roots = [
    /generated\/client-optimized\/app\.js$/,
    /generated\/client-optimized\/nodes\/[012]\.js$/
  ];
  let client = false;
  return {
    // Messages stay out: the messages module re-exports every message, and collecting them all
    // would bring every screen's words in three languages; the bundler's own split keeps the ones
    // the first screen uses next to it.
    test: (id) => client && closure.has(id) && !id.includes('/paraglide/messages/'),
    plugin: {
      name: 'hearth-first-screen-chunk',
      apply: 'build',
      configResolved(config) {
        client = !config.build.ssr;
      },
      buildEnd() {
        if (!client) return;
        const ids = [...this.getModuleIds()];
        const queue = ids.filter((id) => roots.some((r) => r.test(id)));
        for (const id of queue) closure.add(id);
        while (queue.length) {
          for (const next of this.getModuleInfo(queue.pop()!)?.importedIds ?? []) {
            if (!closure.has(next)) {
              closure.add(next);
              queue.push(next);
            }
          }
        }
      }
    }
  };
}

const first = firstScreenChunk();

export default defineConfig({
  plugins: [
    first.plugin,
    helplineCheck(),
    // Messages in messages/{en,es,ar}.json compile to src/lib/paraglide (generated, not committed).
    paraglideVitePlugin({
      project: './project.inlang',
      outdir: './src/lib/paraglide',
      strategy: ['localStorage', 'preferredLanguage', 'baseLocale'],
      emitTsDeclarations: true
    }),
    sveltekit(),
    pushHandler(),
    SvelteKitPWA({
      strategies: 'generateSW',
      registerType: 'prompt',
      injectRegister: false,
      manifest: false, // static/manifest.webmanifest is linked from app.html
      workbox: {
        // The Automerge wasm is 3.6 MB: it must be precached or offline visits break.
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        globPatterns: [
          'client/**/*.{js,css,ico,png,svg,webp,webmanifest,wasm,woff2}',
          'prerendered/**/*.html'
        ],
        navigateFallback: '/',
        ignoreURLParametersMatching: [/.*/],
        cleanupOutdatedCaches: true,
        importScripts: ['push-handler.js'],
        clientsClaim: true,
        skipWaiting: false
      },
      kit: { includeVersionFile: true }
    })
  ],
  server: { port: 5173 },
  build: {
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: 'first', test: first.test }] } }
    }
  },
  // automerge-repo runs in a module worker (ADR 0018).
  worker: { format: 'es' },
  test: {
    include: ['tests/{unit,property,contract}/**/*.test.ts'],
    environment: 'node',
    // A real PostgreSQL server for the relay's storage tests [STO-7].
    globalSetup: ['tests/setup/postgres.global.ts'],
    testTimeout: 20_000,
    // Vitest's default on two cores is one worker (cores - 1). Most of the long files wait on
    // real relay and PostgreSQL processes rather than compute, so two files at a time fit.
    maxWorkers: 2
  }
});
