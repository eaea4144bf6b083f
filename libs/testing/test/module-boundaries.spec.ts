import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const run = promisify(execFile);
const workspaceRoot = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();
const SKIPPED_RULE = 'No cached ProjectGraph is available';
const BOUNDARY_RULE = '@nx/enforce-module-boundaries';

interface LintResult {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

/** A temporary file with one import, in the project whose boundary it tests. */
interface Probe {
  file: string;
  importLine: string;
}

const probes = {
  appImportingAnotherApp: {
    file: 'apps/admin/src/boundary-probe.ts',
    importLine: "import { GatewayModule as probe } from '../../gateway/src/app.module';",
  },
  libImportingAnApp: {
    file: 'libs/config/src/boundary-probe.ts',
    importLine: "import { LocalEmbedder as probe } from '@tenantbot/rag/public-api';",
  },
  benchImportingAppInternals: {
    file: 'bench/boundary-probe.ts',
    importLine: "import { ChromaHttp as probe } from '../apps/rag/src/vectors/chroma-http';",
  },
  benchImportingAPublicEntryPoint: {
    file: 'bench/boundary-probe-public.ts',
    importLine: "import { LocalEmbedder as probe } from '@tenantbot/rag/public-api';",
  },
} satisfies Record<string, Probe>;

/**
 * Writes every probe, lints them in one run of the workspace's ESLint CLI and config (as
 * `npm run lint` does) and removes them, whatever happens: the boundary errors of each file.
 */
async function lintProbes(): Promise<Map<string, LintResult['messages']>> {
  const paths = Object.values(probes).map(({ file, importLine }) => {
    const path = join(workspaceRoot, file);
    writeFileSync(path, `${importLine}\n\nexport const boundaryProbe = probe;\n`);
    return path;
  });
  try {
    const { stdout, stderr } = await run(
      join(workspaceRoot, 'node_modules/.bin/eslint'),
      ['--format', 'json', '--no-warn-ignored', ...paths],
      { cwd: workspaceRoot, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout: string; stderr: string }) => error);
    expect(stderr).not.toContain(SKIPPED_RULE);
    return new Map(
      (JSON.parse(stdout) as LintResult[]).map((result) => [
        result.filePath,
        result.messages.filter((message) => message.ruleId === BOUNDARY_RULE),
      ]),
    );
  } finally {
    removeProbes();
  }
}

function removeProbes() {
  for (const { file } of Object.values(probes)) {
    rmSync(join(workspaceRoot, file), { force: true });
  }
}

describe('the module boundary lint rule', () => {
  let boundaryErrors: Map<string, LintResult['messages']>;
  const errorsOf = (probe: Probe) => boundaryErrors.get(join(workspaceRoot, probe.file));

  beforeAll(async () => {
    // The first step of `npm run lint`: without a project graph the rule skips every file.
    await run('npm', ['run', '--silent', 'project-graph'], { cwd: workspaceRoot });
    boundaryErrors = await lintProbes();
  }, 240_000);

  // Also when the lint above timed out before its own clean-up.
  afterAll(removeProbes);

  it('fails an app that imports another app’s source', () => {
    expect(errorsOf(probes.appImportingAnotherApp)).not.toHaveLength(0);
  });

  it('fails a lib that imports an app, even its public entry point', () => {
    expect(errorsOf(probes.libImportingAnApp)).not.toHaveLength(0);
  });

  it('fails a benchmark that imports an app’s src/ internals', () => {
    expect(errorsOf(probes.benchImportingAppInternals)).not.toHaveLength(0);
  });

  it('lets a benchmark import an app’s public entry point', () => {
    expect(errorsOf(probes.benchImportingAPublicEntryPoint)).toEqual([]);
  });
});
