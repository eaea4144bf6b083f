import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { Construct } from 'constructs';

import { logDriver, RUNTIME_PLATFORM } from './fargate-service';

export interface ChromaServiceProps {
  readonly cluster: ecs.ICluster;
  readonly namespace: servicediscovery.INamespace;
  readonly image: string;
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly taskSubnets: ec2.SubnetSelection;
  readonly dataSubnets: ec2.SubnetSelection;
  readonly logRetention: logs.RetentionDays;
}

const CHROMA_PORT = 8000;
const DATA_DIRECTORY = '/data';

/**
 * A single Chroma server on Fargate with its index on encrypted EFS, discoverable as
 * `chroma.<namespace>`. Chroma has no authentication here, so only the security groups
 * given to `allowFrom` reach it (the rag service).
 */
export class ChromaService extends Construct implements ec2.IConnectable {
  readonly service: ecs.FargateService;
  readonly fileSystem: efs.FileSystem;
  readonly connections: ec2.Connections;
  readonly url: string;

  constructor(scope: Construct, id: string, props: ChromaServiceProps) {
    super(scope, id);
    const vpc = props.cluster.vpc;
    this.fileSystem = new efs.FileSystem(this, 'Index', {
      vpc,
      vpcSubnets: props.dataSubnets,
      encrypted: true,
      enableAutomaticBackups: true,
      lifecyclePolicy: efs.LifecyclePolicy.AFTER_30_DAYS,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessPoint = this.fileSystem.addAccessPoint('Data', {
      path: '/chroma',
      // The chroma image runs as root.
      posixUser: { uid: '0', gid: '0' },
      createAcl: { ownerUid: '0', ownerGid: '0', permissions: '750' },
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: RUNTIME_PLATFORM,
      volumes: [
        {
          name: 'index',
          efsVolumeConfiguration: {
            fileSystemId: this.fileSystem.fileSystemId,
            transitEncryption: 'ENABLED',
            authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: 'ENABLED' },
          },
        },
      ],
    });
    this.fileSystem.grantReadWrite(taskDefinition.taskRole);
    const container = taskDefinition.addContainer('chroma', {
      image: ecs.ContainerImage.fromRegistry(props.image),
      portMappings: [{ containerPort: CHROMA_PORT }],
      logging: logDriver(
        'chroma',
        new logs.LogGroup(this, 'Logs', { retention: props.logRetention }),
      ),
      healthCheck: {
        command: ['CMD', 'curl', '-fsS', `http://127.0.0.1:${CHROMA_PORT}/api/v2/heartbeat`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        startPeriod: Duration.seconds(30),
        retries: 3,
      },
    });
    container.addMountPoints({
      sourceVolume: 'index',
      containerPath: DATA_DIRECTORY,
      readOnly: false,
    });

    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: 'Chroma: reachable from the rag service only',
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      taskDefinition,
      // One writer on the index: the old task stops before the new one starts.
      desiredCount: 1,
      minHealthyPercent: 0,
      maxHealthyPercent: 100,
      vpcSubnets: props.taskSubnets,
      securityGroups: [securityGroup],
      assignPublicIp: false,
      circuitBreaker: { enable: true, rollback: true },
      cloudMapOptions: { name: 'chroma', cloudMapNamespace: props.namespace },
    });
    this.fileSystem.connections.allowDefaultPortFrom(this.service, 'Chroma tasks mount the index');
    this.connections = new ec2.Connections({
      securityGroups: [securityGroup],
      defaultPort: ec2.Port.tcp(CHROMA_PORT),
    });
    this.url = `http://chroma.${props.namespace.namespaceName}:${CHROMA_PORT}`;
  }

  allowFrom(client: ec2.IConnectable, description: string): void {
    this.connections.allowDefaultPortFrom(client, description);
  }
}
