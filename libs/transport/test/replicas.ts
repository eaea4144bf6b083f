import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';

const replicaScript = join(
  process.env.TEST_WORKSPACE_ROOT ?? process.cwd(),
  'dist/libs/transport/test/echo-replica.js',
);

export interface Replica {
  process: ChildProcess;
  consumer: string;
  exited: Promise<void>;
}

/** Starts an echo replica as its own process (built by the test run's global setup). */
export function startReplica(env: Record<string, string>): Promise<Replica> {
  const child = fork(replicaScript, [], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('replica did not start in 15 s')), 15_000);
    child.once('message', (message: { ready: string }) => {
      clearTimeout(timer);
      resolve({ process: child, consumer: message.ready, exited });
    });
    child.once('exit', (code) => reject(new Error(`replica exited with ${code}`)));
  });
}

export async function stopReplicas(replicas: Replica[]): Promise<void> {
  for (const replica of replicas) {
    if (replica.process.exitCode === null && replica.process.signalCode === null) {
      replica.process.kill('SIGTERM');
    }
  }
  await Promise.all(replicas.map((replica) => replica.exited));
}
