import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

const root = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();

/**
 * The console's unit tests are Vitest's (`*.test.ts` beside the code: browser modules, JSX,
 * Vite's transforms); this runs them inside `npm test`, so CI sees one result.
 */
describe('the console’s unit tests (Vitest)', () => {
  it('pass', () => {
    const run = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules/vitest/vitest.mjs'),
        'run',
        '--config',
        join(root, 'apps/console/vite.config.mts'),
        '--reporter=dot',
      ],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NODE_OPTIONS: '', NO_COLOR: '1', FORCE_COLOR: '0' },
      },
    );
    const output = `${run.stdout}\n${run.stderr}`;
    expect({ status: run.status, output }).toEqual({ status: 0, output: expect.any(String) });
    expect(output).toMatch(/Tests\s+\S*\d+ passed/);
    expect(output).not.toMatch(/failed|skipped/);
  }, 120_000);
});
