import type { LoggerService } from '@nestjs/common';
import pino, { type LevelWithSilent, type Logger } from 'pino';

import { currentContext } from '@tenantbot/tenant-context';

/**
 * A structured JSON logger. Every line carries the service name and, when logged inside a
 * request, its `request_id` and `tenant_id`.
 */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const context = currentContext();
      if (!context) {
        return {};
      }
      return context.tenantId
        ? { request_id: context.requestId, tenant_id: context.tenantId }
        : { request_id: context.requestId };
    },
  });
}

/** Lets Nest's own messages (module init, route mapping, errors) go through pino. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    if (message instanceof Error) {
      this.logger.error({ context, err: message }, message.message);
    } else {
      this.logger.error({ context, trace }, String(message));
    }
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}
