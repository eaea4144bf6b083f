import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** The five apps of docker/Dockerfile; each runs as its own Fargate service. */
export const APP_NAMES = ['gateway', 'tenants', 'rag', 'chat', 'admin'] as const;
export type AppName = (typeof APP_NAMES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServiceSize {
  /** Fargate CPU units: 256 = 0.25 vCPU. */
  readonly cpu: number;
  readonly memoryMiB: number;
  /** Tasks kept running; also the desired count at deploy time. */
  readonly minTasks: number;
  /** Ceiling of CPU/memory target-tracking autoscaling. */
  readonly maxTasks: number;
}

export interface DatabaseSize {
  /** RDS instance type without the `db.` prefix, e.g. `t4g.small`. */
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly deletionProtection: boolean;
}

export interface DeploymentConfig {
  readonly stage: string;
  readonly stackName: string;
  /** The stack is bound to a region (ALB access logs need it) but to no account: synth needs no credentials. */
  readonly region: string;
  /** ECR repository (in the deploying account and region) holding `<app>-<imageTag>` images. */
  readonly imageRepository: string;
  /** Usually the commit SHA; buildspec.yml pushes `<app>-<sha>` for each app. */
  readonly imageTag: string;
  /** Public host name of the gateway; without it PUBLIC_URL is the load balancer's DNS name. */
  readonly domainName?: string;
  /** ACM certificate for domainName; when set the ALB serves HTTPS and redirects HTTP. */
  readonly certificateArn?: string;
  /**
   * An existing Chroma (distributed self-hosted, or Chroma Cloud at `https://api.trychroma.com`);
   * when set no Chroma service is deployed. The scale-out path: docs/deploy.md.
   */
  readonly chromaUrl?: string;
  /** With chromaUrl: how rag authenticates and where its collections live. */
  readonly externalChroma: {
    /** Name of an existing Secrets Manager secret holding the token (CHROMA_API_KEY). */
    readonly apiKeySecret?: string;
    /** `x-chroma-token` (Chroma Cloud, Chroma's token auth) or `authorization` (Bearer). */
    readonly authHeader?: 'x-chroma-token' | 'authorization';
    readonly tenant?: string;
    readonly database?: string;
  };
  /** Image of the self-hosted Chroma server (same major version as the `chromadb` client). */
  readonly chromaImage: string;
  readonly chroma: { readonly cpu: number; readonly memoryMiB: number };
  /** Multi-AZ database and cache, one NAT gateway per AZ. */
  readonly multiAz: boolean;
  readonly natGateways: number;
  readonly database: DatabaseSize;
  /** ElastiCache node type, e.g. `cache.t4g.small`. */
  readonly cacheNodeType: string;
  readonly services: Readonly<Record<AppName, ServiceSize>>;
  readonly logRetention: RetentionDays;
  readonly logLevel: LogLevel;
  /** TRANSPORT_TIMEOUT_MS and TRANSPORT_CLAIM_IDLE_MS of every app. */
  readonly transport: { readonly timeoutMs: number; readonly claimIdleMs: number };
  /** User name of the first super admin; the password is generated into Secrets Manager. */
  readonly superAdminUsername: string;
  /** Subscribed to the alarm topic when set. */
  readonly alarmEmail?: string;
  /** Names of existing Secrets Manager secrets with platform-wide LLM keys; absent = not injected. */
  readonly llmApiKeySecrets: { readonly openai?: string; readonly anthropic?: string };
}
