import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { WebSocket } from 'ws';

import {
  ApiClient,
  createTenantWithUsers,
  loginSuperAdmin,
  SUPER_ADMIN,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ROOT = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();
const SCREENSHOTS = join(ROOT, 'docs', 'images');
const AXE_SOURCE = (createRequire(join(ROOT, 'package.json'))('axe-core') as { source: string })
  .source;

const RETURNS =
  'Returns policy. Customers may return any parcel within 30 days of delivery for a full refund.';
const SHIPPING =
  '# Shipping\n\nExpress shipping to the islands costs 12 euros and takes two days.\n';
const RIVAL_SECRET = 'The rival vault combination is 4417 and opens the strongroom.';

/** A one-page PDF with a text layer (Helvetica), enough for the rag service's parser. */
function pdf(text: string): Buffer {
  const content = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, '\\$&')}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [4 0 R] /Count 1 >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref =
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n` +
    offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('') +
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${body.length}\n%%EOF\n`;
  return Buffer.from(body + xref, 'latin1');
}

/** A user's chat socket: keeps every frame and waits for the one a test expects. */
class ChatSocket {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly frames: any[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data))));
  }

  static open(baseUrl: string, token: string): Promise<ChatSocket> {
    const ws = new WebSocket(
      `${baseUrl.replace('http', 'ws')}/api/v1/chat/ws?token=${encodeURIComponent(token)}`,
    );
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new ChatSocket(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async next(predicate: (frame: any) => boolean, timeoutMs = 30_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) {
        this.frames.splice(this.frames.indexOf(found), 1);
        return found;
      }
      if (Date.now() > until) {
        throw new Error(`no such frame within ${timeoutMs} ms: ${JSON.stringify(this.frames)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  close(): void {
    this.ws.close();
  }
}

interface AxeViolation {
  id: string;
  impact: string | null;
  targets: string[];
}

/** axe-core's serious and critical findings on the page as it is now. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(`axe
    .run(document, { resultTypes: ['violations'] })
    .then((result) => result.violations.map((v) => ({
      id: v.id, impact: v.impact, targets: v.nodes.map((node) => String(node.target)),
    })))`)) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.targets.join(', ')}`);
}

/**
 * The README's screenshots: taken on every run (a page that cannot render fails here), written
 * to docs/images/ only with UPDATE_SCREENSHOTS=1, so a test run leaves the work tree as it was.
 */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot({ fullPage: true });
  expect(image.length).toBeGreaterThan(10_000);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await writeFile(join(SCREENSHOTS, name), image);
  }
}

