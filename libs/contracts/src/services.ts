import { z } from 'zod';

/** The four services behind the gateway. Each answers `<service>.ping`. */
export const SERVICE_NAMES = ['tenants', 'rag', 'chat', 'admin'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const PING_PATTERN = {
  tenants: 'tenants.ping',
  rag: 'rag.ping',
  chat: 'chat.ping',
  admin: 'admin.ping',
} as const satisfies Record<ServiceName, string>;

export const pingReplySchema = z.object({
  service: z.enum(SERVICE_NAMES),
  instance: z.string(),
  uptime_s: z.number(),
});
export type PingReply = z.output<typeof pingReplySchema>;

/**
 * Message patterns are `<service>.<action>`: the first segment names the service whose
 * request stream carries the message.
 */
export function serviceOfPattern(pattern: string): string {
  const dot = pattern.indexOf('.');
  if (dot <= 0) {
    throw new Error(`message pattern "${pattern}" must be "<service>.<action>"`);
  }
  return pattern.slice(0, dot);
}

/** How one dependency of a service is doing, as /health reports it. */
export const dependencyStatusSchema = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number(),
  error: z.string().optional(),
});
export type DependencyStatus = z.output<typeof dependencyStatusSchema>;

/** The rag service's view of its own dependencies (Chroma), for the gateway's /health. */
export const RAG_DEPENDENCIES = 'rag.dependencies';
export const ragDependenciesReplySchema = z.object({ chroma: dependencyStatusSchema });
