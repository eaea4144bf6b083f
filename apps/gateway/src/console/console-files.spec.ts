import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { CONSOLE_CSP, consoleFile } from './console-files';

describe('consoleFile', () => {
  let root: string;

  beforeAll(() => {
    const parent = mkdtempSync(join(tmpdir(), 'tenantbot-console-files-'));
    root = join(parent, 'console');
    mkdirSync(join(root, 'assets'), { recursive: true });
    writeFileSync(join(root, 'index.html'), 'index');
    writeFileSync(join(root, 'assets', 'app-abc123.js'), 'js');
    writeFileSync(join(parent, 'secret.txt'), 'secret');
  });

  afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

  it.each(['', '/', 'knowledge', 'widgets/42', 'a.b/c'])(
    'answers index.html for %j',
    async (path) => {
      const file = await consoleFile(root, path);
      expect(file?.body.toString()).toBe('index');
      expect(file?.cacheControl).toBe('no-cache');
    },
  );

  it('marks hashed assets immutable', async () => {
    const file = await consoleFile(root, 'assets/app-abc123.js');
    expect(file).toMatchObject({
      contentType: 'text/javascript; charset=utf-8',
      cacheControl: 'public, max-age=31536000, immutable',
    });
  });

  it.each([
    '../secret.txt',
    'assets/../../secret.txt',
    '%2e%2e/secret.txt',
    'x\0.js',
    '%E0%A4%A.js',
  ])('finds nothing for %j', async (path) => {
    expect(await consoleFile(root, path)).toBeUndefined();
  });

  it('allows nothing inline and nothing but itself', () => {
    expect(CONSOLE_CSP).toContain("default-src 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe|\*/);
  });
});