describe('the web console in a real browser (e2e)', () => {
  let stack: TestStack;
  let superAdmin: ApiClient;
  let acme: TenantFixture;
  let rival: TenantFixture;
  let browser: BrowserContext;
  let userDataDir: string;
  /** Content-Security-Policy complaints of every page: the console must need nothing more. */
  const cspViolations: string[] = [];
  /** Every API request the tenant admin's pages sent, with the tenant it named. */
  const apiRequests: { url: string; tenant: string | undefined }[] = [];
  let admin: Page;
  /** A local webhook receiver (allowed by WEBHOOK_ALLOWED_HOSTS), with what it received. */
  let receiver: Server;
  let receiverUrl: string;
  const received: { signature: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ signature: request.headers['x-tenantbot-signature'] as string, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;
    receiverUrl = `http://127.0.0.1:${port}/tenantbot`;
    stack = await TestStack.start({
      services: ['tenants', 'rag', 'chat', 'admin'],
      env: { TRANSPORT_TIMEOUT_MS: '30000', WEBHOOK_ALLOWED_HOSTS: `127.0.0.1:${port}` },
      readyTimeoutMs: 90_000,
    });
    superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    acme = await createTenantWithUsers(superAdmin, 'acme');
    rival = await createTenantWithUsers(superAdmin, 'rival');
    await rival.as.tenant_admin.post('/api/v1/rag/documents', {
      title: 'rival-secret',
      text: RIVAL_SECRET,
    });
    const chat = await acme.as.tenant_admin.post('/api/v1/chat/', {
      message: 'Hello, what can you do?',
      use_rag: false,
    });
    expect(chat.status).toBe(200);
    const conversation = await acme.as.tenant_admin.get(
      `/api/v1/chat/conversations/${chat.body.conversation_id}`,
    );
    const answer = conversation.body.messages.find(
      (message: { role: string }) => message.role === 'assistant',
    );
    const rated = await acme.as.tenant_admin.post(`/api/v1/chat/messages/${answer.id}/feedback`, {
      rating: 'up',
    });
    expect(rated.status).toBeLessThan(300);

    userDataDir = mkdtempSync(join(tmpdir(), 'tenantbot-console-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
    browser.on('page', (page) =>
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) {
          cspViolations.push(message.text());
        }
      }),
    );
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    receiver?.close();
    if (userDataDir) {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  async function signIn(tenant: string, username: string, password: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/console/`);
    await page.getByLabel('Company', { exact: true }).fill(tenant);
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('nav[aria-label="Console"]').waitFor();
    return page;
  }

  const heading = (page: Page) => page.getByRole('heading', { level: 1 });

  it('signs a company admin in (no token in storage) and saves the profile, showing the API’s validation message', async () => {
    const login = await browser.newPage();
    await login.goto(`${stack.baseUrl}/console/`);
    expect(await accessibilityProblems(login)).toEqual([]);
    await saveScreenshot(login, 'console-login.png');
    await login.close();

    admin = await signIn(acme.slug, 'tenant_admin-acme', acme.password);
    admin.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/v1/')) {
        apiRequests.push({ url: request.url(), tenant: request.headers()['x-tenant-id'] });
      }
    });
    await expect(heading(admin).textContent()).resolves.toBe('Company profile');
    await expect(
      admin.evaluate(
        'JSON.stringify([localStorage.length, sessionStorage.length, document.cookie])',
      ),
    ).resolves.toBe('[0,0,""]');

    await admin.getByLabel('Phone').fill('call me maybe');
    await admin.getByRole('button', { name: 'Save profile' }).click();
    await admin.locator('.notice-error').waitFor();
    expect(await admin.locator('.notice-error').textContent()).toContain('phone');

    await admin.getByLabel('Phone').fill('+33 1 23 45 67 89');
    await admin.getByLabel('Website').fill('https://acme.example');
    await admin.getByLabel('Contact email').fill('help@acme.example');
    await admin.getByLabel('Default model').selectOption('local-extractive');
    await admin.getByRole('button', { name: 'Save profile' }).click();
    await admin.getByText('Profile saved.').waitFor();
    const stored = await acme.as.tenant_admin.get('/api/v1/tenants/me');
    expect(stored.body).toMatchObject({
      phone: '+33 1 23 45 67 89',
      website: 'https://acme.example',
      email: 'help@acme.example',
      default_model: 'local-extractive',
      plan: 'enterprise',
    });
    expect(await accessibilityProblems(admin)).toEqual([]);
    await saveScreenshot(admin, 'console-profile.png');
  }, 120_000);

  it('uploads a PDF and a Markdown file at once and watches them reach completed without a reload', async () => {
    await admin.getByRole('link', { name: 'Knowledge base' }).click();
    await admin.getByText('No documents yet', { exact: false }).waitFor();
    await admin.evaluate('window.__sameDocument = true');

    await admin.locator('input[type="file"]').setInputFiles([
      { name: 'returns.pdf', mimeType: 'application/pdf', buffer: pdf(RETURNS) },
      { name: 'shipping.md', mimeType: 'text/markdown', buffer: Buffer.from(SHIPPING) },
    ]);
    await admin.locator('.upload-done', { hasText: 'returns.pdf' }).waitFor();
    await admin.locator('.upload-done', { hasText: 'shipping.md' }).waitFor();
    for (const name of ['returns.pdf', 'shipping.md']) {
      await admin
        .locator('tr[data-status="completed"]', { hasText: name })
        .waitFor({ timeout: 60_000 });
    }
    await expect(admin.evaluate('window.__sameDocument')).resolves.toBe(true);
    const row = admin.locator('tr', { hasText: 'returns.pdf' });
    expect(Number(await row.locator('td').nth(3).textContent())).toBeGreaterThan(0);
    // Tenant B's document is nowhere in tenant A's list.
    expect(await admin.locator('table.documents').textContent()).not.toContain('rival');

    // Dropped files (a DataTransfer on the drop zone) take the same way.
    const dropped = await admin.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(['Gift cards never expire and can be used online.'], 'gift-cards.txt', { type: 'text/plain' }));
      return transfer;
    })()`);
    await admin.locator('.dropzone').dispatchEvent('drop', { dataTransfer: dropped });
    await admin
      .locator('tr[data-status="completed"]', { hasText: 'gift-cards.txt' })
      .waitFor({ timeout: 60_000 });

    await admin.getByLabel('Status').selectOption('failed');
    await admin.getByText('No document matches the filter.').waitFor();
    await admin.getByLabel('Status').selectOption('');
    expect(await accessibilityProblems(admin)).toEqual([]);
  }, 120_000);

  it('answers a test question with the chunk, its score and its source, never another tenant’s', async () => {
    await admin
      .getByLabel('Question', { exact: true })
      .fill('How many days do customers have to return a parcel?');
    await admin.getByRole('button', { name: 'Search' }).click();
    const first = admin.locator('.search-results .result').first();
    await first.waitFor();
    expect(await first.locator('.source').textContent()).toBe('returns.pdf');
    expect(await first.locator('.result-text').textContent()).toContain('30 days');
    expect(await first.locator('.score').textContent()).toMatch(/score \d\.\d{3}/);
    await saveScreenshot(admin, 'console-knowledge.png');

    await admin.getByLabel('Question', { exact: true }).fill('rival vault combination strongroom');
    const searched = admin.waitForResponse((response) =>
      response.url().endsWith('/api/v1/rag/search'),
    );
    await admin.getByRole('button', { name: 'Search' }).click();
    await searched;
    await admin.waitForTimeout(200);
    expect(await admin.locator('.search-results').textContent()).not.toContain('4417');
  }, 60_000);

  it('creates a widget whose preview follows the branding as it is typed, then shows its snippet', async () => {
    await admin.getByRole('link', { name: 'Widgets' }).click();
    await admin.getByRole('button', { name: 'New widget' }).click();
    await admin.getByLabel('Name', { exact: true }).fill('Shop');
    await admin.getByLabel('Allowed origins').fill('https://shop.acme.example');
    await admin.getByLabel('Title', { exact: true }).fill('Acme help');
    await admin.getByLabel('Greeting').fill('Hi! Ask us about parcels.');
    await admin.getByLabel('Color').fill('#b3261e');

    const preview = admin.getByTestId('widget-preview');
    expect(await preview.locator('.preview-title').textContent()).toBe('Acme help');
    expect(await preview.locator('.preview-bubble').textContent()).toBe(
      'Hi! Ask us about parcels.',
    );
    await expect(
      preview.locator('.preview-head').evaluate((node) => getComputedStyle(node).backgroundColor),
    ).resolves.toBe('rgb(179, 38, 30)');

    await admin.getByRole('button', { name: 'Create widget' }).click();
    const snippet = admin.getByLabel('Snippet for your site');
    await snippet.waitFor();
    const code = await snippet.inputValue();
    expect(code).toMatch(
      new RegExp(
        `^<script src="${stack.baseUrl}/widget/embed\\.js" data-key="pk_[A-Za-z0-9_-]+" async></script>$`,
      ),
    );
    const widgets = await acme.as.tenant_admin.get('/api/v1/widgets');
    expect(widgets.body).toEqual([
      expect.objectContaining({
        name: 'Shop',
        branding: expect.objectContaining({ title: 'Acme help', primary_color: '#b3261e' }),
      }),
    ]);
    expect(code).toContain(widgets.body[0].public_key);
    expect(await accessibilityProblems(admin)).toEqual([]);
    await saveScreenshot(admin, 'console-widgets.png');
  }, 60_000);

  it('shows an API key’s secret once, and it works as a Bearer', async () => {
    await admin.getByRole('link', { name: 'API keys' }).click();
    await admin.getByLabel('Name').fill('backend');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const secret = await admin.getByLabel('Secret').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const asKey = await new ApiClient(stack.baseUrl, secret, acme.slug).get('/api/v1/chat/models');
    expect(asKey.status).toBe(200);
    await admin.getByRole('button', { name: 'I have copied it' }).click();
    expect(await admin.locator('main').textContent()).not.toContain(secret);
    expect(await admin.locator('main').textContent()).toContain('backend');
  }, 60_000);

  it('creates an assistant with a model the company allows, its audience and its knowledge', async () => {
    await admin.getByRole('link', { name: 'Assistants' }).click();
    // The company's default assistant exists since its first chat, and cannot be deleted.
    const fallback = admin.locator('tbody tr', { hasText: 'default' });
    await fallback.waitFor();
    expect(await fallback.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await admin.getByRole('button', { name: 'New assistant' }).click();
    await admin.getByRole('button', { name: 'Create assistant' }).click();
    await admin.getByText('Give the assistant a name.').waitFor();

    await admin.getByLabel('Name', { exact: true }).fill('Returns desk');
    await admin.getByLabel('Description').fill('Answers questions about returns');
    await admin.getByLabel('System prompt').fill('Answer about returns only, in two sentences.');
    await admin.getByLabel('Model', { exact: true }).selectOption('local-extractive');
    await admin.getByLabel('Temperature').fill('0.3');
    await admin.getByLabel('Greeting').fill('Hello! Returning a parcel?');
    await admin.getByLabel('Knowledge tags').fill('returns, policies');
    await admin.getByLabel('readonly').uncheck();
    await admin.getByLabel('Widget visitors').check();
    await admin.getByRole('button', { name: 'Create assistant' }).click();
    await admin.getByText('Assistant “Returns desk” saved.').waitFor();
    await admin.locator('tbody tr', { hasText: 'Returns desk' }).waitFor();

    const stored = await acme.as.tenant_admin.get('/api/v1/assistants');
    expect(stored.body.items).toContainEqual(
      expect.objectContaining({
        name: 'Returns desk',
        model: 'local-extractive',
        temperature: 0.3,
        roles: ['tenant_admin', 'agent', 'user'],
        widgets_allowed: true,
        knowledge: expect.objectContaining({ tags: ['returns', 'policies'] }),
        greeting: 'Hello! Returning a parcel?',
        is_default: false,
      }),
    );
    // Edited in place: the form opens with what is stored.
    await admin.getByRole('button', { name: 'Edit Returns desk' }).click();
    expect(await admin.getByLabel('Temperature').inputValue()).toBe('0.3');
    await admin.getByLabel('Temperature').fill('0.5');
    await admin.getByRole('button', { name: 'Save assistant' }).click();
    // Opening the editor cleared the notice of the creation, so this one is the edit's.
    await admin.getByText('Assistant “Returns desk” saved.').waitFor();
    await admin.getByRole('button', { name: 'Save assistant' }).waitFor({ state: 'detached' });
    await expect(
      acme.as.tenant_admin
        .get('/api/v1/assistants')
        .then((answer) => JSON.stringify(answer.body.items)),
    ).resolves.toContain('"temperature":0.5');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await saveScreenshot(admin, 'console-assistants.png');
  }, 60_000);

  it('registers a webhook (secret shown once), sends a test and reads its delivery', async () => {
    await admin.getByRole('link', { name: 'Webhooks' }).click();
    await admin.getByText('No webhook.', { exact: false }).waitFor();
    await admin.getByLabel('Endpoint URL').fill('not an address');
    await admin.getByRole('button', { name: 'Register webhook' }).click();
    await admin.getByText('A full address', { exact: false }).waitFor();

    await admin.getByLabel('Endpoint URL').fill(receiverUrl);
    await admin.getByLabel('A conversation asks for a person').check();
    await admin.getByRole('button', { name: 'Register webhook' }).click();
    const secret = await admin.getByLabel('Signing secret').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const listed = await acme.as.tenant_admin.get('/api/v1/webhooks');
    expect(listed.body).toEqual([
      expect.objectContaining({
        url: receiverUrl,
        events: ['document.completed', 'document.failed', 'conversation.handoff_requested'],
      }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(await accessibilityProblems(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'I have copied it' }).click();
    expect(await admin.locator('main').textContent()).not.toContain(secret);

    await admin.getByRole('button', { name: `Send test to ${receiverUrl}` }).click();
    await admin.getByText('Test event queued', { exact: false }).waitFor();
    const log = admin.getByRole('list', { name: 'Deliveries, newest first' });
    const endpoints = admin.locator('section[aria-label="Endpoints"]');
    for (let tries = 0; !(await endpoints.textContent())?.includes('delivered ('); tries++) {
      expect(tries).toBeLessThan(40);
      await admin.waitForTimeout(500);
      await admin.getByRole('button', { name: 'Refresh the log' }).click();
    }
    expect(await log.textContent()).toMatch(/delivered \(attempt 1\): HTTP 204/);
    expect(received.at(-1)?.signature).toMatch(/^t=\d+,v1=[0-9a-f]+$/);
    expect(await accessibilityProblems(admin)).toEqual([]);
    await saveScreenshot(admin, 'console-webhooks.png');
  }, 60_000);

  it('reads the usage chart, the tables per model and user, and the budget', async () => {
    await superAdmin.put(`/api/v1/tenants/${acme.id}`, { rate_limits: { monthly_budget_usd: 50 } });
    await admin.getByRole('link', { name: 'Usage' }).click();
    const chart = admin.getByTestId('usage-chart');
    await chart.waitFor();
    await expect(
      chart.evaluate((canvas) => (canvas as HTMLCanvasElement).width),
    ).resolves.toBeGreaterThan(100);
    expect(await chart.getAttribute('aria-label')).toMatch(/^Tokens per day: [\d,]+ over 30 days$/);
    const byModel = admin.locator('section[aria-label="By model"] tbody tr');
    await byModel.first().waitFor();
    expect(await byModel.count()).toBeGreaterThan(0);
    expect(await admin.locator('section[aria-label="By user"] tbody').textContent()).toContain(
      'tenant_admin-acme',
    );
    await admin.getByText(/of \$50\.00 used/).waitFor();
    const helpful = admin.locator('.stat', { hasText: 'Answers rated helpful' });
    expect(await helpful.locator('.stat-value').textContent()).toBe('100.0 %');
    expect(await helpful.locator('.stat-hint').textContent()).toBe('1 up · 0 down');
    expect(await accessibilityProblems(admin)).toEqual([]);
    await saveScreenshot(admin, 'console-usage.png');
  }, 60_000);

  it('shows an agent a new waiting conversation live; the agent claims it, types and replies', async () => {
    const agent = await signIn(acme.slug, 'agent-acme', acme.password);
    await expect(heading(agent).textContent()).resolves.toBe('Inbox');
    expect(await agent.locator('nav').textContent()).toBe('Inbox');
    await agent.getByText('No conversation is waiting for a person.').waitFor();
    await agent.getByText('Live', { exact: true }).waitFor();

    // A user chats over the socket, then asks for a person.
    const user = await ChatSocket.open(stack.baseUrl, String(acme.as.user.token));
    try {
      user.send({
        type: 'message',
        content: 'How many days do customers have to return a parcel?',
      });
      const done = await user.next((frame) => frame.type === 'done');
      const id = done.conversation_id as string;
      const handoff = await acme.as.user.post(`/api/v1/chat/conversations/${id}/handoff`, {});
      expect(handoff.status).toBe(200);

      // The open inbox hears of it without a reload.
      await agent.getByText('New conversation waiting for a person', { exact: false }).waitFor();
      await agent.getByText('1 new').waitFor();
      await agent.locator('.inbox-item').first().click();
      const transcript = agent.getByRole('list', { name: 'Transcript' });
      await transcript.waitFor();
      expect(await transcript.textContent()).toContain('How many days');
      expect(await transcript.textContent()).toContain('Sources: returns.pdf');

      await agent.getByRole('button', { name: 'Claim' }).click();
      await agent.getByRole('button', { name: 'Release to the bot' }).waitFor();
      await user.next((frame) => frame.type === 'status' && frame.status === 'human');

      // Typing both ways.
      const reply = agent.getByLabel('Reply');
      await reply.fill('Hello, I am Ana');
      const typing = await user.next((frame) => frame.type === 'typing' && frame.from === 'agent');
      expect(typing).toMatchObject({ conversation_id: id, is_typing: true });
      user.send({ type: 'typing', is_typing: true });
      await agent.getByText('The customer is typing…').waitFor();

      await reply.fill('Hello, I am Ana: you have 30 days to return it.');
      await agent.getByRole('button', { name: 'Send reply' }).click();
      await transcript.getByText('you have 30 days to return it', { exact: false }).waitFor();
      const delivered = await user.next(
        (frame) => frame.type === 'message' && frame.message?.role === 'agent',
      );
      expect(delivered.message.content).toContain('30 days');

      await agent.getByLabel('Internal note', { exact: false }).check();
      await reply.fill('Frequent customer: be generous.');
      await agent.getByRole('button', { name: 'Add note' }).click();
      await transcript.getByText('internal note', { exact: false }).waitFor();

      // Stored as the agent's reply; the note stays among agents.
      const stored = await acme.as.user.get(`/api/v1/chat/conversations/${id}`);
      expect(stored.status).toBe(200);
      expect(stored.body.messages).toContainEqual(
        expect.objectContaining({
          role: 'agent',
          content: 'Hello, I am Ana: you have 30 days to return it.',
        }),
      );
      expect(JSON.stringify(stored.body)).not.toContain('be generous');
      expect(await accessibilityProblems(agent)).toEqual([]);
      await saveScreenshot(agent, 'console-inbox.png');

      await agent.getByRole('button', { name: 'Close' }).click();
      await agent.getByText('No conversation is waiting for a person.').waitFor();
      await user.next((frame) => frame.type === 'status' && frame.status === 'closed');
    } finally {
      user.close();
      await agent.close();
    }
  }, 120_000);

  it('pages the inbox: an agent reaches the 21st waiting conversation with “Load more”', async () => {
    const WAITING = 22;
    for (let n = 1; n <= WAITING; n++) {
      const label = String(n).padStart(2, '0');
      const chat = await acme.as.user.post('/api/v1/chat/', {
        message: `Waiting question ${label}`,
        use_rag: false,
      });
      expect(chat.status).toBe(200);
      const handoff = await acme.as.user.post(
        `/api/v1/chat/conversations/${chat.body.conversation_id}/handoff`,
        {},
      );
      expect(handoff.status).toBe(200);
    }
    const agent = await signIn(acme.slug, 'agent-acme', acme.password);
    try {
      await agent.getByText(`Showing 20 of ${WAITING} conversations`).waitFor();
      expect(await agent.locator('.inbox-item').count()).toBe(20);
      expect(await agent.locator('.inbox-list').textContent()).not.toContain('question 21');
      await agent.getByRole('button', { name: 'Load more conversations' }).click();
      await agent.getByText(`Showing ${WAITING} of ${WAITING} conversations`).waitFor();
      const items = agent.locator('.inbox-item');
      expect(await items.count()).toBe(WAITING);
      // Oldest waiting first: the 21st asked is the 21st shown, and it opens.
      expect(await items.nth(20).textContent()).toContain('question 21');
      await items.nth(20).click();
      const transcript = agent.getByRole('list', { name: 'Transcript' });
      await transcript.getByText('Waiting question 21').waitFor();
      await expect(
        agent.getByRole('button', { name: 'Load more conversations' }).count(),
      ).resolves.toBe(0);
      expect(await accessibilityProblems(agent)).toEqual([]);
    } finally {
      await agent.close();
    }
  }, 120_000);

  it('sent every request of the company admin with its own tenant, and shows it no platform page', async () => {
    // An in-app visit to a super admin's page opens the company admin's home instead.
    await admin.evaluate(
      "history.pushState(null, '', '/console/companies'); dispatchEvent(new PopStateEvent('popstate'))",
    );
    await expect(heading(admin).textContent()).resolves.toBe('Company profile');
    expect(await admin.locator('nav').textContent()).not.toMatch(/Companies|Platform|All /);
    // A reload forgets the session (tokens live in memory only).
    await admin.reload();
    await admin.getByLabel('Username or email').waitFor();
    await admin.close();

    expect(apiRequests.length).toBeGreaterThan(10);
    expect(apiRequests.filter((request) => request.tenant !== acme.slug)).toEqual([]);
    expect(
      apiRequests.filter((request) =>
        /\/api\/v1\/tenants(\/?$|\/[0-9a-f-]{36})/.test(new URL(request.url).pathname),
      ),
    ).toEqual([]);
  }, 60_000);

  it('works at a phone’s width: the menu opens the navigation', async () => {
    const phone = await signIn(acme.slug, 'tenant_admin-acme', acme.password);
    await phone.setViewportSize({ width: 390, height: 844 });
    const menu = phone.getByRole('button', { name: 'Menu' });
    await expect(phone.locator('#nav').isVisible()).resolves.toBe(false);
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await phone.getByRole('link', { name: 'Knowledge base' }).click();
    await expect(heading(phone).textContent()).resolves.toBe('Knowledge base');
    await phone.locator('tr[data-status="completed"]').first().waitFor();
    // Nothing sticks out sideways (wide tables scroll inside their own box).
    const sticksOut = await phone.evaluate(`[...document.querySelectorAll('body *')]
      .filter((element) => !element.parentElement?.closest('.table-scroll'))
      .filter((element) => element.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
      .map((element) => element.tagName + '.' + element.className)`);
    await expect(
      phone.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'),
    ).resolves.toBe(0);
    expect(sticksOut).toEqual([]);
    expect(await accessibilityProblems(phone)).toEqual([]);
    await saveScreenshot(phone, 'console-phone.png');
    await phone.close();
  }, 60_000);

  it('sends a signed-out user back to the login when the session ends', async () => {
    const username = `second-admin-${randomUUID().slice(0, 6)}`;
    const created = await superAdmin
      .as(superAdmin.token, acme.slug)
      .post('/api/v1/admin/users', { username, password: acme.password, role: 'tenant_admin' });
    expect(created.status).toBe(201);
    const page = await signIn(acme.slug, username, acme.password);
    await superAdmin
      .as(superAdmin.token, acme.slug)
      .put(`/api/v1/admin/users/${created.body.id}`, { is_active: false });
    await page.getByRole('link', { name: 'Users' }).click();
    await page
      .getByText('Your session has ended. Please sign in again.')
      .waitFor({ timeout: 20_000 });
    await page.getByLabel('Username or email').waitFor();
    await page.close();
  }, 60_000);

  it('lets the super admin create a company and its admin, who then signs in to it', async () => {
    const page = await signIn('', SUPER_ADMIN.username, SUPER_ADMIN.password);
    await expect(heading(page).textContent()).resolves.toBe('Companies');
    // A company's documents and people, read in that company only.
    // By its slug: other suites' companies may share the name.
    await page
      .getByRole('row')
      .filter({ hasText: acme.slug })
      .getByRole('button', { name: 'Details of acme', exact: true })
      .click();
    const details = page.locator('section[aria-label="acme: documents and people"]');
    await details.getByText('returns.pdf').waitFor();
    expect(await details.textContent()).toContain('agent-acme');
    expect(await details.textContent()).not.toMatch(/rival/);
    await details.getByRole('button', { name: 'Close' }).click();
    const slug = `globex-${randomUUID().slice(0, 6)}`;

    await page.getByRole('button', { name: 'New company' }).click();
    await page.getByLabel('Company name').fill('Globex Corporation');
    expect(await page.getByLabel('Slug', { exact: true }).inputValue()).toBe('globex-corporation');
    await page.getByLabel('Slug', { exact: true }).fill(slug);
    await page.getByLabel('Plan', { exact: true }).selectOption('premium');
    await page.getByRole('button', { name: 'Create company' }).click();
    await page.getByText('Globex Corporation is created', { exact: false }).waitFor();

    await page.getByLabel('Username', { exact: true }).fill('globex-admin');
    await page.getByLabel('Email', { exact: true }).fill('admin@globex.example');
    await page.getByLabel('Initial password').fill('globex-password-1');
    await page.getByRole('button', { name: 'Create the admin' }).click();
    await page.getByText('globex-admin can now sign in as tenant_admin.').waitFor();

    await page.getByLabel('Search by name or slug').fill('GLOBEX');
    const row = page.locator('tbody tr', { hasText: slug });
    await row.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'console-companies.png');

    const globex = await signIn(slug, 'globex-admin', 'globex-password-1');
    await expect(heading(globex).textContent()).resolves.toBe('Company profile');
    expect(await globex.getByLabel('Name', { exact: true }).inputValue()).toBe(
      'Globex Corporation',
    );
    expect(await globex.locator('.facts').textContent()).toContain('premium');
    await globex.close();

    await page.getByRole('button', { name: 'Delete Globex Corporation' }).click();
    const confirm = page.getByRole('button', { name: 'Delete Globex Corporation' }).last();
    await expect(confirm.isDisabled()).resolves.toBe(true);
    await page.getByLabel(`Type ${slug} to confirm`).fill(slug);
    await confirm.click();
    await page.getByText(`No company matches “GLOBEX”.`).waitFor();
    const gone = await superAdmin.get('/api/v1/tenants/?limit=200');
    expect(JSON.stringify(gone.body)).not.toContain(slug);
    await page.close();
  }, 120_000);

  it('shows the super admin the platform’s analytics', async () => {
    const page = await signIn('', SUPER_ADMIN.username, SUPER_ADMIN.password);
    await page.getByRole('link', { name: 'Platform analytics' }).click();
    await page.getByTestId('usage-chart').waitFor();
    const companies = page.locator('.stat', { hasText: 'Companies' }).locator('.stat-value');
    expect(Number((await companies.textContent())?.replace(/,/g, ''))).toBeGreaterThanOrEqual(2);
    await page.locator('section[aria-label="Top companies this month"] tbody tr').first().waitFor();
    expect(
      await page.locator('section[aria-label="Top companies this month"]').textContent(),
    ).toContain('acme');
    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'console-platform.png');
    await page.close();
  }, 60_000);

  it('shows the super admin every company’s documents and agents, filtered and named', async () => {
    // The suites of a run share one database: a marker picks this suite's rows out of the
    // platform's lists, where other suites' companies (some also named acme) are too.
    const mark = `cs${randomUUID().slice(0, 8)}`;
    for (const [tenant, name] of [
      [acme, 'acme'],
      [rival, 'rival'],
    ] as const) {
      const document = await tenant.as.tenant_admin.post('/api/v1/rag/documents', {
        title: `${mark} ${name} handbook`,
        text: `The ${name} handbook.`,
      });
      expect(document.status).toBe(202);
      const user = await tenant.as.tenant_admin.post('/api/v1/admin/users', {
        username: `${mark}-${name}-agent`,
        password: tenant.password,
        role: 'agent',
      });
      expect(user.status).toBe(201);
    }
    const page = await signIn('', SUPER_ADMIN.username, SUPER_ADMIN.password);
    await page.getByRole('link', { name: 'All documents' }).click();
    await expect(heading(page).textContent()).resolves.toBe('All documents');
    const documents = page.getByRole('table', { name: 'Documents of every company' });
    await documents.getByRole('row').nth(1).waitFor();
    await page.getByText(/^Showing \d+ of \d+ documents$/).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'console-all-documents.png');

    await page.getByLabel('Name, title or URL contains').fill(mark);
    await page.getByText('Showing 2 of 2 documents').waitFor();
    const acmeRow = documents.getByRole('row').filter({ hasText: `${mark} acme handbook` });
    const rivalRow = documents.getByRole('row').filter({ hasText: `${mark} rival handbook` });
    expect(await acmeRow.textContent()).toContain(acme.slug);
    expect(await rivalRow.textContent()).toContain(rival.slug);
    await page.getByLabel('Company', { exact: true }).selectOption(rival.id);
    await page.getByText('Showing 1 of 1 document').waitFor();
    expect(await documents.textContent()).not.toContain('acme handbook');
    await page.getByLabel('Company', { exact: true }).selectOption('');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No document matches the filters.').waitFor();

    await page.getByRole('link', { name: 'All agents' }).click();
    await expect(heading(page).textContent()).resolves.toBe('All agents');
    const people = page.getByRole('table', { name: 'Agents and admins of every company' });
    await people.getByRole('row').nth(1).waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await saveScreenshot(page, 'console-all-agents.png');

    await page.getByLabel('Username or email contains').fill(mark);
    await page.getByText('Showing 2 of 2 people').waitFor();
    const acmeAgent = people.getByRole('row').filter({ hasText: `${mark}-acme-agent` });
    const rivalAgent = people.getByRole('row').filter({ hasText: `${mark}-rival-agent` });
    expect(await acmeAgent.textContent()).toContain(acme.slug);
    expect(await rivalAgent.textContent()).toContain(rival.slug);
    expect(await rivalAgent.textContent()).toContain('Never'); // not signed in yet
    // Only agents and company admins unless a role is chosen.
    await page.getByLabel('Role').selectOption('user');
    await page.getByText('Nobody matches the filters.').waitFor();
    await page.getByLabel('Username or email contains').fill('');
    await page.getByLabel('Company', { exact: true }).selectOption(acme.id);
    await page.getByText('Showing 1 of 1 person').waitFor();
    expect(await people.textContent()).toContain('user-acme');
    await page.close();
  }, 60_000);

  it('needed nothing its Content-Security-Policy forbids', () => {
    expect(cspViolations).toEqual([]);
  });
});
