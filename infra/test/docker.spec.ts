import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';

import { APP_NAMES } from '../config/deployment-config';
import { repositoryRoot, required } from './synthesize';

const composeFile = join(repositoryRoot, 'docker/docker-compose.yml');
const dockerfile = readFileSync(join(repositoryRoot, 'docker/Dockerfile'), 'utf8');

/** Values for every `${NAME:?…}` the compose file requires. */
const REQUIRED_VARIABLES = {
  POSTGRES_PASSWORD: 'test-postgres',
  DATABASE_APP_PASSWORD: 'test-app',
  DATABASE_PLATFORM_PASSWORD: 'test-platform',
  REDIS_PASSWORD: 'test-redis',
  JWT_SECRET: 'test-jwt-secret-test-jwt-secret-1234',
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
  SUPER_ADMIN_PASSWORD: 'test-admin',
};

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  restart?: string;
  read_only?: boolean;
}

const compose = load(readFileSync(composeFile, 'utf8'), {
  schema: CORE_SCHEMA.withTags(mergeTag),
}) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const service = (name: string) => required(services[name], `compose service ${name}`);

/**
 * `docker compose` (v2) where installed, else Debian's `docker-compose` (1.29), which
 * .ci/run installs: both validate the file without a Docker engine.
 */
const composeCommand: string[] =
  spawnSync('docker', ['compose', 'version']).status === 0
    ? ['docker', 'compose']
    : ['docker-compose'];

