import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import openapiTS, { astToString } from 'openapi-typescript';
import { type BrowserContext, chromium } from 'playwright-core';
import ts from 'typescript';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  SUPER_ADMIN,
  TestStack,
} from '@tenantbot/testing';

const root = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();
const CLIENT_DIR = join(root, 'apps/gateway/test/openapi-client');
const JOURNEY = join(CLIENT_DIR, 'journey.ts');

/**
 * What this suite reads of the journey's result. The journey is imported only once its types
 * are generated: a static import would make the workspace's typecheck follow it into
 * ./generated, which exists only after this suite has run.
 */
interface JourneyResult {
  token: string;
  adminRole: string;
  document: { id: string; status: string; filename: string | null; chunk_count: number };
  searchTexts: string[];
  answer: {
    response: string;
    conversation_id: string;
    total_tokens: number;
    tokens_used: { total: number };
  };
  conversationIds: string[];
  conversationMessages: number;
  usageRequests: number;
}
type Journey = (input: {
  baseUrl: string;
  superAdmin: { username: string; password: string };
  unique: string;
}) => Promise<JourneyResult>;

async function loadJourney(): Promise<Journey> {
  const modulePath = './openapi-client/journey';
  const loaded = (await import(modulePath)) as { journey: Journey };
  return loaded.journey;
}
const GENERATED = join(CLIENT_DIR, 'generated/api.d.ts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** `paths` and `components` as openapi-typescript writes them; binary fields are Blobs. */
async function generateTypes(document: unknown): Promise<string> {
  const blob = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
  const ast = await openapiTS(JSON.stringify(document), {
    // A schema's `default` makes a field optional for the sender, not always present.
    defaultNonNullable: false,
    transform: (schema) => (schema.format === 'binary' ? blob : undefined),
  });
  return astToString(ast);
}

/** The compiler's verdict on the journey, with the tsconfig beside it (strict). */
function typeCheck(): string[] {
  const configPath = join(CLIENT_DIR, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configPath));
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

/** Every cast, non-null assertion and `any` in the journey's source. */
function escapeHatches(): string[] {
  const source = ts.createSourceFile(
    JOURNEY,
    readFileSync(JOURNEY, 'utf8'),
    ts.ScriptTarget.ES2022,
    true,
  );
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const isConstAssertion =
      ts.isAsExpression(node) &&
      ts.isTypeReferenceNode(node.type) &&
      node.type.typeName.getText(source) === 'const';
    if (
      (ts.isAsExpression(node) && !isConstAssertion) ||
      ts.isTypeAssertionExpression(node) ||
      ts.isNonNullExpression(node) ||
      node.kind === ts.SyntaxKind.AnyKeyword
    ) {
      found.push(node.getText(source));
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('a client generated from /docs-json (openapi-typescript + openapi-fetch, e2e)', () => {
  let stack: TestStack;
  let document: { components: { securitySchemes: Record<string, unknown> } };
  let result: JourneyResult | undefined;

  beforeAll(async () => {
    stack = await TestStack.start({ readyTimeoutMs: 90_000 });
    const response = await stack.request('/docs-json');
    expect(response.status).toBe(200);
    document = (await response.json()) as typeof document;
  }, 180_000);
  afterAll(() => stack?.stop());

  it('type-checks the journey against the generated types, without a single cast', async () => {
    mkdirSync(dirname(GENERATED), { recursive: true });
    writeFileSync(GENERATED, await generateTypes(document));

    expect(typeCheck()).toEqual([]);
    expect(escapeHatches()).toEqual([]);
  });

  it('runs the journey: login, tenant, admin, upload, ingestion, search, chat, conversations, usage', async () => {
    const journey = await loadJourney();
    result = await journey({
      baseUrl: stack.baseUrl,
      superAdmin: SUPER_ADMIN,
      unique: randomUUID().slice(0, 8),
    });

    expect(result.adminRole).toBe('tenant_admin');
    expect(result.document).toMatchObject({ status: 'completed', filename: 'handbook.md' });
    expect(result.document.chunk_count).toBeGreaterThan(0);
    expect(result.searchTexts.join(' ')).toContain('30 days');
    expect(result.answer.response).toContain('30 days');
    expect(result.answer.total_tokens).toBe(result.answer.tokens_used.total);
    expect(result.conversationIds).toEqual([result.answer.conversation_id]);
    expect(result.conversationMessages).toBe(2);
    expect(result.usageRequests).toBeGreaterThanOrEqual(1);
  });

  it("keeps the journey's tenant to itself: another tenant's lenient DELETE and reads find nothing", async () => {
    if (!result) {
      throw new Error('the journey did not run');
    }
    const other = await createTenantWithUsers(
      await loginSuperAdmin(new ApiClient(stack.baseUrl)),
      'other',
    );
    const intruder = other.as.tenant_admin.withHeaders({ 'content-type': 'application/json' });
    const owner = new ApiClient(stack.baseUrl, result.token);

    const deleted = await intruder.delete(`/api/v1/rag/documents/${result.document.id}`);
    const conversation = await intruder.get(
      `/api/v1/chat/conversations/${result.answer.conversation_id}`,
    );
    const found = await intruder.post('/api/v1/rag/search', { query: 'return a parcel' });

    expect(deleted.status).toBe(404);
    expect(deleted.body).toMatchObject({ code: 'DOCUMENT_NOT_FOUND' });
    expect(conversation.status).toBe(404);
    expect(found.body.results).toEqual([]);
    const kept = await owner.get(`/api/v1/rag/documents/${result.document.id}`);
    expect(kept.body).toMatchObject({ id: result.document.id, status: 'completed' });
  });

  describe('Swagger UI (/docs) in a real browser', () => {
    let browser: BrowserContext;
    let userDataDir: string;

    beforeAll(async () => {
      userDataDir = mkdtempSync(join(tmpdir(), 'tenantbot-swagger-'));
      browser = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      rmSync(userDataDir, { recursive: true, force: true });
    });

    it('sends X-Tenant-ID with "Try it out" once authorised with it', async () => {
      const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
      const page = await browser.newPage();
      await page.goto(`${stack.baseUrl}/docs`);
      await page.waitForSelector('#operations-tenants-TenantsController_getOwn');
      await page.evaluate(
        ({ token, tenant }) => {
          const ui = (
            window as unknown as { ui: { preauthorizeApiKey(key: string, value: string): void } }
          ).ui;
          ui.preauthorizeApiKey('bearer', token);
          ui.preauthorizeApiKey('tenant', tenant);
        },
        { token: String(superAdmin.token), tenant: 'acme-from-swagger' },
      );
      const sent = page.waitForRequest((request) => request.url().endsWith('/api/v1/tenants/me'));
      await page.click('#operations-tenants-TenantsController_getOwn .opblock-summary-control');
      await page.click('#operations-tenants-TenantsController_getOwn .try-out__btn');
      await page.click('#operations-tenants-TenantsController_getOwn .execute');
      const headers = (await sent).headers();

      expect(headers['x-tenant-id']).toBe('acme-from-swagger');
      expect(headers.authorization).toBe(`Bearer ${superAdmin.token}`);
      expect(Object.keys(document.components.securitySchemes)).toEqual(
        expect.arrayContaining(['bearer', 'apiKey', 'visitor', 'tenant']),
      );
    });
  });
});
