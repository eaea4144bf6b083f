import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';

import {
  LOCAL_DEFAULT_SECRETS,
  nodeEnvSchema,
  redisEnvSchema,
  refuseDefaultSecretsInProduction,
} from './env-schemas';
import { ConfigError, loadConfig } from './load-config';

const schema = nodeEnvSchema
  .extend(redisEnvSchema.shape)
  .extend({ JWT_SECRET: z.string().default(LOCAL_DEFAULT_SECRETS.JWT_SECRET) })
  .superRefine(refuseDefaultSecretsInProduction(['JWT_SECRET']));

describe('loadConfig', () => {
  it('works with no environment at all, using the local defaults', () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PREFIX: 'tb',
      JWT_SECRET: LOCAL_DEFAULT_SECRETS.JWT_SECRET,
    });
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      loadConfig(schema, { REDIS_URL: 'http://not-redis', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^REDIS_URL: /m);
    expect(problems).toMatch(/^LOG_LEVEL: /m);
  });

  it('refuses the local default secrets when NODE_ENV=production', () => {
    expect(() => loadConfig(schema, { NODE_ENV: 'production' })).toThrow(/JWT_SECRET: must be set/);
    expect(
      loadConfig(schema, { NODE_ENV: 'production', JWT_SECRET: 'a-real-secret' }).JWT_SECRET,
    ).toBe('a-real-secret');
  });
});

describe('an app started with a bad variable', () => {
  it('stops with exit code 1 and a message naming the variable', () => {
    const gateway = join(
      process.env.TEST_WORKSPACE_ROOT ?? process.cwd(),
      'dist/apps/gateway/src/main.js',
    );
    const result = spawnSync(process.execPath, [gateway], {
      env: { ...process.env, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/gateway: Invalid configuration:\n\s+- PORT: /);
  });

  it('refuses to start in production with the default JWT secret', () => {
    const gateway = join(
      process.env.TEST_WORKSPACE_ROOT ?? process.cwd(),
      'dist/apps/gateway/src/main.js',
    );
    const result = spawnSync(process.execPath, [gateway], {
      env: { ...process.env, NODE_ENV: 'production', JWT_SECRET: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/JWT_SECRET/);
  });
});
