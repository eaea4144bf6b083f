import { describe, expect, it } from '@jest/globals';

import { RANDOM_KEY_DEPENDENCIES } from '../lib/app-secrets';
import { MIGRATION_RUNNER_DEPENDENCIES } from '../lib/database-migration';
import {
  type EcsTaskApi,
  type MigrationTaskProperties,
  runMigrationTask,
} from '../lib/handlers/run-migration-task';
import { type RandomKeyProperties, writeRandomKey } from '../lib/handlers/write-random-key';
import { type CustomResourceEvent, inlineHandlerSource } from '../lib/inline-handler-provider';
import { required } from './synthesize';

const TASK_ARN = 'arn:aws:ecs:us-east-1:123456789012:task/cluster/abc';
const migrationProperties: MigrationTaskProperties = {
  Cluster: 'cluster-arn',
  TaskDefinition: 'task-definition-arn',
  ContainerName: 'migrate',
  Subnets: ['subnet-a', 'subnet-b'],
  SecurityGroups: ['sg-migrate'],
  PollIntervalMs: '1',
  MaxWaitMs: '1000',
};

function migrationEvent(
  RequestType: 'Create' | 'Update' | 'Delete',
): CustomResourceEvent<MigrationTaskProperties> {
  return { RequestType, ResourceProperties: migrationProperties };
}

/** An ECS that starts the task and reports it running, then stopped with `exitCode`. */
function fakeEcs(exitCode: number | undefined, { started = true } = {}) {
  const calls: { runTask: unknown[]; describeTasks: number } = { runTask: [], describeTasks: 0 };
  const ecs: EcsTaskApi = {
    runTask: async (input) => {
      calls.runTask.push(input);
      return started
        ? { tasks: [{ taskArn: TASK_ARN }] }
        : { failures: [{ reason: 'RESOURCE:ENI' }] };
    },
    describeTasks: async () => {
      calls.describeTasks += 1;
      if (calls.describeTasks < 3) {
        return { tasks: [{ taskArn: TASK_ARN, lastStatus: 'RUNNING' }] };
      }
      return {
        tasks: [
          {
            taskArn: TASK_ARN,
            lastStatus: 'STOPPED',
            stoppedReason: 'Essential container in task exited',
            containers: [{ name: 'migrate', exitCode }],
          },
        ],
      };
    },
  };
  return { ecs, calls };
}

describe('runMigrationTask', () => {
  it('runs the task in the given subnets and succeeds when migrate exits 0', async () => {
    const { ecs, calls } = fakeEcs(0);
    const result = await runMigrationTask(migrationEvent('Update'), ecs);
    expect(result).toEqual({
      PhysicalResourceId: 'database-migration',
      Data: { TaskArn: TASK_ARN },
    });
    expect(calls.runTask).toEqual([
      expect.objectContaining({
        cluster: 'cluster-arn',
        taskDefinition: 'task-definition-arn',
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-a', 'subnet-b'],
            securityGroups: ['sg-migrate'],
            assignPublicIp: 'DISABLED',
          },
        },
      }),
    ]);
    expect(calls.describeTasks).toBe(3);
  });

  it('fails the deployment with the exit code when migrate fails', async () => {
    const { ecs } = fakeEcs(1);
    await expect(runMigrationTask(migrationEvent('Create'), ecs)).rejects.toThrow(
      /failed \(exit code 1: Essential container in task exited\)/,
    );
  });

  it('fails when ECS cannot start the task', async () => {
    const { ecs } = fakeEcs(0, { started: false });
    await expect(runMigrationTask(migrationEvent('Create'), ecs)).rejects.toThrow(/RESOURCE:ENI/);
  });

  it('gives up after MaxWaitMs', async () => {
    const { ecs } = fakeEcs(0);
    const event = {
      RequestType: 'Create' as const,
      ResourceProperties: { ...migrationProperties, PollIntervalMs: '5', MaxWaitMs: '1' },
    };
    await expect(runMigrationTask(event, ecs)).rejects.toThrow(/still running/);
  });

  it('does nothing on delete', async () => {
    const { ecs, calls } = fakeEcs(0);
    await runMigrationTask(
      { ...migrationEvent('Delete'), PhysicalResourceId: 'database-migration' },
      ecs,
    );
    expect(calls.runTask).toEqual([]);
  });
});

