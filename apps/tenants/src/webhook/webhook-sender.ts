import * as http from 'node:http';
import * as https from 'node:https';

import { Inject, Injectable } from '@nestjs/common';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

import { WEBHOOK_SIGNATURE_HEADER } from '@tenantbot/contracts';

import { TENANTS_CONFIG, type TenantsConfig } from '../config';
import { parseEndpoint, WebhookAddressGuard } from './webhook-address-guard';

export interface DeliveryAttempt {
  /** `refused`: the endpoint resolved to an internal address (not retried). */
  outcome: 'delivered' | 'failed' | 'refused';
  responseStatus: number | null;
  error: string | null;
  durationMs: number;
}

export interface SignedRequest {
  url: string;
  body: string;
  signature: string;
  eventId: string;
  eventType: string;
}

/**
 * POSTs one signed delivery. 2xx is delivered; anything else, a redirect included (not
 * followed), a connection error or no answer within WEBHOOK_TIMEOUT_MS is a failure to retry.
 */
@Injectable()
export class WebhookSender {
  private readonly filteringHttp = new RequestFilteringHttpAgent({ keepAlive: false });
  private readonly filteringHttps = new RequestFilteringHttpsAgent({ keepAlive: false });
  private readonly plainHttp = new http.Agent();
  private readonly plainHttps = new https.Agent();
  private readonly timeoutMs: number;

  constructor(
    private readonly guard: WebhookAddressGuard,
    @Inject(TENANTS_CONFIG) config: Pick<TenantsConfig, 'WEBHOOK_TIMEOUT_MS'>,
  ) {
    this.timeoutMs = config.WEBHOOK_TIMEOUT_MS;
  }

  async send(request: SignedRequest): Promise<DeliveryAttempt> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const status = await this.post(parseEndpoint(request.url), request);
      const delivered = status >= 200 && status < 300;
      return {
        outcome: delivered ? 'delivered' : 'failed',
        responseStatus: status,
        error: delivered ? null : `the endpoint answered ${status}`,
        durationMs: elapsed(),
      };
    } catch (error) {
      return { ...this.describe(error), responseStatus: null, durationMs: elapsed() };
    }
  }

  private post(url: URL, request: SignedRequest): Promise<number> {
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const outgoing = client.request(
        url,
        {
          method: 'POST',
          agent: this.agentFor(url),
          lookup: this.guard.lookup,
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(request.body),
            'user-agent': 'tenantbot-webhooks/1',
            [WEBHOOK_SIGNATURE_HEADER]: request.signature,
            'x-tenantbot-event-id': request.eventId,
            'x-tenantbot-event-type': request.eventType,
          },
        },
        (response) => {
          // The answer's body is not read: drain it, and the status is the outcome.
          response.resume();
          response.on('error', reject);
          response.on('end', () => resolve(response.statusCode ?? 0));
        },
      );
      outgoing.on('error', reject);
      outgoing.end(request.body);
    });
  }

  private agentFor(url: URL): http.Agent {
    const exempt = this.guard.isExempt(url);
    if (url.protocol === 'https:') {
      return exempt ? this.plainHttps : this.filteringHttps;
    }
    return exempt ? this.plainHttp : this.filteringHttp;
  }

  private describe(error: unknown): Pick<DeliveryAttempt, 'outcome' | 'error'> {
    const message = error instanceof Error ? error.message : String(error);
    if (/is not allowed/.test(message) || (error as { code?: string }).code === 'URL_NOT_ALLOWED') {
      return {
        outcome: 'refused',
        error: 'the endpoint resolved to a private, loopback, link-local or internal address',
      };
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ABORT_ERR' || (error instanceof Error && error.name === 'TimeoutError')) {
      return { outcome: 'failed', error: `no answer within ${this.timeoutMs} ms` };
    }
    return { outcome: 'failed', error: message.slice(0, 500) };
  }
}
