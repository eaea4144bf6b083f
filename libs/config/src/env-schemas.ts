import { z } from 'zod';

/** Secrets that only make sense on a developer machine; production refuses them. */
export const LOCAL_DEFAULT_SECRETS = {
  JWT_SECRET: 'local-development-jwt-secret-change-me',
  ENCRYPTION_KEY: 'bG9jYWwtZGV2ZWxvcG1lbnQta2V5LWNoYW5nZS1tZSE=',
  SUPER_ADMIN_PASSWORD: 'admin',
} as const;

const port = z.coerce.number().int().min(1).max(65535);
const positiveMs = z.coerce.number().int().positive();
const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL (${protocols.join(' or ')})`,
  );

export const nodeEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const redisEnvSchema = z.object({
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  /** AUTH password (ElastiCache auth token), kept apart from the URL in a secret. */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /** Every key this deployment writes starts with this; tests use their own. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]{1,64}$/, 'letters, digits, ":", "_" and "-" only')
    .default('tb'),
});

export const transportEnvSchema = z.object({
  /** Deadline of a call over the transport when the caller gives none. */
  TRANSPORT_TIMEOUT_MS: positiveMs.default(5000),
  /** A request pending this long on a replica that stopped heart-beating is claimed by another. */
  TRANSPORT_CLAIM_IDLE_MS: positiveMs.default(2000),
  /** Requests one replica handles at once; the rest wait in the stream for any replica. */
  TRANSPORT_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10000).default(256),
  /**
   * Check every reply against its schema in the message map (libs/contracts) and answer
   * INTERNAL_ERROR naming the mismatches. The test runs turn it on; off, it costs nothing.
   */
  TRANSPORT_CHECK_REPLIES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

export const databaseEnvSchema = z.object({
  /** Owner connection: runs migrations. */
  DATABASE_URL: url(['postgres:', 'postgresql:']).default(
    'postgres://postgres@127.0.0.1:5432/tenantbot',
  ),
  /** The services' connection: a role that owns nothing and cannot bypass row-level security. */
  DATABASE_APP_URL: url(['postgres:', 'postgresql:']).optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
});

export const chromaEnvSchema = z.object({
  /** `https:` for TLS (a hosted or distributed Chroma); extra CAs through NODE_EXTRA_CA_CERTS. */
  CHROMA_URL: url(['http:', 'https:']).default('http://127.0.0.1:8000'),
  /** Token of a Chroma that demands authentication (Chroma Cloud, a token-auth server). */
  CHROMA_API_KEY: z.string().min(1).optional(),
  /** How the token is sent: Chroma's `x-chroma-token` header, or `authorization: Bearer`. */
  CHROMA_AUTH_HEADER: z.enum(['x-chroma-token', 'authorization']).default('x-chroma-token'),
  /** Chroma tenant and database that hold tenantbot's collections (they must exist). */
  CHROMA_TENANT: z.string().min(1).default('default_tenant'),
  CHROMA_DATABASE: z.string().min(1).default('default_database'),
});

export const gatewayHttpEnvSchema = z.object({
  PORT: port.default(3000),
  HOST: z.string().default('0.0.0.0'),
  /** Public base URL printed in links (docs, widget); defaults to http://localhost:PORT. */
  PUBLIC_URL: url(['http:', 'https:']).optional(),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

/**
 * Refuses the local default secrets when NODE_ENV=production. Pass the names of the
 * secret variables an app reads.
 */
export function refuseDefaultSecretsInProduction<T extends Record<string, unknown>>(
  names: (keyof typeof LOCAL_DEFAULT_SECRETS)[],
) {
  return (config: T & { NODE_ENV: string }, context: z.RefinementCtx) => {
    if (config.NODE_ENV !== 'production') {
      return;
    }
    for (const name of names) {
      if (config[name] === undefined || config[name] === LOCAL_DEFAULT_SECRETS[name]) {
        context.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be set to a non-default secret when NODE_ENV=production',
        });
      }
    }
  };
}

/** Claims every access token carries; the gateway accepts no other issuer or audience. */
export const JWT_CLAIMS = {
  issuer: 'tenantbot',
  audience: 'tenantbot-api',
  algorithm: 'HS256',
} as const;

export const jwtEnvSchema = z.object({
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .default(LOCAL_DEFAULT_SECRETS.JWT_SECRET),
});

/**
 * The gateway's caller cache and chat's tenant configuration cache: entries are evicted by the
 * tenants service's `access.changed` broadcasts; the TTL bounds a lost one. 0 turns caching off.
 */
export const accessCacheEnvSchema = z.object({
  ACCESS_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(10_000),
  ACCESS_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).default(10_000),
});
