import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';

import type { AppName, DeploymentConfig } from '../config/deployment-config';
import type { ContainerSettings } from './fargate-service';
import { GATEWAY_PORT } from './gateway-load-balancer';

/** Where the apps find their dependencies; URLs carry no password. */
export interface RuntimeEndpoints {
  readonly redisUrl: string;
  readonly databaseOwnerUrl: string;
  readonly databaseAppUrl: string;
  readonly databasePlatformUrl: string;
  readonly chromaUrl: string;
  readonly publicUrl: string;
  readonly documentsBucket: string;
  readonly region: string;
}

export interface RuntimeSecrets {
  readonly redisPassword: ISecret;
  /** RDS's JSON secret of the owner role; the password is its `password` field. */
  readonly databaseOwner: ISecret;
  readonly databaseAppPassword: ISecret;
  /** Only the migration and the apps that cross tenants (`PLATFORM_DATABASE_APPS`) get it. */
  readonly databasePlatformPassword: ISecret;
  readonly jwtSecret: ISecret;
  readonly encryptionKey: ISecret;
  readonly superAdminPassword: ISecret;
  readonly openaiApiKey?: ISecret;
  readonly anthropicApiKey?: ISecret;
  /** Token of an external Chroma that demands one. */
  readonly chromaApiKey?: ISecret;
}

export interface RuntimeInputs {
  readonly config: DeploymentConfig;
  readonly endpoints: RuntimeEndpoints;
  readonly secrets: RuntimeSecrets;
}

const secret = (value: ISecret, field?: string) => ecs.Secret.fromSecretsManager(value, field);

/** The environment variables and ECS secrets of one app, as its config schema reads them. */
export function appContainerSettings(app: AppName, inputs: RuntimeInputs): ContainerSettings {
  const own = APP_SPECIFIC[app](inputs);
  const platform = PLATFORM_DATABASE_APPS.has(app)
    ? platformDatabaseSettings(inputs)
    : { environment: {}, secrets: {} };
  return {
    environment: { ...commonEnvironment(inputs), ...platform.environment, ...own.environment },
    secrets: { ...commonSecrets(inputs), ...platform.secrets, ...own.secrets },
  };
}

/**
 * The apps that read across tenants (libs/database's PlatformScope: logins, tenant resolution,
 * the super admin's reports), and so get the platform role's credentials. The others cannot.
 */
export const PLATFORM_DATABASE_APPS: ReadonlySet<AppName> = new Set(['tenants', 'rag', 'chat']);

function platformDatabaseSettings({ endpoints, secrets }: RuntimeInputs): ContainerSettings {
  return {
    environment: { DATABASE_PLATFORM_URL: endpoints.databasePlatformUrl },
    secrets: { DATABASE_PLATFORM_PASSWORD: secret(secrets.databasePlatformPassword) },
  };
}

/** The migration task is the only holder of the owner password. */
export function migrationContainerSettings({ config, endpoints, secrets }: RuntimeInputs) {
  return {
    environment: {
      NODE_ENV: 'production',
      LOG_LEVEL: config.logLevel,
      DATABASE_URL: endpoints.databaseOwnerUrl,
      DATABASE_APP_URL: endpoints.databaseAppUrl,
      DATABASE_PLATFORM_URL: endpoints.databasePlatformUrl,
    },
    secrets: {
      DATABASE_PASSWORD: secret(secrets.databaseOwner, 'password'),
      DATABASE_APP_PASSWORD: secret(secrets.databaseAppPassword),
      DATABASE_PLATFORM_PASSWORD: secret(secrets.databasePlatformPassword),
    },
  } satisfies ContainerSettings;
}

function commonEnvironment({ config, endpoints }: RuntimeInputs): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: config.logLevel,
    REDIS_URL: endpoints.redisUrl,
    REDIS_PREFIX: 'tb',
    TRANSPORT_TIMEOUT_MS: String(config.transport.timeoutMs),
    TRANSPORT_CLAIM_IDLE_MS: String(config.transport.claimIdleMs),
    DATABASE_APP_URL: endpoints.databaseAppUrl,
  };
}

function commonSecrets({ secrets }: RuntimeInputs): Record<string, ecs.Secret> {
  return {
    REDIS_PASSWORD: secret(secrets.redisPassword),
    DATABASE_APP_PASSWORD: secret(secrets.databaseAppPassword),
  };
}

const APP_SPECIFIC: Record<AppName, (inputs: RuntimeInputs) => ContainerSettings> = {
  gateway: ({ endpoints, secrets }) => ({
    environment: {
      PORT: String(GATEWAY_PORT),
      HOST: '0.0.0.0',
      PUBLIC_URL: endpoints.publicUrl,
      // Uploads stream from the gateway straight to the bucket; rag reads them from there.
      S3_BUCKET: endpoints.documentsBucket,
      AWS_REGION: endpoints.region,
      // Behind the ALB: client addresses (rate limits, logs) come from X-Forwarded-For.
      TRUST_PROXY: 'true',
    },
    secrets: { JWT_SECRET: secret(secrets.jwtSecret) },
  }),
  tenants: ({ config, endpoints, secrets }) => ({
    // The platform's own host is no tenant's to claim as a custom domain.
    environment: {
      SUPER_ADMIN_USERNAME: config.superAdminUsername,
      PUBLIC_URL: endpoints.publicUrl,
    },
    secrets: {
      JWT_SECRET: secret(secrets.jwtSecret),
      ENCRYPTION_KEY: secret(secrets.encryptionKey),
      SUPER_ADMIN_PASSWORD: secret(secrets.superAdminPassword),
    },
  }),
  rag: ({ config, endpoints, secrets }) => ({
    environment: {
      CHROMA_URL: endpoints.chromaUrl,
      ...externalChromaEnvironment(config),
      S3_BUCKET: endpoints.documentsBucket,
      AWS_REGION: endpoints.region,
    },
    secrets: {
      ENCRYPTION_KEY: secret(secrets.encryptionKey),
      ...(secrets.chromaApiKey && { CHROMA_API_KEY: secret(secrets.chromaApiKey) }),
    },
  }),
  chat: ({ secrets }) => ({
    environment: {},
    secrets: {
      ENCRYPTION_KEY: secret(secrets.encryptionKey),
      ...(secrets.openaiApiKey && { OPENAI_API_KEY: secret(secrets.openaiApiKey) }),
      ...(secrets.anthropicApiKey && { ANTHROPIC_API_KEY: secret(secrets.anthropicApiKey) }),
    },
  }),
  admin: () => ({ environment: {}, secrets: {} }),
};

/** Only what the deployment set: the apps' own defaults stand for the rest. */
function externalChromaEnvironment({ externalChroma }: DeploymentConfig): Record<string, string> {
  return Object.fromEntries(
    Object.entries({
      CHROMA_AUTH_HEADER: externalChroma.authHeader,
      CHROMA_TENANT: externalChroma.tenant,
      CHROMA_DATABASE: externalChroma.database,
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
