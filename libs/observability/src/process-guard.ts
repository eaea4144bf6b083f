import type { Logger } from 'pino';
import { Counter, register as defaultRegistry, type Registry } from 'prom-client';

export type ProcessFaultKind = 'isolated_io_error' | 'unhandled_rejection' | 'fatal_exception';

/**
 * Errors that one connection or stream raises about itself (the peer reset it, sent bytes that
 * break a protocol, went away mid-write). When such an error reaches the process unhandled, it
 * was thrown by `emit('error')` from that resource's own I/O callback: none of our code was
 * half-way through changing shared state, so the process can keep serving everyone else.
 */
const ISOLATED_IO_CODES = new Set([
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_STREAM_PREMATURE_CLOSE',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);

export function isIsolatedIoError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') {
    return false;
  }
  // WS_ERR_*: the `ws` library's protocol errors; HPE_*: Node's HTTP parser's.
  return code.startsWith('WS_ERR_') || code.startsWith('HPE_') || ISOLATED_IO_CODES.has(code);
}

export interface ProcessGuardOptions {
  /** Where `process_faults_total` is counted; prom-client's default registry otherwise. */
  registry?: Registry;
  /** How the process ends on a fatal exception (tests replace it). */
  exit?: (code: number) => void;
}

/**
 * The last line of defence against an `'error'` event nobody listens to (or any other throw
 * that escapes to the event loop): it is never silent. Every such fault is logged and counted
 * in `process_faults_total{kind}`. What happens next depends on what is judged safe
 * (docs/adr/0008-websocket-and-open-stream-hardening.md):
 *
 * - an isolated I/O error (see `isIsolatedIoError`): logged as a warning, the process keeps serving;
 * - an unhandled promise rejection: logged as an error, the process keeps serving (the rejected
 *   chain has already unwound; nothing else waits on it);
 * - anything else thrown to the event loop: a bug whose damage cannot be bounded, so it is
 *   logged as fatal and the process exits with code 1 for the orchestrator to replace it.
 */
export class ProcessGuard {
  private readonly faults: Counter<'kind'>;
  private readonly exit: (code: number) => void;

  constructor(
    private readonly logger: Logger,
    options: ProcessGuardOptions = {},
  ) {
    const registry = options.registry ?? defaultRegistry;
    this.faults =
      (registry.getSingleMetric('process_faults_total') as Counter<'kind'> | undefined) ??
      new Counter({
        name: 'process_faults_total',
        help: 'Errors that reached the process unhandled, by kind',
        labelNames: ['kind'] as const,
        registers: [registry],
      });
    this.exit = options.exit ?? ((code) => process.exit(code));
  }

  install(target: NodeJS.EventEmitter = process): this {
    target.on('uncaughtException', (error: Error) => this.onUncaughtException(error));
    target.on('unhandledRejection', (reason: unknown) => this.onUnhandledRejection(reason));
    return this;
  }

  onUncaughtException(error: unknown): void {
    if (isIsolatedIoError(error)) {
      this.faults.inc({ kind: 'isolated_io_error' });
      this.logger.warn({ err: error }, 'unhandled I/O error of one connection; still serving');
      return;
    }
    this.faults.inc({ kind: 'fatal_exception' });
    this.logger.fatal({ err: error }, 'uncaught exception; exiting');
    this.exit(1);
  }

  onUnhandledRejection(reason: unknown): void {
    this.faults.inc({ kind: 'unhandled_rejection' });
    this.logger.error({ err: reason }, 'unhandled promise rejection; still serving');
  }
}

let installed: ProcessGuard | undefined;

/** Installs the guard on this process once; every app's main calls it first thing. */
export function guardProcess(logger: Logger, options: ProcessGuardOptions = {}): ProcessGuard {
  installed ??= new ProcessGuard(logger, options).install();
  return installed;
}

/**
 * `bootstrap().catch(exitOnStartupFailure)`: an app that cannot start exits with code 1 (the
 * process guard keeps serving after an unhandled rejection, which a failed start must not be).
 */
export function exitOnStartupFailure(error: unknown): void {
  process.stderr.write(
    `failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
}
