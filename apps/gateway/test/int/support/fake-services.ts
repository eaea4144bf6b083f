import { Controller, type INestMicroservice, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { from, type Observable } from 'rxjs';

import {
  type AuthenticatedPrincipal,
  type AuthenticatedTenant,
  type AuthenticateRequest,
  CHAT,
  type ChatRequest,
  type ChatStreamEvent,
  DomainError,
  ErrorCode,
  RAG,
  type Role,
  TENANTS,
  WIDGETS,
} from '@tenantbot/contracts';
import { currentContext, type RequestContext } from '@tenantbot/tenant-context';
import { Handles, RedisStreamsServer, RpcErrorFilter, ValidPayload } from '@tenantbot/transport';

export interface FakeUser {
  userId: string;
  tenantId: string | null;
  role: Role;
  active: boolean;
  /** Set for an API key's holder. */
  apiKeyId?: string;
}

/** What the fake services know and what they were asked, shared by the test and the fakes. */
@Injectable()
export class FakeDirectory {
  readonly users = new Map<string, FakeUser>();
  readonly apiKeys = new Map<string, FakeUser>();
  /** Every request a fake service answered: its pattern and the context it travelled with. */
  readonly received: { pattern: string; context: RequestContext | undefined }[] = [];

  record(pattern: string): void {
    this.received.push({ pattern, context: currentContext() });
  }

  contextsOf(pattern: string): (RequestContext | undefined)[] {
    return this.received.filter((entry) => entry.pattern === pattern).map((e) => e.context);
  }
}

export function fakeTenant(id: string): AuthenticatedTenant {
  return {
    id,
    slug: `tenant-${id.slice(0, 8)}`,
    name: 'Fake tenant',
    plan: 'enterprise',
    is_active: true,
    rate_limits: {},
    rag: {},
    allowed_origins: [],
  };
}

/** Answers credentials the way the tenants service does, from the directory's users and keys. */
@Controller()
class FakeTenantsController {
  constructor(private readonly directory: FakeDirectory) {}

  @Handles(TENANTS.AUTH_AUTHENTICATE)
  authenticate(@ValidPayload(TENANTS.AUTH_AUTHENTICATE) credential: AuthenticateRequest) {
    this.directory.record(TENANTS.AUTH_AUTHENTICATE);
    const holder =
      credential.kind === 'api_key'
        ? this.directory.apiKeys.get(credential.key)
        : this.directory.users.get(credential.user_id);
    if (!holder?.active) {
      throw new DomainError(ErrorCode.UNAUTHORIZED, 'unknown or inactive');
    }
    const tenantId = holder.tenantId ?? credential.tenant_ref ?? null;
    const principal: AuthenticatedPrincipal = {
      tenant_id: holder.tenantId,
      user_id: holder.apiKeyId ? null : holder.userId,
      api_key_id: holder.apiKeyId ?? null,
      role: holder.role,
    };
    return { principal, tenant: tenantId ? fakeTenant(tenantId) : null };
  }

  @Handles(TENANTS.AUTH_ME)
  me(): never {
    this.directory.record(TENANTS.AUTH_ME);
    throw new DomainError(ErrorCode.NOT_FOUND, 'the fake tenants service knows no users');
  }

  @Handles(WIDGETS.ORIGIN_KNOWN)
  originKnown() {
    return { known: false };
  }

  @Handles(TENANTS.DOMAIN_VERIFY)
  verifyDomain(@ValidPayload(TENANTS.DOMAIN_VERIFY) { domain }: { domain: string }) {
    this.directory.record(TENANTS.DOMAIN_VERIFY);
    const verification = { type: 'TXT' as const, name: `_tenantbot.${domain}`, value: 'token' };
    return { domain, verified: true, verified_at: new Date().toISOString(), verification };
  }
}

@Controller()
class FakeRagController {
  constructor(private readonly directory: FakeDirectory) {}

  @Handles(RAG.DOCUMENTS_LIST)
  list() {
    this.directory.record(RAG.DOCUMENTS_LIST);
    return { items: [], total: 0, limit: 20, offset: 0 };
  }

  @Handles(RAG.DOCUMENTS_DELETE)
  delete(@ValidPayload(RAG.DOCUMENTS_DELETE) { id }: { id: string }) {
    this.directory.record(RAG.DOCUMENTS_DELETE);
    return { id, deleted: true as const };
  }
}

@Controller()
class FakeChatController {
  constructor(private readonly directory: FakeDirectory) {}

  @Handles(CHAT.STREAM)
  stream(@ValidPayload(CHAT.STREAM) request: ChatRequest): Observable<ChatStreamEvent> {
    this.directory.record(CHAT.STREAM);
    const context = currentContext();
    return from<ChatStreamEvent[]>([
      { type: 'delta', content: 'echo: ' },
      { type: 'delta', content: request.message },
      {
        type: 'done',
        response: `echo: ${request.message}`,
        conversation_id: '00000000-0000-4000-8000-000000000001',
        model_used: 'local',
        tokens_used: { input: 1, output: 2, total: 3 },
        total_tokens: 3,
        latency_ms: 1,
        cost_usd: 0,
        request_id: context?.requestId ?? 'none',
        sources: [],
        grounded: false,
        assistant_id: '00000000-0000-4000-8000-0000000000a1',
      },
    ]);
  }
}

/**
 * The tenants, rag and chat services as far as the gateway's tests need them: replicas on the
 * real Redis transport, answering from a directory the test fills in.
 */
export class FakeServices {
  private constructor(
    readonly directory: FakeDirectory,
    private readonly replicas: INestMicroservice[],
  ) {}

  static async start(redisUrl: string, prefix: string): Promise<FakeServices> {
    const directory = new FakeDirectory();
    const services = [
      ['tenants', FakeTenantsController],
      ['rag', FakeRagController],
      ['chat', FakeChatController],
    ] as const;
    const replicas = await Promise.all(
      services.map(async ([service, controller]) => {
        @Module({
          controllers: [controller],
          providers: [{ provide: FakeDirectory, useValue: directory }],
        })
        class FakeServiceModule {}
        const replica = await NestFactory.createMicroservice(FakeServiceModule, {
          strategy: new RedisStreamsServer({ service, redisUrl, prefix }),
          logger: false,
        });
        replica.useGlobalFilters(new RpcErrorFilter(pino({ level: 'silent' })));
        await replica.listen();
        return replica;
      }),
    );
    return new FakeServices(directory, replicas);
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.close()));
  }
}
