import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

const root = join(import.meta.dirname, '..', '..', '..');

describe('libs/database/src/schema.generated.ts', () => {
  it('is what the migrations make (a migration needs `npm run db:types` in the same commit)', () => {
    // dist/ is built by the global setup; the script migrates a throwaway database and compares.
    const check = spawnSync(process.execPath, [join(root, 'scripts/db-types.mjs'), '--check'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
