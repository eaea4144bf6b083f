import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

/** Who may import whom: apps import libs, never other apps; contracts import nothing of ours. */
const dependencyConstraints = [
  // Apps talk to each other only over the transport: they import libs, never apps.
  {
    sourceTag: 'type:app',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'],
  },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:contracts'] },
  // The shared vocabulary depends on nothing of ours.
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:infra', onlyDependOnLibsWithTags: [] },
  // Benchmarks and reliability tools drive the apps as a client would (messages, HTTP,
  // TestStack); the in-process pieces they measure come through an app's public-api.ts only
  // (the `allow` list below), never its src/ internals.
  {
    sourceTag: 'type:bench',
    onlyDependOnLibsWithTags: ['type:lib', 'type:contracts', 'type:testing'],
  },
];

const moduleBoundaries = (allow = []) => [
  'error',
  { enforceBuildableLibDependency: false, allow, depConstraints: dependencyConstraints },
];

export default [
  {
    ignores: [
      '**/dist',
      '**/node_modules',
      '.nx',
      '**/cdk.out',
      'coverage',
      'tmp',
      '.data',
      // Written by npm run db:types (kysely-codegen); its check compares it byte for byte.
      '**/*.generated.ts',
      // Types the OpenAPI client test generates from the live document (git-ignored).
      'apps/gateway/test/openapi-client/generated',
      // Written by npm run console:api (openapi-typescript); its check compares it byte for byte.
      'apps/console/src/api/schema.d.ts',
    ],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': moduleBoundaries(),
    },
  },
  {
    files: ['bench/**/*.ts', 'tools/reliability/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries([
        '@tenantbot/chat/public-api',
        '@tenantbot/rag/public-api',
      ]),
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  prettier,
  // After eslint-config-prettier, which turns `curly` off: with its default ("all") it does not
  // fight Prettier. `eslint --fix` adds the braces; run `prettier --write` after it.
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'simple-import-sort': simpleImportSort },
    rules: {
      curly: 'error',
      eqeqeq: ['error', 'always'],
      'simple-import-sort/imports': [
        'error',
        {
          groups: [
            ['^\\u0000'], // side effects first ('reflect-metadata')
            ['^node:'],
            ['^@?\\w'], // packages
            ['^@tenantbot/'],
            ['^\\.'],
          ],
        },
      ],
    },
  },
];
