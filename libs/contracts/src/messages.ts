import { z } from 'zod';

import {
  ADMIN,
  chatStatsSchema,
  ragStatsSchema,
  STATS_PATTERNS,
  statsQuerySchema,
  statsReportSchema,
  tenantsStatsSchema,
  usageQuerySchema,
  usageReportSchema,
} from './admin';
import {
  assistantCreateSchema,
  ASSISTANTS,
  assistantUpdateMessageSchema,
  assistantViewSchema,
  usableAssistantSchema,
} from './assistants';
import {
  CHAT,
  chatRequestSchema,
  chatResponseSchema,
  chatStreamEventSchema,
  conversationDetailSchema,
  conversationListRequestSchema,
  conversationMessageSchema,
  conversationPageSchema,
  conversationRefSchema,
  conversationSummarySchema,
  deleteConversationReplySchema,
  modelsReplySchema,
} from './chat';
import {
  exportPageSchema,
  exportRequestSchema,
  FEEDBACK,
  feedbackRequestSchema,
  feedbackViewSchema,
} from './feedback';
import {
  agentMessageRequestSchema,
  HANDOFF,
  handoffRequestSchema,
  handoffSettingsSchema,
  handoffSettingsUpdateSchema,
  inboxListRequestSchema,
  inboxPageSchema,
} from './handoff';
import {
  companyRefsReplySchema,
  companyRefsRequestSchema,
  platformDocumentRowPageSchema,
  platformDocumentsQuerySchema,
  platformUserPageSchema,
  platformUsersQuerySchema,
} from './platform';
import {
  createDocumentRequestSchema,
  deleteDocumentReplySchema,
  documentPageSchema,
  documentRefSchema,
  documentViewSchema,
  embedReplySchema,
  embedRequestSchema,
  evaluationReplySchema,
  evaluationRequestSchema,
  listDocumentsRequestSchema,
  RAG,
  reprocessDocumentRequestSchema,
  searchReplySchema,
  searchRequestSchema,
  updateDocumentRequestSchema,
} from './rag';
import {
  PING_PATTERN,
  pingReplySchema,
  RAG_DEPENDENCIES,
  ragDependenciesReplySchema,
} from './services';
import {
  apiKeyCreateSchema,
  apiKeyViewSchema,
  authenticateRequestSchema,
  authenticationResultSchema,
  createdApiKeySchema,
  domainParamSchema,
  domainViewSchema,
  idParamSchema,
  loginMessageSchema,
  meReplySchema,
  pageSchema,
  paginationSchema,
  refreshSchema,
  registrationReplySchema,
  tenantCreateSchema,
  tenantRefSchema,
  tenantRegistrationSchema,
  tenantRuntimeConfigSchema,
  TENANTS,
  tenantUpdateMessageSchema,
  tenantViewSchema,
  tokenResponseSchema,
  userCreateSchema,
  userUpdateMessageSchema,
  userViewSchema,
} from './tenants';
import {
  createdWebhookSchema,
  webhookCreateSchema,
  webhookDeliveriesRequestSchema,
  webhookDeliverySchema,
  WEBHOOKS,
  webhookTestReplySchema,
  webhookViewSchema,
} from './webhooks';
import {
  authenticateVisitorRequestSchema,
  openedWidgetSchema,
  openWidgetRequestSchema,
  originKnownReplySchema,
  originKnownRequestSchema,
  widgetCreateSchema,
  WIDGETS,
  widgetUpdateMessageSchema,
  widgetViewSchema,
} from './widgets';

/** What one message pattern takes and answers. */
export interface MessageContract {
  request: z.ZodType;
  /** The reply; for a streamed reply, each value of the stream. */
  reply: z.ZodType;
  /** The reply is a stream of values (`client.call`), not one value. */
  streams?: true;
}

/** A message whose request carries nothing: the tenant and the caller ride in its context. */
export const emptyRequestSchema = z.strictObject({});

const deleted = z.object({ deleted: z.literal(true) });
const revoked = z.object({ revoked: z.literal(true) });

function answers<Request extends z.ZodType, Reply extends z.ZodType>(
  request: Request,
  reply: Reply,
) {
  return { request, reply };
}

function streams<Request extends z.ZodType, Value extends z.ZodType>(
  request: Request,
  value: Value,
) {
  return { request, reply: value, streams: true as const };
}

/**
 * Every request pattern of every service, with its request and reply schemas: the one source
 * of the types `client.request(pattern, body)` checks and returns. A pattern missing here
 * cannot be called through the typed client; add it with its schemas when you add a handler.
 */
