import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { GatewayHarness } from './support/gateway-harness';

const INDEX =
  '<!doctype html><title>console</title><script type="module" src="/console/assets/app-1a2b3c.js"></script>';

/** The gateway serving a console build (a stand-in directory) at /console. */
describe('the console’s static files (int)', () => {
  let gateway: GatewayHarness;
  let directory: string;

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'tenantbot-console-'));
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), INDEX);
    writeFileSync(join(directory, 'assets', 'app-1a2b3c.js'), 'console.log("console")');
    writeFileSync(join(directory, 'assets', 'app-1a2b3c.css'), 'body{}');
    writeFileSync(join(directory, 'favicon.svg'), '<svg/>');
    writeFileSync(join(tmpdir(), 'outside-console.txt'), 'secret');
    gateway = await GatewayHarness.start({ CONSOLE_DIR: directory });
  });

  afterAll(async () => {
    await gateway?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it.each(['/console', '/console/', '/console/knowledge', '/console/widgets/123/edit'])(
    '%s answers index.html, revalidated on every load, under a self-only CSP',
    async (path) => {
      const response = await gateway.request(path);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(INDEX);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    },
  );

  it('serves hashed assets as immutable for a year, with their content type', async () => {
    const script = await gateway.request('/console/assets/app-1a2b3c.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const style = await gateway.request('/console/assets/app-1a2b3c.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('revalidates files outside assets/ (their names carry no hash)', async () => {
    const icon = await gateway.request('/console/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers a missing file 404 in JSON, not index.html', async () => {
    const response = await gateway.request('/console/assets/gone-000000.js');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it.each([
    '/console/..%2Foutside-console.txt',
    '/console/%2e%2e/outside-console.txt',
    '/console/assets/..%2F..%2Foutside-console.txt',
  ])('never serves a file outside the console (%s)', async (path) => {
    const response = await gateway.request(path);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('secret');
  });

  it('answers a malformed path 400, never a 500', async () => {
    const response = await gateway.request('/console/%E0%A4%A.js');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ statusCode: 400 });
  });

  it('needs no credentials: the page is public, the data behind it is not', async () => {
    const response = await gateway.request('/console/usage');
    expect(response.status).toBe(200);
    const data = await gateway.request('/api/v1/admin/usage');
    expect(data.status).toBe(401);
  });
});
