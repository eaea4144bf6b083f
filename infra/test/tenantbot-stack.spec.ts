import { beforeAll, describe, expect, it } from '@jest/globals';
import type { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { IConnectable } from 'aws-cdk-lib/aws-ec2';
import type { IConstruct } from 'constructs';

import { APP_NAMES, type AppName } from '../config/deployment-config';
import { production } from '../config/stages';
import { expectMetricsNeverRouted } from './internal-paths';
import { required, synthesize, type Synthesized } from './synthesize';

const CERTIFICATE_ARN =
  'arn:aws:acm:us-east-1:123456789012:certificate/0f7c2a1e-1111-2222-3333-444455556666';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize({
    imageTag: 'abc1234',
    domainName: 'chat.example.com',
    certificateArn: CERTIFICATE_ARN,
  });
});

const template = () => synthesized.template;
const stack = () => synthesized.stack;
const logicalId = (construct: IConstruct) =>
  stack().getLogicalId(construct.node.defaultChild as CfnElement);
const groupOf = (peer: IConnectable) =>
  required(peer.connections.securityGroups[0], `security group of ${peer.toString()}`);
const ref = (peer: IConnectable) => ({ 'Fn::GetAtt': [logicalId(groupOf(peer)), 'GroupId'] });

type ContainerDefinition = {
  Name: string;
  Environment?: { Name: string; Value: unknown }[];
  Secrets?: { Name: string; ValueFrom: unknown }[];
  PortMappings?: { ContainerPort: number }[];
  HealthCheck?: { Command: string[] };
  Command?: string[];
  Image: unknown;
};

function containerOf(taskDefinition: IConstruct): ContainerDefinition {
  const resource = template().toJSON().Resources[logicalId(taskDefinition)];
  const [container] = resource.Properties.ContainerDefinitions as ContainerDefinition[];
  return required(container, `container of ${taskDefinition.node.path}`);
}

const appContainer = (app: AppName) => containerOf(stack().services[app].service.taskDefinition);
const secretNames = (container: ContainerDefinition) =>
  (container.Secrets ?? []).map(({ Name }) => Name);
/** Environment values as JSON, so token values (Fn::Join…) compare as text. */
const environmentOf = (container: ContainerDefinition) =>
  Object.fromEntries(
    (container.Environment ?? []).map(({ Name, Value }) => [Name, JSON.stringify(Value)]),
  );

/** Ingress rules (standalone and inline) that open a peer's security group. */
function ingressInto(peer: IConnectable) {
  const resources = Object.values(template().toJSON().Resources) as {
    Type: string;
    Properties: Record<string, unknown>;
  }[];
  const standalone = resources
    .filter(({ Type }) => Type === 'AWS::EC2::SecurityGroupIngress')
    .map(({ Properties }) => Properties)
    .filter(({ GroupId }) => JSON.stringify(GroupId) === JSON.stringify(ref(peer)));
  const inline = (template().toJSON().Resources[logicalId(groupOf(peer))].Properties
    .SecurityGroupIngress ?? []) as Record<string, unknown>[];
  return [...standalone, ...inline];
}

const chroma = () => required(stack().chroma, 'Chroma service');

