import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Test, type TestingModule } from '@nestjs/testing';
import pg from 'pg';

import { type Caller, type TenantId, tenantIdOf } from '@tenantbot/contracts';
import { appUrlFrom, migrate, platformUrlFrom } from '@tenantbot/database';
import { createLogger } from '@tenantbot/observability';
import { deleteRedisKeys } from '@tenantbot/testing';

import { RagModule } from '../../../src/app.module';
import { ragConfigSchema } from '../../../src/config/rag-config';
import { ChromaVectorStore } from '../../../src/vectors/chroma-vector-store';
import { InMemoryVectors } from './in-memory-vectors';

const ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * The rag service's modules in this process (Test.createTestingModule), on a fresh database
 * migrated by the real migrator, a Redis prefix of their own and the ingestion worker running;
 * Chroma is replaced by vectors in memory. Services are called directly with a `Caller`.
 */
export class RagInProcess {
  private constructor(
    readonly module: TestingModule,
    /** The tables' owner, which row-level security does not confine: for setup and checks. */
    readonly owner: pg.Client,
    readonly vectors: InMemoryVectors,
    private readonly database: string,
    private readonly redisPrefix: string,
    private readonly filesDir: string,
  ) {}

  static async start(): Promise<RagInProcess> {
    const database = `tenantbot_int_rag_${randomUUID().slice(0, 8)}`;
    const ownerUrl = new URL(ADMIN_URL);
    ownerUrl.pathname = `/${database}`;
    await migrate({
      ownerUrl: ownerUrl.toString(),
      appUrl: appUrlFrom(ownerUrl.toString(), undefined),
      platformUrl: platformUrlFrom(ownerUrl.toString(), undefined),
    });
    const redisPrefix = `tbint:rag-${randomUUID().slice(0, 8)}`;
    const filesDir = await mkdtemp(join(tmpdir(), 'tenantbot-rag-int-'));
    const config = ragConfigSchema.parse({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATABASE_URL: ownerUrl.toString(),
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: redisPrefix,
      FILES_DIR: filesDir,
      EMBEDDING_PROVIDER: 'local',
      INGESTION_BACKOFF_MS: '100',
      INGESTION_LOCK_MS: '2000',
    });
    const vectors = new InMemoryVectors();
    const module = await Test.createTestingModule({
      imports: [
        RagModule.register({
          config,
          logger: createLogger('rag', config.LOG_LEVEL),
          extractionScript: join(
            process.cwd(),
            'dist/apps/rag/src/ingestion/extraction/extraction-process.js',
          ),
          sentenceEmbedder: null,
        }),
      ],
    })
      .overrideProvider(ChromaVectorStore)
      .useValue(vectors)
      .compile();
    await module.init();
    const owner = new pg.Client({ connectionString: ownerUrl.toString() });
    await owner.connect();
    return new RagInProcess(module, owner, vectors, database, redisPrefix, filesDir);
  }

  async stop(): Promise<void> {
    await this.module.close();
    await this.owner.end();
    await dropDatabase(this.database);
    await deleteRedisKeys(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', this.redisPrefix);
    await rm(this.filesDir, { recursive: true, force: true });
  }

  async createTenant(): Promise<TenantId> {
    const { rows } = await this.owner.query<{ id: string }>(
      `INSERT INTO tenants (name, slug) VALUES ('Tenant', $1) RETURNING id`,
      [`t-${randomUUID().slice(0, 8)}`],
    );
    return tenantIdOf(rows[0].id);
  }
}

/** A tenant admin's call, as the gateway would send it. */
export function callerOf(tenantId: TenantId): Caller {
  return { requestId: randomUUID(), tenantId, role: 'tenant_admin' };
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
