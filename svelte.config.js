import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * Every route is prerendered as an empty shell (SSR is off in the root layout), so the relay can
 * serve real files for real routes and answer 404 for everything else. `precompress` writes
 * .br/.gz siblings that the relay sends to browsers that accept them.
 * @type {import('@sveltejs/kit').Config}
 */
const config = {
  preprocess: vitePreprocess(),
  compilerOptions: { runes: true },
  kit: {
    adapter: adapter({ pages: 'build', assets: 'build', precompress: true, strict: true }),
    serviceWorker: { register: false },
    alias: { $core: 'src/lib/core' }
  }
};

export default config;
