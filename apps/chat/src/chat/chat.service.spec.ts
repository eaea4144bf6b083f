import { randomUUID } from 'node:crypto';
import { getMaxListeners } from 'node:events';

import { describe, expect, it, jest } from '@jest/globals';

import {
  type Caller,
  DomainError,
  ErrorCode,
  type Role,
  tenantIdOf,
  type TenantRuntimeConfig,
} from '@tenantbot/contracts';
import type { Logger } from '@tenantbot/observability';

import type { AssistantRow } from '../assistant/assistant.repository';
import type { AssistantService } from '../assistant/assistant.service';
import type { BudgetService } from '../budget/budget.service';
import { chatConfigSchema } from '../config';
import type { ConversationService } from '../conversation/conversation.service';
import type { HandoffService } from '../handoff/handoff.service';
import { DEFAULT_HANDOFF_PHRASES } from '../handoff/handoff-policy';
import type { HandoffSettingsService } from '../handoff/handoff-settings.service';
import { ModelsService } from '../models/models.service';
import { PromptAssembler } from '../prompt/prompt-assembler';
import { TokenCounter } from '../prompt/token-counter';
import { IdleDeadline } from '../providers/idle-deadline';
import type { ProviderRouter } from '../providers/provider-router';
import type { RetrievalService } from '../retrieval/retrieval.service';
import type { TenantConfigService } from '../tenant-config/tenant-config.service';
import type { ChatRepository } from './chat.repository';
import { ChatService } from './chat.service';

const TENANT_ID = tenantIdOf(randomUUID());
const TENANT: TenantRuntimeConfig = {
  id: TENANT_ID,
  slug: 'acme',
  plan: 'free',
  is_active: true,
  system_prompt: null,
  default_model: null,
  allowed_models: [],
  rate_limits: {},
  rag: {},
  allowed_origins: [],
  domains: [],
  provider_keys: {},
};
const QUESTION = { message: 'How do refunds work?', use_rag: false };
const DEFAULT_ASSISTANT: AssistantRow = {
  id: randomUUID(),
  tenant_id: TENANT_ID,
  name: 'Assistant',
  slug: 'assistant',
  description: '',
  system_prompt: null,
  model: null,
  temperature: null,
  roles: ['tenant_admin', 'agent', 'user', 'readonly'],
  widgets_allowed: true,
  knowledge_document_ids: null,
  knowledge_tags: null,
  greeting: '',
  is_default: true,
  created_at: new Date(),
  updated_at: new Date(),
};

function callerAs(role: Role): Caller {
  return { requestId: randomUUID(), tenantId: TENANT_ID, role, userId: randomUUID() };
}

/** The real prompt, models and token counting; the tenant, neighbours and storage faked. */
function serviceWithFakes() {
  const config = chatConfigSchema.parse({});
  const tenants = {
    runtimeConfig: jest.fn<TenantConfigService['runtimeConfig']>(() => Promise.resolve(TENANT)),
  };
  const conversations = {
    state: jest.fn<ConversationService['state']>(() =>
      Promise.resolve({ status: 'bot', turns: [], lastAnswerGrounded: true }),
    ),
  };
  const handedOver = (status: 'waiting_human' | 'human', notice?: string) =>
    Promise.resolve({
      conversation: {
        id: randomUUID(),
        title: 't',
        user_id: null,
        api_key_id: null,
        status,
        assigned_agent_id: null,
        channel: 'api' as const,
        message_count: 1,
        created_at: '',
        updated_at: '',
      },
      notice,
    });
  const handoffs = {
    receive: jest.fn<HandoffService['receive']>(() => handedOver('human')),
    handOverWith: jest.fn<HandoffService['handOverWith']>(() =>
      handedOver('waiting_human', 'A person will reply here.'),
    ),
    handOverAfterAnswer: jest.fn<HandoffService['handOverAfterAnswer']>(() =>
      Promise.resolve(true),
    ),
  };
  const handoffSettings = {
    policyFor: jest.fn<HandoffSettingsService['policyFor']>(() =>
      Promise.resolve({ phrases: DEFAULT_HANDOFF_PHRASES, onUngrounded: false }),
    ),
  };
  const retrieval = {
    relevantPassages: jest.fn<RetrievalService['relevantPassages']>(() => Promise.resolve([])),
    startEarly: jest.fn<RetrievalService['startEarly']>((caller) => ({ choice: caller.tenantId })),
  };
  const router = {
    run: jest.fn<ProviderRouter['run']>((route, _request, _signal, trace) => {
      trace.step = route[0];
      return Promise.resolve({ text: 'From the documents.', step: route[0] });
    }),
  };
  const exchanges = {
    recordAnswered: jest.fn<ChatRepository['recordAnswered']>(() => Promise.resolve('written')),
    findAnswer: jest.fn<ChatRepository['findAnswer']>(() => Promise.resolve(undefined)),
    recordFailed: jest.fn<ChatRepository['recordFailed']>(() => Promise.resolve()),
  };
  const budget = {
    reserve: jest.fn<BudgetService['reserve']>(() => Promise.resolve(undefined)),
    settle: jest.fn<BudgetService['settle']>(() => Promise.resolve()),
  };
  const assistants = {
    forExchange: jest.fn<AssistantService['forExchange']>(() => Promise.resolve(DEFAULT_ASSISTANT)),
  };
  const tokens = new TokenCounter();
  const service = new ChatService(
    tenants as unknown as TenantConfigService,
    new ModelsService(tenants as unknown as TenantConfigService, config),
    conversations as unknown as ConversationService,
    retrieval as unknown as RetrievalService,
    new PromptAssembler(tokens),
    router as unknown as ProviderRouter,
    tokens,
    exchanges as unknown as ChatRepository,
    budget as unknown as BudgetService,
    assistants as unknown as AssistantService,
    handoffs as unknown as HandoffService,
    handoffSettings as unknown as HandoffSettingsService,
    config,
    { error: jest.fn() } as unknown as Logger,
  );
  return {
    service,
    tenants,
    router,
    exchanges,
    budget,
    assistants,
    conversations,
    handoffs,
    handoffSettings,
    retrieval,
  };
}

