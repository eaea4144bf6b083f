import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

import type { DatabaseSize } from '../config/deployment-config';

export interface DatabaseProps {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** Where the password-rotation function runs: it must reach Secrets Manager. */
  readonly rotationSubnets: ec2.SubnetSelection;
  readonly size: DatabaseSize;
  readonly multiAz: boolean;
  readonly logRetention: logs.RetentionDays;
}

/**
 * PostgreSQL 15 with two roles: the owner (RDS master user, used only by the migration task)
 * and the services' role, which owns nothing and so cannot bypass row-level security. The
 * migration creates the services' role with the password kept in `appRolePassword`.
 */
export class Database extends Construct {
  static readonly NAME = 'tenantbot';
  static readonly OWNER = 'tenantbot_owner';
  static readonly APP_ROLE = 'tenantbot_app';
  /** Reads across tenants (libs/database's PlatformScope); the row-level policies name it. */
  static readonly PLATFORM_ROLE = 'tenantbot_platform';

  readonly instance: rds.DatabaseInstance;
  /** JSON secret of the owner (username, password, host…): the migration reads `password`. */
  readonly ownerSecret: rds.DatabaseSecret;
  /** Plain-string password of the services' role. */
  readonly appRolePassword: secretsmanager.Secret;
  /** Plain-string password of the platform role, for the services that cross tenants. */
  readonly platformRolePassword: secretsmanager.Secret;
  /** Owner connection URL, without password. */
  readonly ownerUrl: string;
  /** Services' connection URL, without password. */
  readonly appUrl: string;
  /** The platform role's connection URL, without password. */
  readonly platformUrl: string;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    // A fixed identifier names the log group up front, so the stack owns it (and its
    // retention) instead of RDS creating it on first export.
    const instanceIdentifier = `${Stack.of(this).stackName}-postgres`.toLowerCase();
    const postgresLogs = new logs.LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/instance/${instanceIdentifier}/postgresql`,
      retention: props.logRetention,
    });
    this.ownerSecret = new rds.DatabaseSecret(this, 'OwnerSecret', { username: Database.OWNER });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      instanceIdentifier,
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_15 }),
      instanceType: new ec2.InstanceType(props.size.instanceType),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      databaseName: Database.NAME,
      credentials: rds.Credentials.fromSecret(this.ownerSecret),
      multiAz: props.multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: props.size.allocatedStorageGiB,
      maxAllocatedStorage: props.size.maxAllocatedStorageGiB,
      storageEncrypted: true,
      backupRetention: Duration.days(props.size.backupRetentionDays),
      deletionProtection: props.size.deletionProtection,
      removalPolicy: RemovalPolicy.SNAPSHOT,
      autoMinorVersionUpgrade: true,
      cloudwatchLogsExports: ['postgresql'],
      publiclyAccessible: false,
    });
    this.instance.node.addDependency(postgresLogs);
    this.instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: props.rotationSubnets,
    });
    this.appRolePassword = new secretsmanager.Secret(this, 'AppRolePassword', {
      description: `Password of the ${Database.APP_ROLE} role the services connect as`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });
    this.platformRolePassword = new secretsmanager.Secret(this, 'PlatformRolePassword', {
      description: `Password of the ${Database.PLATFORM_ROLE} role of cross-tenant reads`,
      generateSecretString: { passwordLength: 40, excludePunctuation: true },
    });

    const endpoint = `${this.instance.dbInstanceEndpointAddress}:${this.instance.dbInstanceEndpointPort}`;
    this.ownerUrl = `postgres://${Database.OWNER}@${endpoint}/${Database.NAME}`;
    this.appUrl = `postgres://${Database.APP_ROLE}@${endpoint}/${Database.NAME}`;
    this.platformUrl = `postgres://${Database.PLATFORM_ROLE}@${endpoint}/${Database.NAME}`;
    this.acknowledgeFindings(props);
  }

  /** Opens the PostgreSQL port to a client's security group, and to nothing else. */
  allowFrom(client: ec2.IConnectable, description: string): void {
    this.instance.connections.allowDefaultPortFrom(client, description);
  }

  private acknowledgeFindings(props: DatabaseProps): void {
    Validations.of(this.instance).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'Standard port 5432: the security group admits only the services, so a non-default port hides nothing.',
    });
    for (const rolePassword of [this.appRolePassword, this.platformRolePassword]) {
      Validations.of(rolePassword).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The migration sets this password in PostgreSQL, so rotating means new value, re-run migration, restart (docs/deploy.md).',
      });
    }
    if (!props.multiAz) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS3',
        reason: 'Single-AZ is this stage’s cost choice (DeploymentConfig.multiAz = false).',
      });
    }
    if (!props.size.deletionProtection) {
      Validations.of(this.instance).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: 'Non-production stage: deletion protection is off so the stage can be torn down.',
      });
    }
  }
}
