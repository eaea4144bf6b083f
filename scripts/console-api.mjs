#!/usr/bin/env node
// npm run console:api: builds the gateway, exports its OpenAPI document without a listening
// server (dist/apps/gateway/src/openapi/export-openapi.js) and writes the console's
// typed client types from it. Needs nothing running (Redis is tried, not required).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CONSOLE_API_TYPES, consoleApiTypes } from './console-api-types.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function run(args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

run(['scripts/build.mjs']);
const scratch = mkdtempSync(join(tmpdir(), 'tenantbot-openapi-'));
try {
  const documentPath = join(scratch, 'openapi.json');
  run(['dist/apps/gateway/src/openapi/export-openapi.js', documentPath]);
  const document = JSON.parse(readFileSync(documentPath, 'utf8'));
  writeFileSync(join(root, CONSOLE_API_TYPES), await consoleApiTypes(document));
  console.log(
    `console:api: wrote ${CONSOLE_API_TYPES} (${Object.keys(document.paths).length} paths)`,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
