import type { CustomResourceEvent, CustomResourceResult } from '../inline-handler-provider';

/** CloudFormation passes every scalar property as a string. */
export interface MigrationTaskProperties {
  readonly Cluster: string;
  readonly TaskDefinition: string;
  readonly ContainerName: string;
  readonly Subnets: string[];
  readonly SecurityGroups: string[];
  readonly PollIntervalMs: string;
  readonly MaxWaitMs: string;
}

interface EcsTask {
  readonly taskArn?: string;
  readonly lastStatus?: string;
  readonly stoppedReason?: string;
  readonly containers?: { name?: string; exitCode?: number; reason?: string }[];
}

/** The two calls of the AWS SDK v3 `ECS` client this handler makes. */
export interface EcsTaskApi {
  runTask(input: {
    cluster: string;
    taskDefinition: string;
    launchType: 'FARGATE';
    count: number;
    startedBy: string;
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: string[];
        securityGroups: string[];
        assignPublicIp: 'DISABLED';
      };
    };
  }): Promise<{ tasks?: EcsTask[]; failures?: { arn?: string; reason?: string }[] }>;
  describeTasks(input: { cluster: string; tasks: string[] }): Promise<{ tasks?: EcsTask[] }>;
}

/**
 * Runs the one-off migration task and waits for it to stop. Anything but exit code 0 fails
 * the custom resource, so CloudFormation rolls back before any service is updated.
 * Self-contained: its source text is the Lambda's code (see InlineHandlerProvider).
 */
export async function runMigrationTask(
  event: CustomResourceEvent<MigrationTaskProperties>,
  ecs: EcsTaskApi,
): Promise<CustomResourceResult> {
  const physicalResourceId = event.PhysicalResourceId ?? 'database-migration';
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: physicalResourceId };
  }

  const properties = event.ResourceProperties;
  const started = await ecs.runTask({
    cluster: properties.Cluster,
    taskDefinition: properties.TaskDefinition,
    launchType: 'FARGATE',
    count: 1,
    startedBy: 'cloudformation',
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: properties.Subnets,
        securityGroups: properties.SecurityGroups,
        assignPublicIp: 'DISABLED',
      },
    },
  });
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    throw new Error(`migration task did not start: ${JSON.stringify(started.failures ?? [])}`);
  }

  const deadline = Date.now() + Number(properties.MaxWaitMs);
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Number(properties.PollIntervalMs)));
    const described = await ecs.describeTasks({ cluster: properties.Cluster, tasks: [taskArn] });
    const task = described.tasks?.[0];
    if (task?.lastStatus !== 'STOPPED') {
      continue;
    }
    const migrate = task.containers?.find(({ name }) => name === properties.ContainerName);
    if (migrate?.exitCode === 0) {
      return { PhysicalResourceId: physicalResourceId, Data: { TaskArn: taskArn } };
    }
    const why = migrate?.reason ?? task.stoppedReason ?? 'no reason given';
    throw new Error(
      `migration task ${taskArn} failed (exit code ${migrate?.exitCode ?? 'none'}: ${why}); its output is in the migration log group`,
    );
  }
  throw new Error(`migration task ${taskArn} still running after ${properties.MaxWaitMs} ms`);
}
