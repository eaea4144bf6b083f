import { CfnOutput, Duration, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type { Construct } from 'constructs';

import { APP_NAMES, type AppName, type DeploymentConfig } from '../config/deployment-config';
import { AppSecrets } from './app-secrets';
import { Cache } from './cache';
import { ChromaService } from './chroma-service';
import { Database } from './database';
import { DatabaseMigration } from './database-migration';
import { FargateService } from './fargate-service';
import { GATEWAY_PORT, GatewayLoadBalancer } from './gateway-load-balancer';
import { LogArchive } from './log-archive';
import { Monitoring } from './monitoring';
import { Network } from './network';
import {
  appContainerSettings,
  migrationContainerSettings,
  type RuntimeInputs,
} from './service-environment';
import { Storage } from './storage';

export interface TenantbotStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/**
 * The whole deployment: the five apps on Fargate behind one ALB, PostgreSQL, Redis, S3,
 * Chroma, and the migration that runs before the apps roll.
 */
export class TenantbotStack extends Stack {
  readonly services: Readonly<Record<AppName, FargateService>>;
  readonly database: Database;
  readonly cache: Cache;
  readonly storage: Storage;
  readonly migration: DatabaseMigration;
  readonly loadBalancer: GatewayLoadBalancer;
  readonly chroma?: ChromaService;

  constructor(scope: Construct, id: string, props: TenantbotStackProps) {
    const { config } = props;
    super(scope, id, {
      ...props,
      // A region but no account: synth needs no credentials and does no lookups.
      env: { region: config.region },
      terminationProtection: config.database.deletionProtection,
      description: `tenantbot (${config.stage})`,
    });
    Tags.of(this).add('project', 'tenantbot');
    Tags.of(this).add('stage', config.stage);

    const logArchive = new LogArchive(this, 'LogArchive', { expireAfter: Duration.days(365) });
    const network = new Network(this, 'Network', {
      natGateways: config.natGateways,
      flowLogBucket: logArchive.bucket,
    });
    this.database = new Database(this, 'Database', {
      vpc: network.vpc,
      subnets: network.dataSubnets,
      rotationSubnets: network.taskSubnets,
      size: config.database,
      multiAz: config.multiAz,
      logRetention: config.logRetention,
    });
    this.cache = new Cache(this, 'Cache', {
      vpc: network.vpc,
      subnets: network.dataSubnets,
      nodeType: config.cacheNodeType,
      multiAz: config.multiAz,
    });
    this.storage = new Storage(this, 'Storage', {
      accessLogBucket: logArchive.bucket,
      keepOldVersionsFor: Duration.days(30),
    });
    const appSecrets = new AppSecrets(this, 'Secrets', { logRetention: config.logRetention });
    const cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: network.vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.loadBalancer = new GatewayLoadBalancer(this, 'Endpoint', {
      vpc: network.vpc,
      accessLogBucket: logArchive.bucket,
      certificateArn: config.certificateArn,
      domainName: config.domainName,
    });

    const chroma = this.chromaEndpoint(config, cluster, network);
    this.chroma = chroma.service;

    const inputs = this.runtimeInputs(config, appSecrets, chroma.url);
    const images = ecr.Repository.fromRepositoryName(this, 'Images', config.imageRepository);
    const imageOf = (app: AppName) =>
      ecs.ContainerImage.fromEcrRepository(images, `${app}-${config.imageTag}`);

    this.migration = new DatabaseMigration(this, 'Migration', {
      cluster,
      image: imageOf('admin'),
      subnets: network.taskSubnets,
      logRetention: config.logRetention,
      ...migrationContainerSettings(inputs),
    });
    this.database.allowFrom(this.migration, 'migration task');
    this.migration.runAfter(this.database);

    this.services = Object.fromEntries(
      APP_NAMES.map((app) => {
        const service = new FargateService(this, capitalize(app), {
          app,
          cluster,
          image: imageOf(app),
          size: config.services[app],
          subnets: network.taskSubnets,
          healthCheck: containerHealthCheck(app),
          containerPort: app === 'gateway' ? GATEWAY_PORT : undefined,
          healthCheckGracePeriod: app === 'gateway' ? Duration.seconds(60) : undefined,
          logRetention: config.logRetention,
          ...appContainerSettings(app, inputs),
        });
        // Roll only after the schema is migrated and ENCRYPTION_KEY holds its real value.
        service.service.node.addDependency(this.migration, appSecrets);
        return [app, service];
      }),
    ) as Record<AppName, FargateService>;
    this.connectServices();

    const monitoring = new Monitoring(this, 'Monitoring', {
      loadBalancer: this.loadBalancer.loadBalancer,
      gatewayTargets: this.loadBalancer.targetGroup,
      services: APP_NAMES.map((app) => ({
        service: this.services[app],
        minTasks: config.services[app].minTasks,
      })),
      alarmEmail: config.alarmEmail,
    });
    this.addOutputs(config, appSecrets, cluster, monitoring);
  }

  /** The configured Chroma, or a self-hosted one when none is configured. */
  private chromaEndpoint(
    config: DeploymentConfig,
    cluster: ecs.Cluster,
    network: Network,
  ): { url: string; service?: ChromaService } {
    if (config.chromaUrl) {
      return { url: config.chromaUrl };
    }
    const namespace = new servicediscovery.PrivateDnsNamespace(this, 'Namespace', {
      vpc: network.vpc,
      name: `${config.stage}.tenantbot.internal`,
    });
    const service = new ChromaService(this, 'Chroma', {
      cluster,
      namespace,
      image: config.chromaImage,
      cpu: config.chroma.cpu,
      memoryMiB: config.chroma.memoryMiB,
      taskSubnets: network.taskSubnets,
      dataSubnets: network.dataSubnets,
      logRetention: config.logRetention,
    });
    return { url: service.url, service };
  }

  /** Every security group rule and grant between the apps and what they use. */
  private connectServices(): void {
    for (const app of APP_NAMES) {
      this.database.allowFrom(this.services[app], `${app} tasks`);
      this.cache.allowFrom(this.services[app], `${app} tasks`);
    }
    this.chroma?.allowFrom(this.services.rag, 'rag tasks');
    this.storage.grantReadWrite(this.services.rag.taskRole);
    this.storage.grantUpload(this.services.gateway.taskRole);
    this.loadBalancer.routeTo(this.services.gateway);
  }

  private runtimeInputs(
    config: DeploymentConfig,
    appSecrets: AppSecrets,
    chromaUrl: string,
  ): RuntimeInputs {
    const existingSecret = (id: string, name: string | undefined) =>
      name ? secretsmanager.Secret.fromSecretNameV2(this, id, name) : undefined;
    return {
      config,
      endpoints: {
        redisUrl: this.cache.url,
        databaseOwnerUrl: this.database.ownerUrl,
        databaseAppUrl: this.database.appUrl,
        databasePlatformUrl: this.database.platformUrl,
        chromaUrl,
        publicUrl: this.loadBalancer.publicUrl,
        documentsBucket: this.storage.bucket.bucketName,
        region: this.region,
      },
      secrets: {
        redisPassword: this.cache.authToken,
        databaseOwner: this.database.ownerSecret,
        databaseAppPassword: this.database.appRolePassword,
        databasePlatformPassword: this.database.platformRolePassword,
        jwtSecret: appSecrets.jwtSecret,
        encryptionKey: appSecrets.encryptionKey,
        superAdminPassword: appSecrets.superAdminPassword,
        openaiApiKey: existingSecret('OpenaiApiKey', config.llmApiKeySecrets.openai),
        anthropicApiKey: existingSecret('AnthropicApiKey', config.llmApiKeySecrets.anthropic),
        chromaApiKey: existingSecret('ChromaApiKey', config.externalChroma.apiKeySecret),
      },
    };
  }

  private addOutputs(
    config: DeploymentConfig,
    appSecrets: AppSecrets,
    cluster: ecs.Cluster,
    monitoring: Monitoring,
  ) {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output('GatewayUrl', this.loadBalancer.publicUrl, 'PUBLIC_URL of the gateway');
    output(
      'LoadBalancerDnsName',
      this.loadBalancer.loadBalancer.loadBalancerDnsName,
      'Point the domain’s CNAME (or Route 53 alias) here',
    );
    output('SuperAdminUsername', config.superAdminUsername, 'First super admin');
    output(
      'SuperAdminPasswordSecretArn',
      appSecrets.superAdminPassword.secretArn,
      'aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text',
    );
    output('JwtSecretArn', appSecrets.jwtSecret.secretArn, 'JWT_SECRET');
    output('DatabaseOwnerSecretArn', this.database.ownerSecret.secretArn, 'Rotated every 30 days');
    output('DatabaseAppRoleSecretArn', this.database.appRolePassword.secretArn, 'App role');
    output(
      'DatabasePlatformRoleSecretArn',
      this.database.platformRolePassword.secretArn,
      'Platform role (cross-tenant reads)',
    );
    output('RedisAuthTokenSecretArn', this.cache.authToken.secretArn, 'REDIS_PASSWORD');
    output('RedisReplicationGroupId', this.cache.replicationGroup.ref, 'For token rotation');
    output('AlarmTopicArn', monitoring.alarmTopic.topicArn, 'Subscribe on-call here');
    output('DocumentsBucketName', this.storage.bucket.bucketName, 'Uploaded documents');
    output('ClusterName', cluster.clusterName, 'ECS cluster of the apps');
    for (const app of APP_NAMES) {
      output(`${capitalize(app)}ServiceName`, this.services[app].service.serviceName, app);
    }
    output('RunMigrationCommand', this.migration.runTaskCommand, 'Re-runs migrate.js by hand');
    output('MigrationLogGroup', this.migration.logGroup.logGroupName, 'Output of migrate.js');
  }
}

/** Same checks as docker/Dockerfile's HEALTHCHECKs; ECS ignores those, so they are repeated. */
export function containerHealthCheck(app: AppName): ecs.HealthCheck {
  const command =
    app === 'gateway'
      ? [
          'node',
          '-e',
          `fetch('http://127.0.0.1:${GATEWAY_PORT}/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ]
      : ['node', 'dist/libs/transport/src/healthcheck.js', app];
  return {
    command: ['CMD', ...command],
    interval: Duration.seconds(30),
    timeout: Duration.seconds(10),
    startPeriod: Duration.seconds(30),
    retries: 3,
  };
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
