import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

/** Modules the pure core may never import: it runs the same in the browser, relay, CLI and tests. */
const coreForbiddenImports = {
  patterns: [
    {
      group: ['svelte', 'svelte/*'],
      message: 'src/lib/core is pure: no Svelte. Put UI glue in src/lib/state.'
    },
    { group: ['$app/*'], message: 'src/lib/core is pure: no SvelteKit runtime.' },
    {
      group: ['dexie', 'dexie/*'],
      message: 'src/lib/core is pure: storage lives in src/lib/adapters.'
    },
    {
      group: [
        '@automerge/automerge-repo',
        '@automerge/automerge-repo*',
        '@automerge/automerge-repo/*'
      ],
      message: 'src/lib/core is pure: automerge-repo (network, storage) lives in src/lib/adapters.'
    },
    {
      group: [
        '$lib/adapters/*',
        '$lib/state/*',
        '$lib/components/*',
        '**/adapters/*',
        '**/state/*'
      ],
      message: 'Dependencies point inward: core imports nothing from outer layers.'
    },
    { group: ['node:*', 'fs', 'path', 'ws'], message: 'src/lib/core is pure: no Node I/O.' }
  ]
};

/** Browser globals and impure builtins the core may not touch: time and randomness are passed in. */
const coreForbiddenGlobals = [
  'window',
  'document',
  'navigator',
  'localStorage',
  'sessionStorage',
  'indexedDB',
  'location',
  'fetch',
  'WebSocket',
  'BroadcastChannel',
  'setTimeout',
  'setInterval'
].map((name) => ({ name, message: `src/lib/core is pure: no ${name}. Pass what you need in.` }));

export default ts.config(
  {
    ignores: [
      'src/lib/paraglide/',
      'build/',
      '.svelte-kit/',
      'node_modules/',
      'test-results/',
      'playwright-report/',
      'dev-dist/',
      'data/'
    ]
  },
  js.configs.recommended,
  ...ts.configs.recommendedTypeChecked,
  ...svelte.configs.recommended,
  prettier,
  ...svelte.configs.prettier,
  {
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'scripts/*.mjs', 'scripts/*.ts', '.ci/*.mjs']
        },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte']
      }
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: { parser: ts.parser, svelteConfig }
    }
  },
  {
    files: ['src/lib/core/**'],
    rules: {
      'no-restricted-imports': ['error', coreForbiddenImports],
      'no-restricted-globals': ['error', ...coreForbiddenGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'src/lib/core is pure: pass the time in.' },
        {
          object: 'Math',
          property: 'random',
          message: 'src/lib/core is pure: pass randomness in.'
        },
        {
          object: 'crypto',
          property: 'getRandomValues',
          message: 'src/lib/core is pure: pass randomness in.'
        }
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/lib/core is pure: pass the time in.'
        }
      ]
    }
  },
  {
    // Screens read and write through src/lib/state [ARCH-2]: storage, sync and the network are
    // the state modules' business, so a screen imports adapters' types only (the clock is the
    // app's one time source, read anywhere outside the core).
    files: ['src/routes/**', 'src/lib/components/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['$lib/adapters/*', '!$lib/adapters/clock'],
              allowTypeImports: true,
              message:
                'Screens go through src/lib/state: import an adapter’s types only, never its values.'
            }
          ]
        }
      ],
      'no-restricted-globals': [
        'error',
        ...['localStorage', 'sessionStorage', 'indexedDB'].map((name) => ({
          name,
          message: `Screens keep nothing themselves: ${name} is reached through src/lib/state (prefs.ts for small choices).`
        }))
      ]
    }
  },
  {
    files: ['scripts/**', '.ci/**', '*.js', '*.config.ts'],
    ...ts.configs.disableTypeChecked
  }
);
