import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

import {
  ApiClient,
  createTenantWithUsers,
  freePort,
  loginSuperAdmin,
  type TenantFixture,
  TestStack,
} from '@tenantbot/testing';

const HANDBOOK =
  '# Returns policy\n\nCustomers may return any parcel within 30 days of delivery for a full refund.\n\n' +
  '# Shipping\n\nExpress shipping to the islands costs 12 euros and takes two days.';

/** CSS a careless host page might ship: it must change nothing inside the widget. */
const AGGRESSIVE_CSS = `
  * { font-family: "Comic Sans MS", cursive !important; color: lime !important; }
  div, button, section, textarea, ol, li, a, span { background: #ff00ff !important; border: 7px dashed red !important;
    padding: 40px !important; margin: 30px !important; font-size: 40px !important; display: inline !important; }
  tenantbot-chat { display: none; }
`;

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = join(process.env.TEST_WORKSPACE_ROOT ?? process.cwd(), 'docs', 'images');

/** A website on its own loopback origin that embeds the widget with one script tag. */
async function hostSite(apiBase: string): Promise<{ origin: string; server: Server }> {
  const port = await freePort();
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const key = url.searchParams.get('key') ?? '';
    const css = url.searchParams.has('aggressive') ? AGGRESSIVE_CSS : '';
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme shop</title>
<style>body { font-family: Georgia, serif; margin: 40px; } ${css}</style></head>
<body><h1>Acme shop</h1><p>Parcels, returns and shipping to the islands.</p>
<script src="${apiBase}/widget/embed.js" data-key="${key}" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${port}`, server };
}

describe('the embeddable chat widget in a real browser (e2e)', () => {
  let stack: TestStack;
  let acme: TenantFixture;
  let site: { origin: string; server: Server };
  let elsewhere: { origin: string; server: Server };
  let browser: BrowserContext;
  let userDataDir: string;
  let widgetKey: string;
  let limitedKey: string;
  let handoffKey: string;

  beforeAll(async () => {
    stack = await TestStack.start({
      services: ['tenants', 'rag', 'chat'],
      env: { CORS_ORIGIN_CACHE_S: '0', TRANSPORT_TIMEOUT_MS: '30000' },
      readyTimeoutMs: 90_000,
    });
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    acme = await createTenantWithUsers(superAdmin, 'acme');
    site = await hostSite(stack.baseUrl);
    elsewhere = await hostSite(stack.baseUrl);
    const document = await acme.as.tenant_admin.post('/api/v1/rag/documents', {
      title: 'Handbook',
      text: HANDBOOK,
    });
    for (let attempt = 0; attempt < 300; attempt++) {
      const status = (await acme.as.tenant_admin.get(`/api/v1/rag/documents/${document.body.id}`))
        .body.status;
      if (status === 'completed') {
        break;
      }
      if (status === 'failed') {
        throw new Error('the handbook failed to ingest');
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const widget = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Shop',
      allowed_origins: [site.origin],
      branding: { title: 'Acme help', primary_color: '#b3261e', greeting: 'Hi! Ask us anything.' },
    });
    const limited = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Limited',
      allowed_origins: [site.origin],
      limits: { messages_per_minute: 1 },
    });
    const withHandoff = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Shop with people',
      allowed_origins: [site.origin],
      handoff_enabled: true,
    });
    widgetKey = widget.body.public_key;
    limitedKey = limited.body.public_key;
    handoffKey = withHandoff.body.public_key;

    userDataDir = mkdtempSync(join(tmpdir(), 'tenantbot-chromium-'));
    browser = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    site?.server.close();
    elsewhere?.server.close();
    await stack?.stop();
    if (userDataDir) {
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });

  async function openWidget(page: Page, path: string): Promise<void> {
    await page.goto(`${site.origin}${path}`);
    await page.locator('tenantbot-chat .launcher').click();
    await page.locator('tenantbot-chat .panel').waitFor({ state: 'visible' });
  }

  async function ask(page: Page, question: string): Promise<void> {
    await page.locator('tenantbot-chat textarea').fill(question);
    await page.locator('tenantbot-chat textarea').press('Enter');
  }

  it('opens, streams an answer from the tenant’s document with its source, and keeps it across a reload', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    await openWidget(page, `/?key=${widgetKey}`);
    await expect(page.locator('tenantbot-chat [role="dialog"] h2').textContent()).resolves.toBe(
      'Acme help',
    );
    expect(await page.locator('tenantbot-chat .launcher').getAttribute('aria-expanded')).toBe(
      'true',
    );
    // Count the answer's text changes as it streams in.
    await page.evaluate(`(() => {
      window.__answerUpdates = 0;
      const log = document.querySelector('tenantbot-chat').shadowRoot.querySelector('.log');
      new MutationObserver((changes) => { window.__answerUpdates += changes.length; })
        .observe(log, { childList: true, subtree: true, characterData: true });
    })()`);
    await ask(page, 'How many days do I have to return a parcel?');
    const answer = page.locator('tenantbot-chat .message.assistant').nth(1);
    await expect(answer.locator('.sources a').first().textContent()).resolves.toBe('Handbook');
    expect(await answer.textContent()).toMatch(/30 days/);
    expect(await page.evaluate('window.__answerUpdates')).toBeGreaterThan(5);
    // A source of an uploaded document opens its quoted passage.
    const excerpt = answer.locator('.sources .excerpt').first();
    expect(await excerpt.isVisible()).toBe(false);
    await answer.locator('.sources a').first().click();
    expect(await excerpt.isVisible()).toBe(true);
    expect(await excerpt.textContent()).toMatch(/30 days/);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await saveScreenshot(page, 'widget-desktop.png');

    await page.reload();
    await page.locator('tenantbot-chat .launcher').click();
    const messages = page.locator('tenantbot-chat .message');
    await expect(page.locator('tenantbot-chat .message.user').first().textContent()).resolves.toBe(
      'How many days do I have to return a parcel?',
    );
    expect(await messages.count()).toBe(3);
    expect(await messages.nth(2).textContent()).toMatch(/30 days/);

    await page.setViewportSize({ width: 390, height: 780 });
    await saveScreenshot(page, 'widget-phone.png');
    const panel = await page.locator('tenantbot-chat .panel').boundingBox();
    expect(panel?.width).toBe(390);
    await page.close();
  });

  it('is keyboard accessible: Escape closes the panel and gives focus back to the launcher', async () => {
    const page = await browser.newPage();
    await openWidget(page, `/?key=${widgetKey}`);
    const focused = `(() => document.querySelector('tenantbot-chat').shadowRoot.activeElement?.tagName)()`;
    expect(await page.evaluate(focused)).toBe('TEXTAREA');
    await page.keyboard.press('Escape');
    await page.locator('tenantbot-chat .panel').waitFor({ state: 'hidden' });
    expect(await page.evaluate(focused)).toBe('BUTTON');
    expect(await page.locator('tenantbot-chat [role="log"]').count()).toBe(1);
    await page.close();
  });

  it('is not changed by the host page’s aggressive global CSS', async () => {
    const styleOf = (page: Page, selector: string) =>
      page.evaluate(`(() => {
        const node = document.querySelector('tenantbot-chat').shadowRoot.querySelector('${selector}');
        const style = getComputedStyle(node);
        const box = node.getBoundingClientRect();
        return { color: style.color, background: style.backgroundColor, font: style.fontFamily,
          border: style.borderTopWidth, padding: style.paddingTop, width: box.width, height: box.height };
      })()`);
    const plain = await browser.newPage();
    await openWidget(plain, `/?key=${widgetKey}`);
    const hostile = await browser.newPage();
    await openWidget(hostile, `/?key=${widgetKey}&aggressive`);
    for (const selector of ['.launcher', '.panel', 'header', 'textarea', 'form button']) {
      expect([selector, await styleOf(hostile, selector)]).toEqual([
        selector,
        await styleOf(plain, selector),
      ]);
    }
    expect(await hostile.locator('tenantbot-chat .launcher').isVisible()).toBe(true);
    await plain.close();
    await hostile.close();
  });

  it('cannot start a session from a page on another origin: the browser refuses it', async () => {
    const page = await browser.newPage();
    const console: string[] = [];
    page.on('console', (message) => console.push(message.text()));
    await page.goto(`${elsewhere.origin}/?key=${widgetKey}`);
    await page.waitForEvent('console', {
      predicate: (message) => /tenantbot/.test(message.text()),
      timeout: 15_000,
    });
    expect(console.join('\n')).toMatch(/CORS policy/);
    expect(console.join('\n')).toMatch(/tenantbot: the chat widget is not available/);
    expect(await page.locator('tenantbot-chat').count()).toBe(0);
    const session = await page.evaluate(`fetch('${stack.baseUrl}/api/v1/widget/sessions', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: '${widgetKey}' }),
    }).then(() => 'read', (error) => 'blocked: ' + error.message)`);
    expect(session).toMatch(/^blocked/);
    await page.close();
  });

  it('reconnects after the network drops, without losing or repeating the question', async () => {
    const page = await browser.newPage();
    await openWidget(page, `/?key=${widgetKey}`);
    const question = 'What does express shipping to the islands cost?';
    await page.locator('tenantbot-chat .message.user').first().waitFor(); // the transcript is in
    await browser.setOffline(true);
    await ask(page, question);
    const status = page.locator('tenantbot-chat [role="status"]');
    await status.waitFor({ state: 'visible' });
    expect(await status.textContent()).toBe('Connection lost. Reconnecting…');
    await browser.setOffline(false);
    const asked = page.locator('tenantbot-chat .message.user', { hasText: question });
    const answer = page.locator(
      `tenantbot-chat .message.user:has-text("${question}") + .message.assistant`,
    );
    await answer.locator('.sources').waitFor();
    expect(await answer.textContent()).toMatch(/12 euros/);
    expect(await asked.count()).toBe(1);
    expect(await status.isVisible()).toBe(false);
    await page.close();
  });

  it('runs on the demo page when the widget lists the API’s own origin', async () => {
    const demo = await acme.as.tenant_admin.post('/api/v1/widgets', {
      name: 'Demo',
      allowed_origins: [stack.baseUrl],
      branding: { title: 'Demo help' },
    });
    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/chat/widget?key=${demo.body.public_key}`);
    await page.locator('tenantbot-chat .launcher').click();
    expect(await page.locator('tenantbot-chat h2').textContent()).toBe('Demo help');
    await ask(page, 'How much is express shipping?');
    const answer = page.locator('tenantbot-chat .message.assistant').nth(1);
    await answer.locator('.sources').waitFor();
    expect(await answer.textContent()).toMatch(/12 euros/);
    await page.close();
  });

  it('tells the visitor in words when the per-visitor message limit is reached', async () => {
    const page = await browser.newPage();
    await openWidget(page, `/?key=${limitedKey}`);
    await ask(page, 'How much is express shipping?');
    await page.locator('tenantbot-chat .message.assistant .sources').first().waitFor();
    await ask(page, 'And to the islands?');
    const status = page.locator('tenantbot-chat [role="status"]');
    await status.waitFor({ state: 'visible' });
    expect(await status.textContent()).toMatch(
      /You are sending messages faster than this chat allows\. Please try again in \d+ seconds\./,
    );
    await page.close();
  });

  it('hands the visitor to a person: the button, then the agent’s reply, live', async () => {
    const page = await browser.newPage();
    await openWidget(page, `/?key=${handoffKey}`);
    const button = page.locator('tenantbot-chat button.handoff');
    await expect(button.isVisible()).resolves.toBe(true);
    await ask(page, 'How much is express shipping to the islands?');
    await page.locator('tenantbot-chat .message.assistant').nth(1).waitFor();

    await button.click();
    await page
      .locator('tenantbot-chat .message.system', { hasText: 'A person will reply here' })
      .waitFor();
    await expect(button.isVisible()).resolves.toBe(false);

    const inbox = await acme.as.agent.get('/api/v1/inbox?status=waiting_human');
    const conversation = inbox.body.items.find(
      (item: { channel: string }) => item.channel === 'widget',
    );
    expect(conversation).toBeDefined();
    await acme.as.agent.post(`/api/v1/inbox/${conversation.id}/claim`);
    await page.locator('tenantbot-chat .status', { hasText: 'talking to a person' }).waitFor();
    await acme.as.agent.post(`/api/v1/inbox/${conversation.id}/messages`, {
      content: 'Only a note for agents',
      internal: true,
    });
    await acme.as.agent.post(`/api/v1/inbox/${conversation.id}/messages`, {
      content: 'Hi, this is Ana: 12 euros, two days.',
    });
    await page.locator('tenantbot-chat .message.agent', { hasText: 'this is Ana' }).waitFor();
    await expect(page.locator('tenantbot-chat .log').textContent()).resolves.not.toContain(
      'Only a note for agents',
    );
    await page.close();
  }, 60_000);

  it('lets the visitor rate an answer with thumbs up or down, changing its mind later', async () => {
    // The export (served by chat; this stack runs no admin service) carries the ratings.
    const ratings = async () => {
      const response = await fetch(`${stack.baseUrl}/api/v1/admin/export/conversations`, {
        headers: { authorization: `Bearer ${acme.as.tenant_admin.token}`, 'x-tenant-id': acme.id },
      });
      return (await response.text())
        .trim()
        .split('\n')
        .filter(Boolean)
        .flatMap((line) => (JSON.parse(line) as { messages: { feedback: unknown }[] }).messages)
        .map((message) => message.feedback)
        .filter(Boolean);
    };
    expect(await ratings()).toEqual([]);
    const page = await browser.newPage();
    // A new visitor: the earlier tests' conversation stays out of this one.
    await page.goto(`${site.origin}/?key=${widgetKey}`);
    await page.evaluate('localStorage.clear()');
    await openWidget(page, `/?key=${widgetKey}`);
    await ask(page, 'How much is express shipping to the islands?');
    const answer = page.locator('tenantbot-chat .message.assistant').last();
    await answer.locator('.sources').waitFor();
    // The greeting is not an answer: nothing to rate there.
    expect(
      await page.locator('tenantbot-chat .message.assistant').first().locator('.rating').count(),
    ).toBe(0);
    const down = answer.locator('.rating button.down');
    await down.click();
    await page.waitForFunction(
      `document.querySelector('tenantbot-chat').shadowRoot
        .querySelector('.message.assistant:last-of-type .rating .down')
        .getAttribute('aria-pressed') === 'true'`,
    );
    expect(await ratings()).toEqual([{ rating: 'down', comment: null }]);

    await page.reload();
    await page.locator('tenantbot-chat .launcher').click();
    const reloaded = page.locator('tenantbot-chat .message.assistant').last();
    await reloaded.locator('.rating button.up').click();
    await page.waitForFunction(
      `document.querySelector('tenantbot-chat').shadowRoot
        .querySelector('.message.assistant:last-of-type .rating .up')
        .getAttribute('aria-pressed') === 'true'`,
    );
    expect(await ratings()).toEqual([{ rating: 'up', comment: null }]);
    await page.close();
  });
});

/**
 * The README's screenshots: taken on every run (a page that cannot render fails here), written
 * to docs/images/ only with UPDATE_SCREENSHOTS=1, so a test run leaves the work tree as it was.
 */
async function saveScreenshot(page: Page, name: string): Promise<void> {
  const image = await page.screenshot();
  expect(image.length).toBeGreaterThan(10_000);
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    await writeFile(join(SCREENSHOTS, name), image);
  }
}