export const MESSAGES = {
  // ---- tenants ------------------------------------------------------------------------------
  [TENANTS.AUTH_LOGIN]: answers(loginMessageSchema, tokenResponseSchema),
  [TENANTS.AUTH_REFRESH]: answers(refreshSchema, tokenResponseSchema),
  [TENANTS.AUTH_LOGOUT]: answers(refreshSchema, revoked),
  [TENANTS.AUTH_AUTHENTICATE]: answers(authenticateRequestSchema, authenticationResultSchema),
  [TENANTS.AUTH_ME]: answers(emptyRequestSchema, meReplySchema),
  [TENANTS.TENANT_LIST]: answers(paginationSchema, pageSchema(tenantViewSchema)),
  [TENANTS.TENANT_CREATE]: answers(tenantCreateSchema, tenantViewSchema),
  [TENANTS.TENANT_GET]: answers(tenantRefSchema, tenantViewSchema),
  [TENANTS.TENANT_UPDATE]: answers(tenantUpdateMessageSchema, tenantViewSchema),
  [TENANTS.TENANT_DELETE]: answers(idParamSchema, deleted),
  [TENANTS.TENANT_REGISTER]: answers(tenantRegistrationSchema, registrationReplySchema),
  [TENANTS.DOMAIN_LIST]: answers(emptyRequestSchema, z.array(domainViewSchema)),
  [TENANTS.DOMAIN_VERIFY]: answers(domainParamSchema, domainViewSchema),
  [TENANTS.TENANT_RUNTIME_CONFIG]: answers(emptyRequestSchema, tenantRuntimeConfigSchema),
  [TENANTS.STATS]: answers(emptyRequestSchema, tenantsStatsSchema),
  [TENANTS.USER_LIST]: answers(paginationSchema, pageSchema(userViewSchema)),
  [TENANTS.PLATFORM_USERS]: answers(platformUsersQuerySchema, platformUserPageSchema),
  [TENANTS.COMPANY_REFS]: answers(companyRefsRequestSchema, companyRefsReplySchema),
  [TENANTS.USER_CREATE]: answers(userCreateSchema, userViewSchema),
  [TENANTS.USER_GET]: answers(idParamSchema, userViewSchema),
  [TENANTS.USER_UPDATE]: answers(userUpdateMessageSchema, userViewSchema),
  [TENANTS.USER_DELETE]: answers(idParamSchema, deleted),
  [TENANTS.API_KEY_LIST]: answers(emptyRequestSchema, z.array(apiKeyViewSchema)),
  [TENANTS.API_KEY_CREATE]: answers(apiKeyCreateSchema, createdApiKeySchema),
  [TENANTS.API_KEY_DELETE]: answers(idParamSchema, revoked),
  [WIDGETS.LIST]: answers(emptyRequestSchema, z.array(widgetViewSchema)),
  [WIDGETS.CREATE]: answers(widgetCreateSchema, widgetViewSchema),
  [WIDGETS.GET]: answers(idParamSchema, widgetViewSchema),
  [WIDGETS.UPDATE]: answers(widgetUpdateMessageSchema, widgetViewSchema),
  [WIDGETS.DELETE]: answers(idParamSchema, deleted),
  [WIDGETS.OPEN]: answers(openWidgetRequestSchema, openedWidgetSchema),
  [WIDGETS.AUTHENTICATE_VISITOR]: answers(authenticateVisitorRequestSchema, openedWidgetSchema),
  [WIDGETS.ORIGIN_KNOWN]: answers(originKnownRequestSchema, originKnownReplySchema),
  [WEBHOOKS.LIST]: answers(emptyRequestSchema, z.array(webhookViewSchema)),
  [WEBHOOKS.CREATE]: answers(webhookCreateSchema, createdWebhookSchema),
  [WEBHOOKS.DELETE]: answers(idParamSchema, deleted),
  [WEBHOOKS.TEST]: answers(idParamSchema, webhookTestReplySchema),
  [WEBHOOKS.DELIVERIES]: answers(webhookDeliveriesRequestSchema, z.array(webhookDeliverySchema)),
  [PING_PATTERN.tenants]: answers(emptyRequestSchema, pingReplySchema),

  // ---- rag ----------------------------------------------------------------------------------
  [RAG.DOCUMENTS_CREATE]: answers(createDocumentRequestSchema, documentViewSchema),
  [RAG.DOCUMENTS_LIST]: answers(listDocumentsRequestSchema, documentPageSchema),
  [RAG.DOCUMENTS_GET]: answers(documentRefSchema, documentViewSchema),
  [RAG.DOCUMENTS_DELETE]: answers(documentRefSchema, deleteDocumentReplySchema),
  [RAG.DOCUMENTS_REPROCESS]: answers(reprocessDocumentRequestSchema, documentViewSchema),
  [RAG.DOCUMENTS_UPDATE]: answers(updateDocumentRequestSchema, documentViewSchema),
  [RAG.PLATFORM_DOCUMENTS]: answers(platformDocumentsQuerySchema, platformDocumentRowPageSchema),
  [RAG.SEARCH]: answers(searchRequestSchema, searchReplySchema),
  [RAG.RETRIEVE]: answers(searchRequestSchema, searchReplySchema),
  [RAG.EVALUATE]: answers(evaluationRequestSchema, evaluationReplySchema),
  [RAG.EMBED]: answers(embedRequestSchema, embedReplySchema),
  [STATS_PATTERNS.RAG]: answers(emptyRequestSchema, ragStatsSchema),
  [RAG_DEPENDENCIES]: answers(emptyRequestSchema, ragDependenciesReplySchema),
  [PING_PATTERN.rag]: answers(emptyRequestSchema, pingReplySchema),

  // ---- chat ---------------------------------------------------------------------------------
  [CHAT.SEND]: answers(chatRequestSchema, chatResponseSchema),
  [CHAT.STREAM]: streams(chatRequestSchema, chatStreamEventSchema),
  [CHAT.CONVERSATIONS_LIST]: answers(conversationListRequestSchema, conversationPageSchema),
  [CHAT.CONVERSATIONS_GET]: answers(conversationRefSchema, conversationDetailSchema),
  [CHAT.CONVERSATIONS_DELETE]: answers(conversationRefSchema, deleteConversationReplySchema),
  [CHAT.MODELS]: answers(emptyRequestSchema, modelsReplySchema),
  [ASSISTANTS.LIST]: answers(paginationSchema, pageSchema(assistantViewSchema)),
  [ASSISTANTS.CREATE]: answers(assistantCreateSchema, assistantViewSchema),
  [ASSISTANTS.GET]: answers(idParamSchema, assistantViewSchema),
  [ASSISTANTS.UPDATE]: answers(assistantUpdateMessageSchema, assistantViewSchema),
  [ASSISTANTS.DELETE]: answers(idParamSchema, deleted),
  [ASSISTANTS.USABLE]: answers(paginationSchema, pageSchema(usableAssistantSchema)),
  [HANDOFF.REQUEST]: answers(handoffRequestSchema, conversationSummarySchema),
  [HANDOFF.INBOX_LIST]: answers(inboxListRequestSchema, inboxPageSchema),
  [HANDOFF.CLAIM]: answers(conversationRefSchema, conversationSummarySchema),
  [HANDOFF.AGENT_MESSAGE]: answers(agentMessageRequestSchema, conversationMessageSchema),
  [HANDOFF.RELEASE]: answers(conversationRefSchema, conversationSummarySchema),
  [HANDOFF.CLOSE]: answers(conversationRefSchema, conversationSummarySchema),
  [HANDOFF.SETTINGS_GET]: answers(emptyRequestSchema, handoffSettingsSchema),
  [HANDOFF.SETTINGS_UPDATE]: answers(handoffSettingsUpdateSchema, handoffSettingsSchema),
  [STATS_PATTERNS.CHAT]: answers(statsQuerySchema, chatStatsSchema),
  [STATS_PATTERNS.CHAT_USAGE]: answers(usageQuerySchema, usageReportSchema),
  [FEEDBACK.RATE]: answers(feedbackRequestSchema, feedbackViewSchema),
  [FEEDBACK.EXPORT_CONVERSATIONS]: streams(exportRequestSchema, exportPageSchema),
  [PING_PATTERN.chat]: answers(emptyRequestSchema, pingReplySchema),

  // ---- admin --------------------------------------------------------------------------------
  [ADMIN.USAGE]: answers(usageQuerySchema, usageReportSchema),
  [ADMIN.STATS]: answers(statsQuerySchema, statsReportSchema),
  [PING_PATTERN.admin]: answers(emptyRequestSchema, pingReplySchema),
} as const satisfies Record<string, MessageContract>;

type Messages = typeof MESSAGES;

/** A pattern of the message map: `CHAT.SEND`, `RAG.SEARCH`, … */
export type RequestPattern = keyof Messages;

/** The patterns whose reply is a stream of values. */
export type StreamPattern = {
  [P in RequestPattern]: Messages[P] extends { streams: true } ? P : never;
}[RequestPattern];

/** What a caller sends for pattern `P` (the schema's input: defaults may be left out). */
export type RequestOf<P extends RequestPattern> = z.input<Messages[P]['request']>;

/** What the handler of pattern `P` receives once its schema parsed the request. */
export type ParsedRequestOf<P extends RequestPattern> = z.output<Messages[P]['request']>;

/** What pattern `P` answers: its reply, or each value of its stream. */
export type ReplyOf<P extends RequestPattern> = z.output<Messages[P]['reply']>;

export function isRequestPattern(pattern: string): pattern is RequestPattern {
  return Object.hasOwn(MESSAGES, pattern);
}

/** The contract of a pattern of the map, or undefined for a pattern the map does not know. */
export function contractOf(pattern: string): MessageContract | undefined {
  return isRequestPattern(pattern) ? MESSAGES[pattern] : undefined;
}
