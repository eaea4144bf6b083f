import { Inject, Injectable } from '@nestjs/common';

import type { DependencyStatus } from '@tenantbot/contracts';

import type { RagConfig } from '../config/rag-config';
import { RAG_CONFIG } from '../config/tokens';
import { type ChromaEndpoint, chromaEndpoint } from '../vectors/chroma-endpoint';

const HEARTBEAT_TIMEOUT_MS = 1500;

/**
 * Chroma's heartbeat: in a deployment only the rag service may reach it, so this is also the
 * truest view of it.
 */
@Injectable()
export class HealthService {
  private readonly chroma: ChromaEndpoint;

  constructor(@Inject(RAG_CONFIG) config: RagConfig) {
    this.chroma = chromaEndpoint(config);
  }

  async dependencies(): Promise<{ chroma: DependencyStatus }> {
    const started = performance.now();
    try {
      const response = await fetch(new URL('/api/v2/heartbeat', this.chroma.url), {
        headers: this.chroma.headers,
        signal: AbortSignal.timeout(HEARTBEAT_TIMEOUT_MS),
      });
      if (!response.ok) {
        throw new Error(`Chroma answered ${response.status}`);
      }
      return { chroma: { status: 'up', latency_ms: elapsed(started) } };
    } catch (error) {
      return {
        chroma: { status: 'down', latency_ms: elapsed(started), error: (error as Error).message },
      };
    }
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
