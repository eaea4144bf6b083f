import { Duration, Size, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import type { AppName, ServiceSize } from '../config/deployment-config';

export interface ContainerSettings {
  readonly environment: Record<string, string>;
  /** Injected by ECS from Secrets Manager at task start; never in the template. */
  readonly secrets: Record<string, ecs.Secret>;
}

export interface FargateServiceProps extends ContainerSettings {
  readonly app: AppName;
  readonly cluster: ecs.ICluster;
  readonly image: ecs.ContainerImage;
  readonly size: ServiceSize;
  readonly subnets: ec2.SubnetSelection;
  readonly healthCheck: ecs.HealthCheck;
  /** Only the gateway listens; the services answer over Redis Streams. */
  readonly containerPort?: number;
  /** Time a new task gets before load balancer health checks count; with a load balancer only. */
  readonly healthCheckGracePeriod?: Duration;
  readonly logRetention: logs.RetentionDays;
}

/** The `node:22-bookworm-slim` images carry glibc x86-64 native modules (chromadb, argon2). */
export const RUNTIME_PLATFORM: ecs.RuntimePlatform = {
  cpuArchitecture: ecs.CpuArchitecture.X86_64,
  operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
};

/**
 * One app of docker/Dockerfile as a private Fargate service: its own security group, log
 * group and task role, a read-only root file system, rolling deploys that roll back on
 * failure, and CPU/memory target-tracking autoscaling between minTasks and maxTasks.
 */
export class FargateService extends Construct implements ec2.IConnectable {
  readonly service: ecs.FargateService;
  readonly container: ecs.ContainerDefinition;
  readonly securityGroup: ec2.SecurityGroup;
  readonly taskRole: iam.IRole;
  readonly logGroup: logs.LogGroup;
  readonly connections: ec2.Connections;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.size.cpu,
      memoryLimitMiB: props.size.memoryMiB,
      runtimePlatform: RUNTIME_PLATFORM,
      volumes: [{ name: 'tmp' }],
    });
    this.taskRole = taskDefinition.taskRole;
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    this.container = taskDefinition.addContainer(props.app, {
      image: props.image,
      environment: props.environment,
      secrets: props.secrets,
      healthCheck: props.healthCheck,
      logging: logDriver(props.app, this.logGroup),
      readonlyRootFilesystem: true,
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      portMappings: props.containerPort ? [{ containerPort: props.containerPort }] : [],
    });
    // Uploads and libraries that spill to disk write under /tmp.
    this.container.addMountPoints({ sourceVolume: 'tmp', containerPath: '/tmp', readOnly: false });
    acknowledgeTaskDefinitionFindings(taskDefinition);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.cluster.vpc,
      description: `${props.app} tasks`,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition,
      desiredCount: props.size.minTasks,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    this.connections = this.service.connections;
    this.autoscale(props.size);
  }

  private autoscale(size: ServiceSize): void {
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: size.minTasks,
      maxCapacity: size.maxTasks,
    });
    const cooldowns = {
      scaleInCooldown: Duration.minutes(5),
      scaleOutCooldown: Duration.minutes(1),
    };
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60, ...cooldowns });
    scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 75, ...cooldowns });
  }
}

export function logDriver(streamPrefix: string, logGroup: logs.ILogGroup): ecs.LogDriver {
  // Non-blocking: a CloudWatch hiccup buffers log lines instead of stalling the app.
  return ecs.LogDrivers.awsLogs({
    streamPrefix,
    logGroup,
    mode: ecs.AwsLogDriverMode.NON_BLOCKING,
    maxBufferSize: Size.mebibytes(25),
  });
}

/** Findings every task definition of our images raises, and why they stand. */
export function acknowledgeTaskDefinitionFindings(taskDefinition: ecs.TaskDefinition): void {
  Validations.of(taskDefinition).acknowledge({
    id: 'AwsSolutions-ECS2',
    reason:
      'Environment holds non-secret settings only (URLs without passwords, ports, log level); every secret is an ECS secret from Secrets Manager.',
  });
  Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken, needed to pull the image, supports no resource scope.',
  });
}
