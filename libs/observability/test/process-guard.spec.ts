import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from '@jest/globals';

const observability = join(
  process.env.TEST_WORKSPACE_ROOT ?? process.cwd(),
  'dist/libs/observability/src/index.js',
);

/**
 * Runs each fault in a callback of its own (a throw ends the callback it happens in) in a fresh
 * Node process with the guard installed, as a service's main does; the process prints its
 * metrics and exits 0 if it is still serving 200 ms later.
 */
function runGuarded(...faults: string[]) {
  const script = `
    const { EventEmitter } = require('node:events');
    const { Registry } = require('prom-client');
    const { createLogger, guardProcess } = require(${JSON.stringify(observability)});
    const registry = new Registry();
    guardProcess(createLogger('guarded', 'info'), { registry });
    ${faults.map((fault, index) => `setTimeout(() => { ${fault} }, ${10 + index});`).join('\n')}
    setTimeout(async () => {
      process.stderr.write(await registry.metrics());
      process.exit(0);
    }, 200);
  `;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  const logs = result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { status: result.status, logs, metrics: result.stderr };
}

describe('guardProcess (a real process)', () => {
  it('keeps serving after an unhandled error event of one connection, logged and counted', () => {
    const { status, logs, metrics } = runGuarded(
      `new EventEmitter().emit('error', Object.assign(new Error('Invalid WebSocket frame'), { code: 'WS_ERR_INVALID_OPCODE' }));`,
      `new EventEmitter().emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));`,
    );

    expect(status).toBe(0);
    expect(logs.filter((line) => line.level === 'warn')).toEqual([
      expect.objectContaining({ err: expect.objectContaining({ code: 'WS_ERR_INVALID_OPCODE' }) }),
      expect.objectContaining({ err: expect.objectContaining({ code: 'ECONNRESET' }) }),
    ]);
    expect(metrics).toContain('process_faults_total{kind="isolated_io_error"} 2');
  });

  it('keeps serving after an unhandled rejection, logged and counted', () => {
    const { status, logs, metrics } = runGuarded(
      `void Promise.reject(new Error('nobody awaited me'));`,
    );

    expect(status).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'error',
        msg: 'unhandled promise rejection; still serving',
        err: expect.objectContaining({ message: 'nobody awaited me' }),
      }),
    );
    expect(metrics).toContain('process_faults_total{kind="unhandled_rejection"} 1');
  });

  it('exits 1 with a fatal log on any other uncaught exception', () => {
    const { status, logs } = runGuarded(
      `new EventEmitter().emit('error', new TypeError('state is broken'));`,
    );

    expect(status).toBe(1);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'fatal',
        msg: 'uncaught exception; exiting',
        err: expect.objectContaining({ type: 'TypeError', message: 'state is broken' }),
      }),
    );
  });
});
