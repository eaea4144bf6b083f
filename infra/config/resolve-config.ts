import { type DeploymentConfig, LOG_LEVELS, type LogLevel } from './deployment-config';
import { STAGES } from './stages';

export interface ContextSource {
  tryGetContext(key: string): unknown;
}

/**
 * The stage's typed defaults (`-c stage=staging`, default production) with per-deploy
 * overrides from CDK context, e.g. `-c imageTag=3f2a9c1 -c certificateArn=arn:aws:acm:…`.
 * Context given on the command line is always a string, so booleans and numbers are parsed.
 */
export function resolveDeploymentConfig(context: ContextSource): DeploymentConfig {
  const read = (key: string) => optionalString(context.tryGetContext(key), key);
  const stage = read('stage') ?? 'production';
  const base = STAGES[stage];
  if (!base) {
    throw new Error(`unknown stage "${stage}"; known: ${Object.keys(STAGES).join(', ')}`);
  }

  const config: DeploymentConfig = {
    ...base,
    region: read('region') ?? base.region,
    imageRepository: read('imageRepository') ?? base.imageRepository,
    imageTag: read('imageTag') ?? base.imageTag,
    domainName: read('domainName') ?? base.domainName,
    certificateArn: read('certificateArn') ?? base.certificateArn,
    chromaUrl: read('chromaUrl') ?? base.chromaUrl,
    externalChroma: {
      apiKeySecret: read('chromaApiKeySecret') ?? base.externalChroma.apiKeySecret,
      authHeader:
        (read('chromaAuthHeader') as 'x-chroma-token' | 'authorization' | undefined) ??
        base.externalChroma.authHeader,
      tenant: read('chromaTenant') ?? base.externalChroma.tenant,
      database: read('chromaDatabase') ?? base.externalChroma.database,
    },
    alarmEmail: read('alarmEmail') ?? base.alarmEmail,
    superAdminUsername: read('superAdminUsername') ?? base.superAdminUsername,
    logLevel: (read('logLevel') as LogLevel | undefined) ?? base.logLevel,
    multiAz: parseBoolean(read('multiAz'), 'multiAz') ?? base.multiAz,
    natGateways: parseCount(read('natGateways'), 'natGateways') ?? base.natGateways,
    llmApiKeySecrets: {
      openai: read('openaiApiKeySecret') ?? base.llmApiKeySecrets.openai,
      anthropic: read('anthropicApiKeySecret') ?? base.llmApiKeySecrets.anthropic,
    },
  };
  const problems = configProblems(config);
  if (problems.length > 0) {
    throw new Error(`invalid deployment config (${stage}):\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

export function configProblems(config: DeploymentConfig): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => ok || problems.push(problem);
  check(/^[a-z]{2}(-[a-z]+)+-\d$/.test(config.region), `region "${config.region}" is not a region`);
  check(/^[\w][\w.-]{0,127}$/.test(config.imageTag), `imageTag "${config.imageTag}" is not a tag`);
  check(
    /^[a-z0-9]+([._/-][a-z0-9]+)*$/.test(config.imageRepository),
    `imageRepository "${config.imageRepository}" is not an ECR repository name`,
  );
  check(
    config.certificateArn === undefined || /^arn:aws[\w-]*:acm:/.test(config.certificateArn),
    'certificateArn must be an ACM certificate ARN',
  );
  check(
    config.certificateArn === undefined || config.domainName !== undefined,
    'certificateArn needs domainName (PUBLIC_URL is https://<domainName>)',
  );
  check(
    config.chromaUrl === undefined || /^https?:\/\/[^/\s]+/.test(config.chromaUrl),
    'chromaUrl must be an http(s) URL',
  );
  const external = config.externalChroma;
  const externalSettings = [external.apiKeySecret, external.tenant, external.database];
  check(
    config.chromaUrl !== undefined || externalSettings.every((value) => value === undefined),
    'chromaApiKeySecret, chromaTenant and chromaDatabase need chromaUrl (an external Chroma)',
  );
  check(
    external.authHeader === undefined ||
      external.authHeader === 'x-chroma-token' ||
      external.authHeader === 'authorization',
    'chromaAuthHeader must be x-chroma-token or authorization',
  );
  check(
    external.apiKeySecret === undefined || config.chromaUrl?.startsWith('https://') === true,
    'a Chroma token (chromaApiKeySecret) is only sent over https: chromaUrl must be https://',
  );
  check(LOG_LEVELS.includes(config.logLevel), `logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  check(
    config.natGateways >= 1,
    'natGateways must be at least 1 (tasks reach ECR and LLM APIs through NAT)',
  );
  for (const [app, size] of Object.entries(config.services)) {
    check(
      size.minTasks >= 1 && size.minTasks <= size.maxTasks,
      `${app}: need 1 <= minTasks <= maxTasks`,
    );
  }
  return problems;
}

function optionalString(value: unknown, key: string): string | undefined {
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'boolean' || typeof value === 'number') {
    return String(value);
  }
  throw new Error(`context "${key}" must be a string`);
}

function parseBoolean(value: string | undefined, key: string): boolean | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === 'true' || value === 'false') {
    return value === 'true';
  }
  throw new Error(`context "${key}" must be true or false, got "${value}"`);
}

function parseCount(value: string | undefined, key: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (/^\d+$/.test(value)) {
    return Number(value);
  }
  throw new Error(`context "${key}" must be a whole number, got "${value}"`);
}
