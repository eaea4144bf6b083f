/** The four services behind the gateway. Each answers `<service>.ping`. */
export const SERVICE_NAMES = ['tenants', 'rag', 'chat', 'admin'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const PING_PATTERN = {
  tenants: 'tenants.ping',
  rag: 'rag.ping',
  chat: 'chat.ping',
  admin: 'admin.ping',
} as const satisfies Record<ServiceName, string>;

export interface PingReply {
  service: ServiceName;
  instance: string;
  uptime_s: number;
}

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
export interface DependencyStatus {
  status: 'up' | 'down';
  latency_ms: number;
  error?: string;
}

/** The rag service's view of its own dependencies (Chroma), for the gateway's /health. */
export const RAG_DEPENDENCIES = 'rag.dependencies';
