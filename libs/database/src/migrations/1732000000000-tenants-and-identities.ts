import type { MigrationInterface, QueryRunner } from 'typeorm';

import { tenantIsolationSql } from '../row-level-security';

export class TenantsAndIdentities1732000000000 implements MigrationInterface {
  name = 'TenantsAndIdentities1732000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await db.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
        plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'basic', 'premium', 'enterprise')),
        is_active boolean NOT NULL DEFAULT true,
        system_prompt text,
        default_model text,
        allowed_models text[] NOT NULL DEFAULT '{}',
        rate_limits jsonb NOT NULL DEFAULT '{}',
        rag_settings jsonb NOT NULL DEFAULT '{}',
        allowed_origins text[] NOT NULL DEFAULT '{}',
        provider_keys jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    for (const sql of tenantIsolationSql('tenants', 'id')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE tenant_domains (
        domain text PRIMARY KEY CHECK (domain = lower(domain)),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX tenant_domains_tenant ON tenant_domains (tenant_id)`);
    for (const sql of tenantIsolationSql('tenant_domains')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
        username text NOT NULL CHECK (length(username) BETWEEN 1 AND 100),
        email text,
        password_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('super_admin', 'tenant_admin', 'agent', 'user', 'readonly')),
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'super_admin') = (tenant_id IS NULL))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX users_username ON users (tenant_id, lower(username)) WHERE tenant_id IS NOT NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX users_email ON users (tenant_id, lower(email)) WHERE tenant_id IS NOT NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX platform_users_username ON users (lower(username)) WHERE tenant_id IS NULL`,
    );
    await db.query(
      `CREATE UNIQUE INDEX platform_users_email ON users (lower(email)) WHERE tenant_id IS NULL`,
    );
    for (const sql of tenantIsolationSql('users')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)`);
    await db.query(`CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)`);
    for (const sql of tenantIsolationSql('refresh_tokens')) {
      await db.query(sql);
    }

    await db.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        prefix text NOT NULL UNIQUE,
        secret_hash text NOT NULL,
        role text NOT NULL CHECK (role IN ('tenant_admin', 'agent', 'user', 'readonly')),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX api_keys_tenant ON api_keys (tenant_id)`);
    for (const sql of tenantIsolationSql('api_keys')) {
      await db.query(sql);
    }
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'refresh_tokens', 'users', 'tenant_domains', 'tenants']) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
