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
    testMatch: ['**/*.spec.ts'],
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
