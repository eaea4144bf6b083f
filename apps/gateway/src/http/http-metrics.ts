import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of the HTTP surface; `/metrics` renders the registry. A tenant label
 * only where the series per tenant stay few (LLM tokens and cost by model, rate-limit
 * rejections): requests are counted by route and status alone, since tenants × routes ×
 * methods × statuses would grow with every sign-up (README.md, Metrics).
 */
export class HttpMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly rejections = new Counter({
    name: 'rate_limit_rejections_total',
    help: 'Requests refused by a rate limit, by tenant',
    labelNames: ['tenant'] as const,
    registers: [this.registry],
  });

  private readonly tokens = new Counter({
    name: 'llm_tokens_total',
    help: 'LLM tokens by tenant, model and direction (input or output)',
    labelNames: ['tenant', 'model', 'direction'] as const,
    registers: [this.registry],
  });
  private readonly cost = new Counter({
    name: 'llm_cost_usd_total',
    help: 'LLM cost in USD by tenant and model',
    labelNames: ['tenant', 'model'] as const,
    registers: [this.registry],
  });

  private readonly socketErrors = new Counter({
    name: 'websocket_errors_total',
    help: 'WebSockets closed by a protocol or connection error, by endpoint and error code',
    labelNames: ['endpoint', 'code'] as const,
    registers: [this.registry],
  });
  private readonly streamsEnded = new Counter({
    name: 'open_streams_ended_total',
    help: 'WebSockets and SSE streams ended because their caller is no longer valid, by reason',
    labelNames: ['channel', 'code'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  chatAnswered(
    tenant: string | undefined,
    answer: {
      model_used: string;
      cost_usd: number;
      tokens_used: { input: number; output: number };
    },
  ) {
    const labels = { tenant: tenant ?? 'none', model: answer.model_used };
    this.tokens.inc({ ...labels, direction: 'input' }, answer.tokens_used.input);
    this.tokens.inc({ ...labels, direction: 'output' }, answer.tokens_used.output);
    this.cost.inc(labels, answer.cost_usd);
  }

  socketError(endpoint: string, code: string) {
    this.socketErrors.inc({ endpoint, code });
  }

  streamEnded(channel: 'websocket' | 'sse', code: string) {
    this.streamsEnded.inc({ channel, code });
  }

  rateLimited(tenant: string | undefined) {
    this.rejections.inc({ tenant: tenant ?? 'none' });
  }

  observe(method: string, route: string, status: number, seconds: number) {
    this.requests.inc({ method, route, status_code: String(status) });
    this.latency.observe({ method, route }, seconds);
  }
}
