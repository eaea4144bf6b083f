import { Controller, Inject } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { RAG_DEPENDENCIES, type DependencyStatus } from '@tenantbot/contracts';
import type { RagConfig } from '../config';
import { RAG_CONFIG } from '../tokens';
import { chromaEndpoint } from '../vectors/chroma-endpoint';

const HEARTBEAT_TIMEOUT_MS = 1500;

/**
 * The gateway's /health asks here for Chroma: in a deployment only the rag service may reach
 * it, so this is also the truest view of it.
 */
@Controller()
export class DependenciesController {
  constructor(@Inject(RAG_CONFIG) private readonly config: RagConfig) {}

  @MessagePattern(RAG_DEPENDENCIES)
  async dependencies(): Promise<{ chroma: DependencyStatus }> {
    const started = performance.now();
    try {
      const endpoint = chromaEndpoint(this.config);
      const response = await fetch(new URL('/api/v2/heartbeat', endpoint.url), {
        headers: endpoint.headers,
        signal: AbortSignal.timeout(HEARTBEAT_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`Chroma answered ${response.status}`);
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