describe('TenantbotStack (production defaults, HTTPS)', () => {
  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    expect(synthesized.nagViolations).toEqual([]);
  });

  it('gives every acknowledgement a reason', () => {
    const acknowledgements = stack()
      .node.findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter(({ type }) => type === 'aws:cdk:acknowledged-rules')
      .flatMap(({ data }) => Object.entries(data as Record<string, string>));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect({ id, reason: reason.length > 20 }).toEqual({ id, reason: true });
    }
  });

  it('spreads the VPC over two AZs with public, task and isolated data subnets', () => {
    template().resourceCountIs('AWS::EC2::Subnet', 6);
    template().resourceCountIs('AWS::EC2::NatGateway', 2);
    template().hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
    const [subnetGroup] = Object.values(template().findResources('AWS::RDS::DBSubnetGroup'));
    const dataSubnetIds = stack().database.instance.vpc.isolatedSubnets.map((subnet) =>
      stack().resolve(subnet.subnetId),
    );
    expect(subnetGroup?.Properties.SubnetIds).toEqual(dataSubnetIds);
  });

  describe('database', () => {
    it('is encrypted PostgreSQL 15, Multi-AZ, backed up, private and protected', () => {
      template().hasResourceProperties('AWS::RDS::DBInstance', {
        Engine: 'postgres',
        EngineVersion: '15',
        StorageEncrypted: true,
        MultiAZ: true,
        BackupRetentionPeriod: 7,
        DeletionProtection: true,
        PubliclyAccessible: false,
        MasterUserPassword: Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')]),
          ]),
        }),
      });
    });

    it('admits only the services, the migration task and the rotation function', () => {
      const sources = ingressInto(stack().database.instance);
      const expected = [
        ...APP_NAMES.map((app) => ref(stack().services[app].securityGroup)),
        ref(stack().migration.securityGroup),
      ];
      expect(sources.every(({ CidrIp, CidrIpv6 }) => !CidrIp && !CidrIpv6)).toBe(true);
      for (const source of expected) {
        expect(sources.map(({ SourceSecurityGroupId }) => SourceSecurityGroupId)).toContainEqual(
          source,
        );
      }
      const others = sources.filter(
        ({ SourceSecurityGroupId }) =>
          !expected.some(
            (source) => JSON.stringify(source) === JSON.stringify(SourceSecurityGroupId),
          ),
      );
      expect(others).toHaveLength(1);
      expect(JSON.stringify(others[0]?.SourceSecurityGroupId)).toContain('RotationSingleUser');
    });
  });

  describe('cache', () => {
    it('encrypts in transit and at rest, authenticates with a Secrets Manager token, fails over', () => {
      template().hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
        Engine: 'redis',
        TransitEncryptionEnabled: true,
        AtRestEncryptionEnabled: true,
        MultiAZEnabled: true,
        AutomaticFailoverEnabled: true,
        NumCacheClusters: 2,
        AuthToken: Match.objectLike({
          'Fn::Join': Match.arrayWith([
            Match.arrayWith([Match.stringLikeRegexp('resolve:secretsmanager')]),
          ]),
        }),
      });
    });

    it('admits the five services on 6379 and nothing else', () => {
      const rules = ingressInto(stack().cache);
      expect(rules).toHaveLength(5);
      expect(rules.every(({ FromPort, ToPort }) => FromPort === 6379 && ToPort === 6379)).toBe(
        true,
      );
      expect(rules.map(({ SourceSecurityGroupId }) => SourceSecurityGroupId)).toEqual(
        expect.arrayContaining(APP_NAMES.map((app) => ref(stack().services[app].securityGroup))),
      );
    });
  });

  describe('documents bucket', () => {
    it('is encrypted, versioned, logged and closed to the public', () => {
      template().hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'documents-bucket/' }),
      });
    });

    it('refuses requests without TLS', () => {
      template().hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId(stack().storage.bucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('is readable and writable by the rag task role, writable by the gateway, and nothing else', () => {
      const bucketArn = { 'Fn::GetAtt': [logicalId(stack().storage.bucket), 'Arn'] };
      const policies = Object.values(template().findResources('AWS::IAM::Policy'));
      const grantingS3 = policies.filter((policy) => JSON.stringify(policy).includes('"s3:'));
      const ragRole = { Ref: logicalId(stack().services.rag.taskRole) };
      const ragPolicies = grantingS3.filter(({ Properties }) =>
        JSON.stringify(Properties.Roles).includes(JSON.stringify(ragRole)),
      );
      expect(ragPolicies).toHaveLength(1);
      expect(ragPolicies[0]?.Properties.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
          Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
        },
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
      ]);
      const gatewayRole = { Ref: logicalId(stack().services.gateway.taskRole) };
      const gatewayPolicies = grantingS3.filter(({ Properties }) =>
        JSON.stringify(Properties.Roles).includes(JSON.stringify(gatewayRole)),
      );
      expect(gatewayPolicies).toHaveLength(1);
      expect(gatewayPolicies[0]?.Properties.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['s3:DeleteObject', 's3:PutObject'],
          Resource: { 'Fn::Join': ['', [bucketArn, '/*']] },
        },
      ]);
      const otherTaskRoles = APP_NAMES.filter((app) => app !== 'rag' && app !== 'gateway').map(
        (app) => JSON.stringify({ Ref: logicalId(stack().services[app].taskRole) }),
      );
      for (const policy of grantingS3) {
        for (const role of otherTaskRoles) {
          expect(JSON.stringify(policy)).not.toContain(role);
        }
      }
    });
  });

  describe('services', () => {
    const SECRET_NAMES: Record<AppName, string[]> = {
      gateway: ['REDIS_PASSWORD', 'DATABASE_APP_PASSWORD', 'JWT_SECRET'],
      tenants: [
        'REDIS_PASSWORD',
        'DATABASE_APP_PASSWORD',
        'DATABASE_PLATFORM_PASSWORD',
        'JWT_SECRET',
        'ENCRYPTION_KEY',
        'SUPER_ADMIN_PASSWORD',
      ],
      rag: [
        'REDIS_PASSWORD',
        'DATABASE_APP_PASSWORD',
        'DATABASE_PLATFORM_PASSWORD',
        'ENCRYPTION_KEY',
      ],
      chat: [
        'REDIS_PASSWORD',
        'DATABASE_APP_PASSWORD',
        'DATABASE_PLATFORM_PASSWORD',
        'ENCRYPTION_KEY',
      ],
      admin: ['REDIS_PASSWORD', 'DATABASE_APP_PASSWORD'],
    };
    const COMMON_ENVIRONMENT = [
      'NODE_ENV',
      'LOG_LEVEL',
      'REDIS_URL',
      'REDIS_PREFIX',
      'TRANSPORT_TIMEOUT_MS',
      'TRANSPORT_CLAIM_IDLE_MS',
      'DATABASE_APP_URL',
    ];
    const OWN_ENVIRONMENT: Record<AppName, string[]> = {
      gateway: ['PORT', 'HOST', 'PUBLIC_URL', 'TRUST_PROXY', 'S3_BUCKET', 'AWS_REGION'],
      tenants: ['SUPER_ADMIN_USERNAME', 'PUBLIC_URL', 'DATABASE_PLATFORM_URL'],
      rag: ['CHROMA_URL', 'S3_BUCKET', 'AWS_REGION', 'DATABASE_PLATFORM_URL'],
      chat: ['DATABASE_PLATFORM_URL'],
      admin: [],
    };

    it.each(APP_NAMES)('%s gets its secrets as ECS secrets, never as environment', (app) => {
      const container = appContainer(app);
      expect(secretNames(container)).toEqual(SECRET_NAMES[app]);
      const environment = environmentOf(container);
      expect(Object.keys(environment).sort()).toEqual(
        [...COMMON_ENVIRONMENT, ...OWN_ENVIRONMENT[app]].sort(),
      );
      expect(JSON.stringify(environment)).not.toMatch(/secretsmanager|SECRET|PASSWORD|KEY/);
    });

    it.each(APP_NAMES)('%s runs its own image at the configured tag', (app) => {
      expect(JSON.stringify(appContainer(app).Image)).toContain(`/tenantbot:${app}-abc1234`);
    });

    it('points the apps at TLS Redis and at the database without a password in the URL', () => {
      const environment = environmentOf(appContainer('chat'));
      expect(environment.REDIS_URL).toContain('rediss://');
      expect(environment.DATABASE_APP_URL).toContain('postgres://tenantbot_app@');
      expect(environment.NODE_ENV).toBe('"production"');
    });

    it('gives the platform role (cross-tenant reads) only to the apps that cross tenants', () => {
      expect(environmentOf(appContainer('tenants')).DATABASE_PLATFORM_URL).toContain(
        'postgres://tenantbot_platform@',
      );
      for (const app of ['gateway', 'admin'] as const) {
        expect(secretNames(appContainer(app))).not.toContain('DATABASE_PLATFORM_PASSWORD');
        expect(environmentOf(appContainer(app))).not.toHaveProperty('DATABASE_PLATFORM_URL');
      }
    });

    it('exposes only the gateway, on 3000, with an HTTP health check', () => {
      const gateway = appContainer('gateway');
      expect(gateway.PortMappings).toEqual([{ ContainerPort: 3000, Protocol: 'tcp' }]);
      expect(gateway.HealthCheck?.Command.join(' ')).toContain('/healthz');
      for (const app of APP_NAMES.filter((name) => name !== 'gateway')) {
        expect(appContainer(app).PortMappings ?? []).toEqual([]);
        expect(appContainer(app).HealthCheck?.Command).toEqual([
          'CMD',
          'node',
          'dist/libs/transport/src/healthcheck.js',
          app,
        ]);
      }
    });

    it('keeps every app in private subnets without public IPs', () => {
      const services = template().findResources('AWS::ECS::Service');
      for (const service of Object.values(services)) {
        expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe(
          'DISABLED',
        );
      }
      expect(Object.keys(services)).toHaveLength(6);
    });

    it.each(APP_NAMES)('%s scales on CPU and memory between its min and max tasks', (app) => {
      const size = production.services[app];
      const serviceName = { 'Fn::GetAtt': [logicalId(stack().services[app].service), 'Name'] };
      const targets = template().findResources('AWS::ApplicationAutoScaling::ScalableTarget', {
        Properties: {
          MinCapacity: size.minTasks,
          MaxCapacity: size.maxTasks,
          ResourceId: Match.objectLike({
            'Fn::Join': Match.arrayWith([Match.arrayWith([serviceName])]),
          }),
        },
      });
      const [targetId] = Object.keys(targets);
      expect(targetId).toBeDefined();
      for (const metric of [
        'ECSServiceAverageCPUUtilization',
        'ECSServiceAverageMemoryUtilization',
      ]) {
        template().hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
          PolicyType: 'TargetTrackingScaling',
          ScalingTargetId: { Ref: targetId },
          TargetTrackingScalingPolicyConfiguration: Match.objectLike({
            PredefinedMetricSpecification: { PredefinedMetricType: metric },
          }),
        });
      }
    });

    it('writes every log group with a retention', () => {
      const logGroups = Object.values(template().findResources('AWS::Logs::LogGroup'));
      expect(logGroups.length).toBeGreaterThanOrEqual(8);
      for (const logGroup of logGroups) {
        expect(logGroup.Properties.RetentionInDays).toBe(90);
      }
    });
  });

  describe('gateway load balancer', () => {
    it('serves HTTPS with the configured certificate and redirects HTTP', () => {
      template().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        Scheme: 'internet-facing',
      });
      template().hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 443,
        Protocol: 'HTTPS',
        Certificates: [{ CertificateArn: CERTIFICATE_ARN }],
      });
      template().hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [
          Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443' }) }),
        ],
      });
    });

    it('answers /metrics at the listener (404), never routing it to a gateway', () => {
      expectMetricsNeverRouted(template());
    });

    it('checks gateway health on /healthz', () => {
      template().hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 3000,
        TargetType: 'ip',
        HealthCheckPath: '/healthz',
      });
    });

    it('lets only the load balancer reach the gateway, on 3000', () => {
      const rules = ingressInto(stack().services.gateway.securityGroup);
      expect(rules).toEqual([
        expect.objectContaining({
          FromPort: 3000,
          ToPort: 3000,
          SourceSecurityGroupId: ref(stack().loadBalancer.loadBalancer),
        }),
      ]);
    });

    it('leaves the other services without any ingress', () => {
      for (const app of ['tenants', 'rag', 'chat', 'admin'] as const) {
        expect(ingressInto(stack().services[app].securityGroup)).toEqual([]);
      }
    });

    it('publishes https://<domain> as PUBLIC_URL, to the tenants service too (reserved host)', () => {
      expect(environmentOf(appContainer('gateway')).PUBLIC_URL).toBe('"https://chat.example.com"');
      expect(environmentOf(appContainer('tenants')).PUBLIC_URL).toBe('"https://chat.example.com"');
    });
  });

  describe('chroma', () => {
    it('persists on encrypted EFS that only Chroma mounts', () => {
      template().hasResourceProperties('AWS::EFS::FileSystem', { Encrypted: true });
      const rules = ingressInto(chroma().fileSystem);
      expect(rules).toEqual([
        expect.objectContaining({ FromPort: 2049, SourceSecurityGroupId: ref(chroma().service) }),
      ]);
    });

    it('is reachable from the rag service only', () => {
      const rules = ingressInto(chroma());
      expect(rules).toEqual([
        expect.objectContaining({
          FromPort: 8000,
          SourceSecurityGroupId: ref(stack().services.rag.securityGroup),
        }),
      ]);
    });

    it('runs a single writer and gives rag and gateway its private DNS name', () => {
      const service = template().toJSON().Resources[logicalId(chroma().service)];
      expect(service.Properties.DesiredCount).toBe(1);
      expect(service.Properties.DeploymentConfiguration.MaximumPercent).toBe(100);
      expect(environmentOf(appContainer('rag')).CHROMA_URL).toBe(
        '"http://chroma.production.tenantbot.internal:8000"',
      );
    });
  });

  describe('migration', () => {
    const migrationContainer = () => containerOf(stack().migration.taskDefinition);

    it('runs migrate.js with the owner, app-role and platform-role passwords as ECS secrets', () => {
      const container = migrationContainer();
      expect(container.Command).toEqual(['node', 'dist/libs/database/src/migrate.js']);
      expect(secretNames(container)).toEqual([
        'DATABASE_PASSWORD',
        'DATABASE_APP_PASSWORD',
        'DATABASE_PLATFORM_PASSWORD',
      ]);
      const environment = environmentOf(container);
      expect(environment.DATABASE_URL).toContain('postgres://tenantbot_owner@');
      expect(environment.DATABASE_APP_URL).toContain('postgres://tenantbot_app@');
      expect(environment.DATABASE_PLATFORM_URL).toContain('postgres://tenantbot_platform@');
    });

    it('keeps the owner password away from the services', () => {
      for (const app of APP_NAMES) {
        expect(secretNames(appContainer(app))).not.toContain('DATABASE_PASSWORD');
      }
    });

    it('starts only once the database admits it and the NAT routes exist', () => {
      const [runId] = Object.keys(template().findResources('Custom::DatabaseMigration'));
      const dependsOn = template().toJSON().Resources[required(runId, 'migration run')]
        .DependsOn as string[];
      const migrationIngress = Object.entries(
        template().findResources('AWS::EC2::SecurityGroupIngress'),
      )
        .filter(([, rule]) =>
          JSON.stringify(rule.Properties.SourceSecurityGroupId).includes(
            logicalId(stack().migration.securityGroup),
          ),
        )
        .map(([id]) => id);
      expect(migrationIngress).toHaveLength(1);
      expect(dependsOn).toContain(migrationIngress[0]);
      expect(dependsOn).toContain(logicalId(stack().database.instance));
      expect(dependsOn.filter((id) => /tasksSubnet\dDefaultRoute/.test(id))).toHaveLength(2);
    });

    it('runs as a custom resource on every new task definition, before the services roll', () => {
      const migrationRuns = template().findResources('Custom::DatabaseMigration');
      const [runId] = Object.keys(migrationRuns);
      expect(migrationRuns[required(runId, 'migration run')]?.Properties.TaskDefinition).toEqual({
        Ref: logicalId(stack().migration.taskDefinition),
      });
      for (const app of APP_NAMES) {
        const service = template().toJSON().Resources[logicalId(stack().services[app].service)];
        expect(service.DependsOn).toContain(runId);
      }
    });
  });

  describe('alarms', () => {
    it('alarms on the 5xx rate and on unhealthy gateway targets', () => {
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 5,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: Match.stringLikeRegexp('target5xx') }),
        ]),
        AlarmActions: [Match.anyValue()],
      });
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'UnHealthyHostCount',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    });

    it.each(APP_NAMES)('alarms when %s runs fewer tasks than its minimum', (app) => {
      template().hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'RunningTaskCount',
        Threshold: production.services[app].minTasks,
        ComparisonOperator: 'LessThanThreshold',
        Dimensions: Match.arrayWith([
          {
            Name: 'ServiceName',
            Value: { 'Fn::GetAtt': [logicalId(stack().services[app].service), 'Name'] },
          },
        ]),
      });
    });
  });
});
