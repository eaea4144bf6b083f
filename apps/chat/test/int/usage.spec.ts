import { randomUUID } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { Caller, PlatformCaller, TenantRuntimeConfig } from '@tenantbot/contracts';

import { UsageModule } from '../../src/usage/usage.module';
import { UsageService } from '../../src/usage/usage.service';
import { ChatIntApp } from './chat-int-app';

const JANUARY = { from: '2024-01-01', to: '2024-01-31', group_by: 'model' } as const;

describe('usage reports and statistics (in process, real PostgreSQL)', () => {
  let app: ChatIntApp;
  let usage: UsageService;
  let alpha: TenantRuntimeConfig;
  let beta: TenantRuntimeConfig;
  let alphaAdmin: Caller;
  const superAdmin: PlatformCaller = { requestId: randomUUID(), role: 'super_admin' };

  /** A usage record of the tenant, written by the owner. */
  async function seedUsage(
    tenant: TenantRuntimeConfig,
    record: { model: string; input: number; output: number; cost: string; at: string | Date },
    outcome = 'ok',
  ) {
    await app.owner.query(
      `INSERT INTO usage_records (tenant_id, user_id, request_id, model, provider, input_tokens,
                                  output_tokens, cost_usd, latency_ms, outcome, error_code,
                                  created_at)
       VALUES ($1, $2, $3, $4, 'openai', $5, $6, $7, 10, $8, $9, $10)`,
      [
        tenant.id,
        randomUUID(),
        randomUUID(),
        record.model,
        record.input,
        record.output,
        record.cost,
        outcome,
        outcome === 'error' ? 'PROVIDER_ERROR' : null,
        record.at,
      ],
    );
  }

  beforeAll(async () => {
    app = await ChatIntApp.start({ features: [UsageModule] });
    usage = app.get(UsageService);
    [alpha, beta] = await Promise.all([app.createTenant(), app.createTenant()]);
    alphaAdmin = app.caller(alpha, 'tenant_admin');
    const january = '2024-01-15T12:00:00Z';
    await seedUsage(alpha, {
      model: 'gpt-4o-mini',
      input: 1000,
      output: 500,
      cost: '0.000450',
      at: january,
    });
    await seedUsage(alpha, {
      model: 'gpt-4o',
      input: 100,
      output: 10,
      cost: '0.000350',
      at: january,
    });
    await seedUsage(
      alpha,
      { model: 'gpt-4o', input: 0, output: 0, cost: '0', at: january },
      'error',
    );
    await seedUsage(beta, {
      model: 'gpt-4o',
      input: 9999,
      output: 9999,
      cost: '1.000000',
      at: january,
    });
    await seedUsage(beta, {
      model: 'gpt-4o',
      input: 7,
      output: 3,
      cost: '0.000100',
      at: new Date(),
    });
  });

  afterAll(() => app?.close());

  it('sums a tenant admin’s own tenant only, per group and in total', async () => {
    const report = await usage.report(alphaAdmin, JANUARY);
    expect(report).toMatchObject({ tenant_id: alpha.id, group_by: 'model' });
    expect(report.rows).toEqual([
      {
        key: 'gpt-4o',
        requests: 2,
        errors: 1,
        input_tokens: 100,
        output_tokens: 10,
        cost_usd: 0.00035,
      },
      {
        key: 'gpt-4o-mini',
        requests: 1,
        errors: 0,
        input_tokens: 1000,
        output_tokens: 500,
        cost_usd: 0.00045,
      },
    ]);
    expect(report.totals).toEqual({
      requests: 3,
      errors: 1,
      input_tokens: 1100,
      output_tokens: 510,
      cost_usd: 0.0008,
    });
  });

  it('refuses a tenant admin another tenant, and every other role', async () => {
    await expect(
      usage.report(alphaAdmin, { ...JANUARY, tenant_id: beta.id }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(usage.stats(app.caller(alpha, 'agent'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(usage.stats(app.caller(alpha, 'user'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('gives a super admin the tenant it names', async () => {
    const report = await usage.report(superAdmin, { ...JANUARY, tenant_id: beta.id });
    expect(report.tenant_id).toBe(beta.id);
    expect(report.totals).toMatchObject({ requests: 1, input_tokens: 9999 });
  });

  it('gives a super admin without a tenant the whole platform, busiest tenants included', async () => {
    const stats = await usage.stats(superAdmin);
    expect(stats.last_24h).toEqual({ requests: 1, errors: 0 });
    expect(stats.top_tenants).toEqual([
      { tenant_id: beta.id, requests: 1, tokens: 10, cost_usd: 0.0001 },
    ]);
  });

  it('keeps a tenant’s statistics to its own records', async () => {
    const stats = await usage.stats(app.caller(beta, 'tenant_admin'));
    expect(stats).toMatchObject({ last_24h: { requests: 1, errors: 0 } });
    expect(stats.top_tenants).toBeUndefined();
    const alphaStats = await usage.stats(alphaAdmin);
    expect(alphaStats.last_24h).toEqual({ requests: 0, errors: 0 });
    expect(alphaStats.this_month).toEqual({ input_tokens: 0, output_tokens: 0, cost_usd: 0 });
  });
});
