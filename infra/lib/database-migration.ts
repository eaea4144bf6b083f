import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';

import {
  acknowledgeTaskDefinitionFindings,
  type ContainerSettings,
  logDriver,
  RUNTIME_PLATFORM,
} from './fargate-service';
import {
  type EcsTaskApi,
  type MigrationTaskProperties,
  runMigrationTask,
} from './handlers/run-migration-task';
import { InlineHandlerProvider } from './inline-handler-provider';

export interface DatabaseMigrationProps extends ContainerSettings {
  readonly cluster: ecs.ICluster;
  /** Any app image: each carries dist/libs/database/src/migrate.js. */
  readonly image: ecs.ContainerImage;
  readonly subnets: ec2.SubnetSelection;
  readonly logRetention: logs.RetentionDays;
}

export const MIGRATE_COMMAND = ['node', 'dist/libs/database/src/migrate.js'];
/** What runMigrationTask gets in Lambda: the SDK v3 client that the runtime bundles. */
export const MIGRATION_RUNNER_DEPENDENCIES = "new (require('@aws-sdk/client-ecs').ECS)()";
const CONTAINER_NAME = 'migrate';

/**
 * Runs `migrate.js` as a one-off Fargate task during `cdk deploy`, before any service rolls.
 *
 * Why a custom resource and not a container dependency in each service's task: only this
 * task holds the owner's password (the services connect as a role that cannot bypass
 * row-level security), the migration runs once per deploy rather than once per task start,
 * and a failed migration fails the deployment while the old services keep running.
 * Services must depend on this construct. It re-runs whenever its task definition changes,
 * which every new image tag does.
 */
export class DatabaseMigration extends Construct implements ec2.IConnectable {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly connections: ec2.Connections;
  readonly logGroup: logs.LogGroup;
  /** `aws ecs run-task …` that runs the migration outside a deploy (e.g. after a rotation). */
  readonly runTaskCommand: string;
  private readonly run: CustomResource;

  constructor(scope: Construct, id: string, props: DatabaseMigrationProps) {
    super(scope, id);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: 256,
      memoryLimitMiB: 512,
      runtimePlatform: RUNTIME_PLATFORM,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.taskDefinition.addContainer(CONTAINER_NAME, {
      image: props.image,
      command: MIGRATE_COMMAND,
      environment: props.environment,
      secrets: props.secrets,
      logging: logDriver(CONTAINER_NAME, this.logGroup),
      readonlyRootFilesystem: true,
    });
    acknowledgeTaskDefinitionFindings(this.taskDefinition);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: 'Database migration task',
    });
    this.connections = this.securityGroup.connections;
    const subnets = props.cluster.vpc.selectSubnets(props.subnets);
    const subnetIds = subnets.subnetIds;
    const network = `subnets=[${subnetIds.join(',')}],securityGroups=[${this.securityGroup.securityGroupId}],assignPublicIp=DISABLED`;
    this.runTaskCommand = [
      `aws ecs run-task --cluster ${props.cluster.clusterName} --launch-type FARGATE`,
      `--task-definition ${this.taskDefinition.taskDefinitionArn}`,
      `--network-configuration 'awsvpcConfiguration={${network}}'`,
    ].join(' ');
    this.run = this.runOnDeploy(props, subnetIds);
    // The image is pulled through NAT: its route must exist before the one run starts.
    this.runAfter(subnets.internetConnectivityEstablished);
  }

  /**
   * Holds the run back until these exist. The task starts once, so what it needs (such as
   * the database and its ingress rule) must be there, not merely on its way.
   */
  runAfter(...dependencies: IDependable[]): void {
    this.run.node.addDependency(...dependencies);
  }

  private runOnDeploy(props: DatabaseMigrationProps, subnetIds: string[]): CustomResource {
    const runner = new InlineHandlerProvider<MigrationTaskProperties, EcsTaskApi>(this, 'Runner', {
      handler: runMigrationTask,
      dependencies: MIGRATION_RUNNER_DEPENDENCIES,
      description: 'Runs the database migration task and waits for it to exit',
      timeout: Duration.minutes(14),
      logRetention: props.logRetention,
    });
    this.grantRunAndWatch(runner, props.cluster);
    const properties: MigrationTaskProperties = {
      Cluster: props.cluster.clusterArn,
      TaskDefinition: this.taskDefinition.taskDefinitionArn,
      ContainerName: CONTAINER_NAME,
      Subnets: subnetIds,
      SecurityGroups: [this.securityGroup.securityGroupId],
      PollIntervalMs: '5000',
      MaxWaitMs: String(Duration.minutes(13).toMilliseconds()),
    };
    return new CustomResource(this, 'Run', {
      serviceToken: runner.serviceToken,
      resourceType: 'Custom::DatabaseMigration',
      properties,
      serviceTimeout: Duration.minutes(15),
    });
  }

  private grantRunAndWatch(runner: InlineHandlerProvider<unknown, unknown>, cluster: ecs.ICluster) {
    runner.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [this.taskDefinition.taskDefinitionArn],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    // Task ARNs are unknown before RunTask: any task, but only in this cluster.
    runner.addToPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
      }),
    );
    const roles = [this.taskDefinition.taskRole, this.taskDefinition.obtainExecutionRole()];
    runner.addToPolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: roles.map((role) => role.roleArn),
      }),
    );
    Validations.of(runner.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ecs:DescribeTasks of tasks unknown before RunTask, restricted to this cluster.',
    });
  }
}
