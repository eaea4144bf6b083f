import { RetentionDays } from 'aws-cdk-lib/aws-logs';

import type { DeploymentConfig } from './deployment-config';

/** Highly available defaults; docs/deploy.md prices them. */
export const production: DeploymentConfig = {
  stage: 'production',
  stackName: 'tenantbot-production',
  region: 'us-east-1',
  imageRepository: 'tenantbot',
  imageTag: 'latest',
  chromaImage: 'chromadb/chroma:1.5.9',
  chroma: { cpu: 1024, memoryMiB: 2048 },
  multiAz: true,
  natGateways: 2,
  database: {
    instanceType: 't4g.small',
    allocatedStorageGiB: 20,
    maxAllocatedStorageGiB: 100,
    backupRetentionDays: 7,
    deletionProtection: true,
  },
  cacheNodeType: 'cache.t4g.small',
  services: {
    gateway: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 6 },
    tenants: { cpu: 256, memoryMiB: 512, minTasks: 2, maxTasks: 4 },
    rag: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 4 },
    chat: { cpu: 512, memoryMiB: 1024, minTasks: 2, maxTasks: 6 },
    admin: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
  },
  logRetention: RetentionDays.THREE_MONTHS,
  logLevel: 'info',
  transport: { timeoutMs: 5000, claimIdleMs: 2000 },
  superAdminUsername: 'superadmin',
  externalChroma: {},
  llmApiKeySecrets: {},
};

/** One of everything, single AZ: for trying a change before production. */
export const staging: DeploymentConfig = {
  ...production,
  stage: 'staging',
  stackName: 'tenantbot-staging',
  multiAz: false,
  natGateways: 1,
  database: {
    ...production.database,
    instanceType: 't4g.micro',
    backupRetentionDays: 1,
    deletionProtection: false,
  },
  cacheNodeType: 'cache.t4g.micro',
  chroma: { cpu: 512, memoryMiB: 1024 },
  services: {
    gateway: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
    tenants: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
    rag: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
    chat: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 2 },
    admin: { cpu: 256, memoryMiB: 512, minTasks: 1, maxTasks: 1 },
  },
  logRetention: RetentionDays.TWO_WEEKS,
  logLevel: 'debug',
};

export const STAGES: Readonly<Record<string, DeploymentConfig>> = { production, staging };
