import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const workspaceRoot = join(__dirname, '..', '..');
const { compilerOptions } = JSON.parse(
  readFileSync(join(workspaceRoot, 'tsconfig.base.json'), 'utf8'),
) as { compilerOptions: { paths: Record<string, string[]> } };

/** `@tenantbot/x` → the lib's source, as tsconfig's paths say. */
const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

// The test tiers, told apart by where a spec lives (README, "Test tiers"):
// - unit: src/**/*.spec.ts, beside the code, nothing real behind it;
// - int: test/int/**/*.spec.ts, in process against the real PostgreSQL and Redis;
// - e2e: every other test/**/*.spec.ts, the built apps or replicas started as processes.
// TEST_TIER picks one (the Nx targets test:unit, test:int, test:e2e); unset, all of them run.
export const TEST_TIERS = ['unit', 'int', 'e2e'] as const;
export type TestTier = (typeof TEST_TIERS)[number];

function selectedTier(): TestTier | undefined {
  const tier = process.env.TEST_TIER;
  if (!tier) {
    return undefined;
  }
  if (!(TEST_TIERS as readonly string[]).includes(tier)) {
    throw new Error(`TEST_TIER must be one of ${TEST_TIERS.join(', ')}, not "${tier}"`);
  }
  return tier as TestTier;
}

function tierFiles(directory: string, tier: TestTier | undefined) {
  const root = `<rootDir>/${directory}`;
  switch (tier) {
    case 'unit':
      return { testMatch: [`${root}/src/**/*.spec.ts`] };
    case 'int':
      return { testMatch: [`${root}/test/int/**/*.spec.ts`] };
    case 'e2e':
      return {
        testMatch: [`${root}/test/**/*.spec.ts`],
        testPathIgnorePatterns: ['/node_modules/', `<rootDir>/${directory}/test/int/`],
      };
    case undefined:
      return { testMatch: [`${root}/**/*.spec.ts`] };
  }
}

/**
 * One Jest project per Nx project. Nest 12 is ESM-only, so tests run in Jest's native ESM
 * mode (NODE_OPTIONS=--experimental-vm-modules) with SWC compiling TypeScript, decorator
 * metadata included.
 */
export function jestProject(directory: string) {
  return {
    displayName: directory.split('/').pop(),
    rootDir: workspaceRoot,
    roots: [`<rootDir>/${directory}`],
    ...tierFiles(directory, selectedTier()),
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper,
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true },
            target: 'es2022',
            keepClassNames: true,
          },
          module: { type: 'es6' },
        },
      ],
    },
  };
}