describe('writeRandomKey', () => {
  const properties: RandomKeyProperties = { SecretId: 'arn:secret:key', Bytes: '32' };

  function fakeSecrets() {
    const written: { SecretId: string; SecretString: string }[] = [];
    return {
      written,
      dependencies: {
        secrets: { putSecretValue: async (input: (typeof written)[number]) => written.push(input) },
        randomBytes: (size: number) => Buffer.alloc(size, 7),
      },
    };
  }

  it('writes the key, base64, when the secret is created', async () => {
    const { written, dependencies } = fakeSecrets();
    await writeRandomKey({ RequestType: 'Create', ResourceProperties: properties }, dependencies);
    expect(written).toEqual([
      { SecretId: 'arn:secret:key', SecretString: Buffer.alloc(32, 7).toString('base64') },
    ]);
    expect(Buffer.from(written[0]?.SecretString ?? '', 'base64')).toHaveLength(32);
  });

  it('never overwrites the key of an existing secret', async () => {
    const { written, dependencies } = fakeSecrets();
    await writeRandomKey(
      { RequestType: 'Update', ResourceProperties: properties, OldResourceProperties: properties },
      dependencies,
    );
    await writeRandomKey(
      {
        RequestType: 'Delete',
        ResourceProperties: properties,
        PhysicalResourceId: 'arn:secret:key',
      },
      dependencies,
    );
    expect(written).toEqual([]);
  });

  it('writes a key into a replacement secret', async () => {
    const { written, dependencies } = fakeSecrets();
    await writeRandomKey(
      {
        RequestType: 'Update',
        ResourceProperties: { ...properties, SecretId: 'arn:secret:new' },
        OldResourceProperties: properties,
      },
      dependencies,
    );
    expect(written.map(({ SecretId }) => SecretId)).toEqual(['arn:secret:new']);
  });
});

describe('inlineHandlerSource', () => {
  /** Loads the generated source as Lambda would, with `require` answering for the SDK. */
  function loadLambda(source: string, modules: Record<string, unknown>) {
    const exports: { handler?: (event: unknown) => Promise<unknown> } = {};
    const require = (name: string) => {
      if (!(name in modules)) {
        throw new Error(`unexpected require("${name}")`);
      }
      return modules[name];
    };
    new Function('exports', 'require', source)(exports, require);
    return required(exports.handler, 'exports.handler');
  }

  it('builds a working Lambda module from the migration handler and its SDK client', async () => {
    const { ecs } = fakeEcs(0);
    class ECS {
      runTask = ecs.runTask;
      describeTasks = ecs.describeTasks;
    }
    const handler = loadLambda(
      inlineHandlerSource(runMigrationTask, MIGRATION_RUNNER_DEPENDENCIES),
      { '@aws-sdk/client-ecs': { ECS } },
    );
    await expect(handler(migrationEvent('Create'))).resolves.toMatchObject({
      Data: { TaskArn: TASK_ARN },
    });
  });

  it('builds a working Lambda module from the key writer with crypto and its SDK client', async () => {
    const written: { SecretString: string }[] = [];
    class SecretsManager {
      putSecretValue = async (input: { SecretString: string }) => written.push(input);
    }
    const handler = loadLambda(inlineHandlerSource(writeRandomKey, RANDOM_KEY_DEPENDENCIES), {
      '@aws-sdk/client-secrets-manager': { SecretsManager },
      'node:crypto': await import('node:crypto'),
    });
    await handler({ RequestType: 'Create', ResourceProperties: { SecretId: 'arn', Bytes: '32' } });
    expect(Buffer.from(written[0]?.SecretString ?? '', 'base64')).toHaveLength(32);
  });
});