describe('ChatService', () => {
  it('refuses the readonly role before reading the tenant or spending anything', async () => {
    const { service, tenants, router, exchanges } = serviceWithFakes();
    await expect(service.send(callerAs('readonly'), QUESTION)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(tenants.runtimeConfig).not.toHaveBeenCalled();
    expect(router.run).not.toHaveBeenCalled();
    expect(exchanges.recordFailed).not.toHaveBeenCalled();
  });

  it('records the answered exchange in the caller’s tenant, with the caller as its owner', async () => {
    const { service, exchanges } = serviceWithFakes();
    const caller = callerAs('user');
    const reply = await service.send(caller, QUESTION);
    const [tenantId, rows] = exchanges.recordAnswered.mock.calls[0];
    expect(tenantId).toBe(TENANT_ID);
    expect(rows.conversation).toMatchObject({
      id: reply.conversation_id,
      title: QUESTION.message,
      userId: caller.userId,
    });
    expect(rows.usage).toMatchObject({ requestId: caller.requestId, outcome: 'ok' });
  });

  it('answers many unary exchanges at once on one signal without a listener-leak warning', async () => {
    const { service, router } = serviceWithFakes();
    const signals = new Set<AbortSignal>();
    // Like the real router: each provider call listens to the exchange's signal until it ends.
    router.run.mockImplementation(async (route, _request, signal, trace) => {
      signals.add(signal);
      const deadline = new IdleDeadline(signal, 60_000);
      try {
        await new Promise((resolve) => setTimeout(resolve, 20));
        trace.step = route[0];
        return { text: 'From the documents.', step: route[0] };
      } finally {
        deadline.dispose();
      }
    });
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => service.send(callerAs('user'), QUESTION)),
    );

    expect(replies).toHaveLength(20);
    // One shared signal, which Node would warn about past 10 listeners unless told otherwise.
    expect(signals.size).toBe(1);
    const [shared] = signals;
    expect(getMaxListeners(shared)).toBe(Number.POSITIVE_INFINITY);
  });

  it('calls no provider when the budget refuses, and records the refusal', async () => {
    const { service, router, exchanges, budget } = serviceWithFakes();
    budget.reserve.mockRejectedValueOnce(
      new DomainError(ErrorCode.BUDGET_EXCEEDED, 'over the daily token budget'),
    );
    await expect(service.send(callerAs('user'), QUESTION)).rejects.toMatchObject({
      code: 'BUDGET_EXCEEDED',
    });
    expect(router.run).not.toHaveBeenCalled();
    expect(exchanges.recordFailed.mock.calls[0][1]).toMatchObject({
      outcome: 'error',
      errorCode: 'BUDGET_EXCEEDED',
      inputTokens: 0,
    });
    expect(budget.settle).toHaveBeenCalled();
  });

  it('answers CONVERSATION_NOT_FOUND when the conversation was deleted while answering', async () => {
    const { service, exchanges } = serviceWithFakes();
    exchanges.recordAnswered.mockResolvedValueOnce('conversation-gone');
    await expect(service.send(callerAs('user'), QUESTION)).rejects.toMatchObject({
      code: 'CONVERSATION_NOT_FOUND',
    });
  });

  it('hands a message over to a person while one owns the conversation: no model, no budget', async () => {
    const { service, router, budget, exchanges, conversations, handoffs } = serviceWithFakes();
    conversations.state.mockResolvedValueOnce({
      status: 'human',
      turns: [],
      lastAnswerGrounded: true,
    });
    const caller = callerAs('user');
    const conversationId = randomUUID();
    const reply = await service.send(caller, { ...QUESTION, conversation_id: conversationId });
    expect(reply).toMatchObject({ handled_by: 'human', conversation_status: 'human', cost_usd: 0 });
    expect(handoffs.receive).toHaveBeenCalledWith(caller, conversationId, QUESTION.message);
    expect(router.run).not.toHaveBeenCalled();
    expect(budget.reserve).not.toHaveBeenCalled();
    expect(exchanges.recordAnswered).not.toHaveBeenCalled();
  });

  it('starts the handoff when the message asks for a person, without retrieval or a model', async () => {
    const { service, router, budget, handoffs, retrieval } = serviceWithFakes();
    const reply = await service.send(callerAs('user'), {
      message: 'Can I talk to a human, please?',
      use_rag: true,
    });
    expect(reply).toMatchObject({
      handled_by: 'human',
      conversation_status: 'waiting_human',
      response: 'A person will reply here.',
    });
    expect(handoffs.handOverWith.mock.calls[0][3]).toBe('phrase');
    expect(retrieval.relevantPassages).not.toHaveBeenCalled();
    expect(retrieval.startEarly).not.toHaveBeenCalled();
    expect(router.run).not.toHaveBeenCalled();
    expect(budget.reserve).not.toHaveBeenCalled();
  });

  it("answers with its assistant's prompt, model and temperature, and names it", async () => {
    const { service, router, assistants, exchanges } = serviceWithFakes();
    const bizBot: AssistantRow = {
      ...DEFAULT_ASSISTANT,
      id: randomUUID(),
      is_default: false,
      system_prompt: 'You are BizBot.',
      model: 'local-extractive',
      temperature: 0.2,
    };
    assistants.forExchange.mockResolvedValueOnce(bizBot);
    const reply = await service.send(callerAs('user'), { ...QUESTION, assistant_id: bizBot.id });
    expect(assistants.forExchange.mock.calls[0][1]).toBe(bizBot.id);
    const [route, request] = router.run.mock.calls[0];
    expect(request.system).toContain('You are BizBot.');
    expect(request.temperature).toBe(0.2);
    expect(route[0].model).toBe('local-extractive');
    expect(reply.assistant_id).toBe(bizBot.id);
    expect(exchanges.recordAnswered.mock.calls[0][1].conversation.assistantId).toBe(bizBot.id);
  });

  it("uses the tenant's system prompt for an assistant without one, and the request's temperature first", async () => {
    const { service, router, tenants } = serviceWithFakes();
    tenants.runtimeConfig.mockResolvedValue({ ...TENANT, system_prompt: 'You are Acme support.' });
    await service.send(callerAs('user'), { ...QUESTION, temperature: 1.5 });
    const [, request] = router.run.mock.calls[0];
    expect(request.system).toContain('You are Acme support.');
    expect(request.temperature).toBe(1.5);
  });

  it("passes the assistant's knowledge scope to retrieval", async () => {
    const { service, assistants, retrieval } = serviceWithFakes();
    const tagged = { ...DEFAULT_ASSISTANT, knowledge_tags: ['billing'] };
    assistants.forExchange.mockResolvedValueOnce(tagged);
    await service.send(callerAs('user'), { ...QUESTION, use_rag: true });
    expect(retrieval.relevantPassages.mock.calls[0][3]).toEqual({ tags: ['billing'] });
  });

  it('refuses before spending anything when the caller may not use the assistant', async () => {
    const { service, assistants, router, budget } = serviceWithFakes();
    assistants.forExchange.mockRejectedValueOnce(
      new DomainError(ErrorCode.ASSISTANT_FORBIDDEN, 'no'),
    );
    await expect(service.send(callerAs('user'), QUESTION)).rejects.toMatchObject({
      code: 'ASSISTANT_FORBIDDEN',
    });
    expect(router.run).not.toHaveBeenCalled();
    expect(budget.reserve).not.toHaveBeenCalled();
  });

  it('refuses a message to a closed conversation with CONVERSATION_CLOSED', async () => {
    const { service, router, conversations } = serviceWithFakes();
    conversations.state.mockResolvedValueOnce({
      status: 'closed',
      turns: [],
      lastAnswerGrounded: true,
    });
    await expect(
      service.send(callerAs('user'), { ...QUESTION, conversation_id: randomUUID() }),
    ).rejects.toMatchObject({ code: 'CONVERSATION_CLOSED' });
    expect(router.run).not.toHaveBeenCalled();
  });

  it('says the bot answered, in the conversation’s `bot` state', async () => {
    const { service } = serviceWithFakes();
    await expect(service.send(callerAs('user'), QUESTION)).resolves.toMatchObject({
      handled_by: 'bot',
      conversation_status: 'bot',
    });
  });

  it('hands over after two ungrounded answers in a row when the tenant enables it', async () => {
    const { service, conversations, handoffs, handoffSettings } = serviceWithFakes();
    handoffSettings.policyFor.mockResolvedValue({ phrases: [], onUngrounded: true });
    conversations.state.mockResolvedValue({ status: 'bot', turns: [], lastAnswerGrounded: false });
    const caller = callerAs('user');
    const id = randomUUID();
    const reply = await service.send(caller, {
      message: 'Anything?',
      use_rag: true,
      conversation_id: id,
    });
    expect(reply).toMatchObject({
      handled_by: 'bot',
      grounded: false,
      conversation_status: 'waiting_human',
    });
    expect(handoffs.handOverAfterAnswer).toHaveBeenCalledWith(caller, id);
  });

  it('keeps the bot after an ungrounded answer when the last one was grounded, or when off', async () => {
    const { service, conversations, handoffs, handoffSettings } = serviceWithFakes();
    handoffSettings.policyFor.mockResolvedValue({ phrases: [], onUngrounded: true });
    conversations.state.mockResolvedValue({ status: 'bot', turns: [], lastAnswerGrounded: true });
    const id = randomUUID();
    await service.send(callerAs('user'), {
      message: 'Anything?',
      use_rag: true,
      conversation_id: id,
    });
    handoffSettings.policyFor.mockResolvedValue({ phrases: [], onUngrounded: false });
    conversations.state.mockResolvedValue({ status: 'bot', turns: [], lastAnswerGrounded: false });
    await service.send(callerAs('user'), {
      message: 'Anything?',
      use_rag: true,
      conversation_id: id,
    });
    expect(handoffs.handOverAfterAnswer).not.toHaveBeenCalled();
  });

  it('recognises the tenant’s own phrases', async () => {
    const { service, handoffs, handoffSettings, router } = serviceWithFakes();
    handoffSettings.policyFor.mockResolvedValue({
      phrases: ['operator please'],
      onUngrounded: false,
    });
    const reply = await service.send(callerAs('user'), {
      message: 'Operator, please!',
      use_rag: false,
    });
    expect(reply.handled_by).toBe('human');
    expect(handoffs.handOverWith).toHaveBeenCalled();
    expect(router.run).not.toHaveBeenCalled();
  });
  it("falls back to the tenant's default model once the tenant no longer allows the assistant's", async () => {
    const { service, assistants, tenants } = serviceWithFakes();
    tenants.runtimeConfig.mockResolvedValue({ ...TENANT, allowed_models: ['local-extractive'] });
    assistants.forExchange.mockResolvedValueOnce({ ...DEFAULT_ASSISTANT, model: 'gpt-4o' });
    const reply = await service.send(callerAs('user'), QUESTION);
    expect(reply.model_used).toBe('local-extractive');
  });

  it('refuses a deactivated tenant before anything the assistant choice says', async () => {
    const { service, assistants, tenants } = serviceWithFakes();
    tenants.runtimeConfig.mockRejectedValueOnce(
      new DomainError(ErrorCode.TENANT_INACTIVE, 'this tenant is deactivated'),
    );
    assistants.forExchange.mockRejectedValueOnce(
      new DomainError(ErrorCode.ASSISTANT_FORBIDDEN, 'no'),
    );
    await expect(service.send(callerAs('user'), QUESTION)).rejects.toMatchObject({
      code: 'TENANT_INACTIVE',
    });
  });
});
