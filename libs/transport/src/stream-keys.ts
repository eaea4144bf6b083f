/** The Redis keys of the transport, all under one prefix. */
export class StreamKeys {
  constructor(private readonly prefix: string) {}

  /** Requests for a service; its replicas form one consumer group on it. */
  requests(service: string): string {
    return `${this.prefix}:svc:${service}:requests`;
  }

  /** Sorted set of a service's replicas, scored by their last heartbeat (epoch ms). */
  replicas(service: string): string {
    return `${this.prefix}:svc:${service}:replicas`;
  }

  /** Pub/sub channel on which callers cancel requests they no longer wait for. */
  cancellations(service: string): string {
    return `${this.prefix}:svc:${service}:cancel`;
  }

  /** One stream per event pattern; every subscribing service has its own group on it. */
  events(pattern: string): string {
    return `${this.prefix}:evt:${pattern}`;
  }

  /** Pub/sub channel of a broadcast: every listening process receives each message. */
  broadcasts(pattern: string): string {
    return `${this.prefix}:bcast:${pattern}`;
  }

  /** Replies for one client instance, read only by it. */
  replies(clientId: string): string {
    return `${this.prefix}:reply:${clientId}`;
  }
}