function dockerCompose(args: string[], env: Record<string, string>) {
  const [command, ...prefix] = composeCommand;
  return spawnSync(command, [...prefix, '-f', composeFile, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
}

describe('docker-compose.yml', () => {
  it('passes `docker compose config --quiet`', () => {
    const result = dockerCompose(['config', '--quiet'], REQUIRED_VARIABLES);
    expect(result.error).toBeUndefined(); // the compose command exists (apt-get install docker-compose)
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('refuses to start without the secrets', () => {
    expect(dockerCompose(['config', '--quiet'], {}).status).not.toBe(0);
  });

  it('runs Postgres 15, Redis 7 and Chroma with health checks', () => {
    expect(service('postgres').image).toMatch(/^postgres:15/);
    expect(service('redis').image).toMatch(/^redis:7/);
    expect(service('chroma').image).toMatch(/^chromadb\/chroma:/);
    for (const name of ['postgres', 'redis', 'chroma']) {
      expect(service(name).healthcheck?.test.length).toBeGreaterThan(0);
    }
  });

  it('migrates once, as the owner, after Postgres is healthy', () => {
    const migrate = service('migrate');
    expect(migrate.command).toEqual(['node', 'dist/libs/database/src/migrate.js']);
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(migrate.restart).toBe('no');
    expect(Object.keys(migrate.environment ?? {})).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'DATABASE_PASSWORD',
        'DATABASE_APP_URL',
        'DATABASE_APP_PASSWORD',
        'DATABASE_PLATFORM_URL',
        'DATABASE_PLATFORM_PASSWORD',
      ]),
    );
  });

  it('gives the platform role only to the services that cross tenants', () => {
    for (const app of APP_NAMES) {
      const crosses = ['tenants', 'rag', 'chat'].includes(app);
      expect({ app, platform: service(app).environment?.DATABASE_PLATFORM_URL }).toEqual({
        app,
        platform: crosses ? 'postgres://tenantbot_platform@postgres:5432/tenantbot' : undefined,
      });
    }
  });

  it.each(APP_NAMES)(
    'builds %s from its Dockerfile target and starts it after the migration',
    (app) => {
      const composed = service(app);
      expect(composed.build).toEqual({
        context: '..',
        dockerfile: 'docker/Dockerfile',
        target: app,
        ...(app === 'rag' && { args: { EMBEDDING_MODEL: '${EMBEDDING_MODEL:-}' } }),
      });
      expect(composed.depends_on).toMatchObject({
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
      expect(composed.healthcheck?.test.join(' ')).toContain(
        app === 'gateway' ? '/healthz' : `healthcheck.js ${app}`,
      );
      expect(composed.read_only).toBe(true);
      expect(composed.environment).toMatchObject({
        NODE_ENV: 'production',
        REDIS_URL: 'redis://redis:6379',
        DATABASE_APP_URL: 'postgres://tenantbot_app@postgres:5432/tenantbot',
      });
    },
  );

  it('publishes only the gateway, on 3000', () => {
    const published = Object.entries(services).filter(([, { ports }]) => ports);
    expect(published).toEqual([['gateway', expect.objectContaining({ ports: ['3000:3000'] })]]);
  });

  it('waits for Chroma before rag', () => {
    expect(service('rag').depends_on?.chroma).toEqual({ condition: 'service_healthy' });
  });

  it('holds no secret in plain text: each comes from the environment or docker/.env', () => {
    const secretName = /PASSWORD|SECRET|_KEY$|TOKEN/;
    for (const [name, service] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(service.environment ?? {})) {
        if (secretName.test(variable)) {
          expect({ service: name, variable, value }).toEqual({
            service: name,
            variable,
            value: expect.stringMatching(/^\$\{[A-Z_]+:(\?[^}]+|-)\}$/),
          });
        }
        expect(String(value)).not.toMatch(/\/\/[^/@\s]+:[^/@\s]+@/);
      }
    }
  });
});

describe('Dockerfile', () => {
  /** Stage name → its instructions, from its FROM line to the next. */
  const stages = new Map(
    dockerfile
      .split(/^(?=FROM )/m)
      .filter((block) => block.startsWith('FROM '))
      .map((block) => [/^FROM \S+ AS (\S+)/.exec(block)?.[1] ?? 'unnamed', block]),
  );
  const stage = (name: string) => stages.get(name) ?? '';

  it('builds every stage from node:22-bookworm-slim (Node 22 LTS)', () => {
    expect(dockerfile).toContain('ARG NODE_IMAGE=node:22-bookworm-slim');
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(([, base]) => base);
    expect(bases.every((base) => base === '${NODE_IMAGE}' || base === 'runtime')).toBe(true);
  });

  it('builds and tests on Node 22 in CodeBuild, with the same image as the Dockerfile', () => {
    const buildspec = readFileSync(join(repositoryRoot, 'buildspec.yml'), 'utf8');
    const spec = load(buildspec) as { phases: { install: { 'runtime-versions': object } } };
    expect(spec.phases.install['runtime-versions']).toEqual({ nodejs: 22 });
    const images = [...buildspec.matchAll(/node:(\d+)-bookworm-slim/g)].map(([, major]) => major);
    expect(images.length).toBeGreaterThan(0);
    expect(new Set(images)).toEqual(new Set(['22']));
  });

  it('compiles with dev dependencies but ships production dependencies only', () => {
    expect(stage('build')).toContain('RUN node scripts/build.mjs');
    expect(stage('production-dependencies')).toMatch(
      /npm ci --omit=dev.*\|\| npm install --omit=dev/,
    );
    expect(stage('runtime')).toContain('COPY --from=production-dependencies /app/node_modules');
    expect(stage('runtime')).not.toContain('/build/node_modules');
  });

  it('runs as the unprivileged node user', () => {
    expect(stage('runtime')).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^USER /gm)).toHaveLength(1);
  });

  it('bakes the sentence model of the EMBEDDING_MODEL build arg into the rag image', () => {
    expect(stage('embedding-model')).toMatch(/^ARG EMBEDDING_MODEL=""$/m);
    expect(stage('embedding-model')).toContain(
      'EMBEDDING_MODEL_DIR=/models node dist/apps/rag/src/embeddings/download-model.js',
    );
    expect(stage('rag')).toContain(
      'COPY --from=embedding-model --chown=node:node /models /app/models',
    );
    expect(stage('rag')).toContain('EMBEDDING_MODEL_DIR=/app/models');
    // onnxruntime-node's install would download CUDA libraries: every npm install reads .npmrc.
    expect(stage('build')).toContain('COPY package.json package-lock.json .npmrc ./');
    expect(stage('production-dependencies')).toContain(
      'COPY package.json package-lock.json .npmrc ./',
    );
    expect(readFileSync(join(repositoryRoot, '.npmrc'), 'utf8')).toMatch(
      /^onnxruntime-node-install=skip$/m,
    );
  });

  it('ships the web console and the widget bundle in the gateway image only', () => {
    expect(stage('gateway')).toContain('COPY --from=build /build/dist/console ./dist/console');
    expect(stage('gateway')).toContain('COPY --from=build /build/dist/widget ./dist/widget');
    for (const app of APP_NAMES.filter((name) => name !== 'gateway')) {
      expect(stage(app)).not.toContain('dist/console');
      expect(stage(app)).not.toContain('dist/widget');
    }
  });

  it.each(APP_NAMES)('has a %s target with its command and health check', (app) => {
    const target = stage(app);
    expect(target.startsWith(`FROM runtime AS ${app}\n`)).toBe(true);
    expect(target).toContain(
      `CMD ["node", "--enable-source-maps", "dist/apps/${app}/src/main.js"]`,
    );
    expect(target).toContain(
      app === 'gateway'
        ? '/healthz'
        : `CMD ["node", "dist/libs/transport/src/healthcheck.js", "${app}"]`,
    );
    expect(target).toMatch(/^HEALTHCHECK /m);
  });
});
