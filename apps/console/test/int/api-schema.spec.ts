import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from '@jest/globals';

const root = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();

interface TypesModule {
  CONSOLE_API_TYPES: string;
  consoleApiTypes: (document: unknown) => Promise<string>;
}

/** The console's typed client follows the gateway's OpenAPI document: regenerate, compare. */
describe('the console’s API types (int)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'tenantbot-openapi-'));

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('are what `npm run console:api` writes from today’s document', async () => {
    const documentPath = join(scratch, 'openapi.json');
    const exported = spawnSync(
      process.execPath,
      [join(root, 'dist/apps/gateway/src/openapi/export-openapi.js'), documentPath],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
    );
    expect({ status: exported.status, stderr: exported.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    const document = JSON.parse(readFileSync(documentPath, 'utf8')) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(document.paths)).toContain('/api/v1/rag/documents');
    expect(Object.keys(document.paths).filter((path) => path.startsWith('/console'))).toEqual([]);

    const { CONSOLE_API_TYPES, consoleApiTypes } = (await import(
      join(root, 'scripts/console-api-types.mjs')
    )) as TypesModule;
    const committed = readFileSync(join(root, CONSOLE_API_TYPES), 'utf8');
    // Not toEqual on 10k lines: say what to run.
    const current = (await consoleApiTypes(document)) === committed;
    expect({ current, fix: 'npm run console:api' }).toEqual({
      current: true,
      fix: 'npm run console:api',
    });
  }, 60_000);
});
