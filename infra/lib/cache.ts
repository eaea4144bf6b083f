import { Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface CacheProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly nodeType: string;
  /** A replica in the second AZ with automatic failover. */
  readonly multiAz: boolean;
}

const REDIS_PORT = 6379;

/**
 * Redis 7 on ElastiCache: the services' transport (Redis Streams) and rate limiter. TLS in
 * transit (hence `rediss://`), encrypted at rest, AUTH token from Secrets Manager.
 */
export class Cache extends Construct implements ec2.IConnectable {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authToken: secretsmanager.Secret;
  readonly connections: ec2.Connections;
  /** `rediss://host:port`; the token travels separately as REDIS_PASSWORD. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Redis: reachable from the services only',
      allowAllOutbound: false,
    });
    this.connections = new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(REDIS_PORT),
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: 'Isolated data subnets',
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });
    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: 'ElastiCache AUTH token (REDIS_PASSWORD)',
      // ElastiCache tokens: 16-128 printable characters without / " or @.
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupDescription: 'tenantbot transport and rate limits',
      engine: 'redis',
      engineVersion: '7.1',
      cacheNodeType: props.nodeType,
      numCacheClusters: props.multiAz ? 2 : 1,
      automaticFailoverEnabled: props.multiAz,
      multiAzEnabled: props.multiAz,
      port: REDIS_PORT,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [securityGroup.securityGroupId],
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(),
      snapshotRetentionLimit: 1,
      autoMinorVersionUpgrade: true,
    });
    this.url = `rediss://${this.replicationGroup.attrPrimaryEndPointAddress}:${this.replicationGroup.attrPrimaryEndPointPort}`;
    this.acknowledgeFindings(props);
  }

  allowFrom(client: ec2.IConnectable, description: string): void {
    this.connections.allowDefaultPortFrom(client, description);
  }

  private acknowledgeFindings(props: CacheProps): void {
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-AEC5',
        reason:
          'Standard port 6379: the security group admits only the services, so a non-default port hides nothing.',
      },
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'ElastiCache token rotation is a two-step ROTATE/SET procedure with a service restart in between; docs/deploy.md describes it.',
      },
    );
    if (!props.multiAz) {
      Validations.of(this.replicationGroup).acknowledge({
        id: 'AwsSolutions-AEC4',
        reason: 'Single node is this stage’s cost choice (DeploymentConfig.multiAz = false).',
      });
    }
  }
}
