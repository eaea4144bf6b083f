import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from '@jest/globals';

const run = promisify(execFile);
const workspaceRoot = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();
const SKIPPED_RULE = 'No cached ProjectGraph is available';

interface LintResult {
  messages: { ruleId: string | null; message: string }[];
}

/** Lints one file with the workspace's ESLint CLI and config, as `npm run lint` does. */
async function lint(file: string) {
  const { stdout, stderr } = await run(
    join(workspaceRoot, 'node_modules/.bin/eslint'),
    ['--format', 'json', '--no-warn-ignored', file],
    { cwd: workspaceRoot, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stdout: string; stderr: string }) => error);
  return { results: JSON.parse(stdout) as LintResult[], stderr };
}

describe('the module boundary lint rule', () => {
  beforeAll(async () => {
    // The first step of `npm run lint`: without a project graph the rule skips every file.
    await run('npm', ['run', '--silent', 'project-graph'], { cwd: workspaceRoot });
  }, 120_000);

  it('fails an app that imports another app’s source', async () => {
    const probe = join(workspaceRoot, 'apps/admin/src/boundary-probe.ts');
    writeFileSync(
      probe,
      "import { GatewayModule } from '../../gateway/src/app.module';\n\nexport const probe = GatewayModule;\n",
    );
    try {
      const { results, stderr } = await lint(probe);

      expect(stderr).not.toContain(SKIPPED_RULE);
      expect(results[0].messages).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ruleId: '@nx/enforce-module-boundaries' }),
        ]),
      );
    } finally {
      rmSync(probe, { force: true });
    }
  }, 180_000);
});
