import { getRefId, zodToOpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';

import {
  apiKeyViewSchema,
  chatRequestSchema,
  chatResponseSchema,
  chatSourceSchema,
  conversationDetailSchema,
  conversationPageSchema,
  createdApiKeySchema,
  documentPageSchema,
  documentViewSchema,
  domainViewSchema,
  platformDocumentPageSchema,
  platformDocumentSchema,
  platformUserPageSchema,
  platformUserSchema,
  searchReplySchema,
  searchResultSchema,
  statsReportSchema,
  tenantViewSchema,
  tokenResponseSchema,
  usageReportSchema,
  userViewSchema,
  widgetViewSchema,
} from '@tenantbot/contracts';

/**
 * Contract schemas that appear in the OpenAPI document as named components
 * (`#/components/schemas/<name>`), so generated clients name their types. The name is set
 * on the contract's own schema object (zod-to-openapi's registry), not a copy: every route using
 * the schema refers to the component.
 */
const NAMED_SCHEMAS: Record<string, z.ZodType> = {
  TokenResponse: tokenResponseSchema,
  Tenant: tenantViewSchema,
  User: userViewSchema,
  ApiKey: apiKeyViewSchema,
  CreatedApiKey: createdApiKeySchema,
  Domain: domainViewSchema,
  ChatRequest: chatRequestSchema,
  ChatResponse: chatResponseSchema,
  ChatSource: chatSourceSchema,
  ConversationPage: conversationPageSchema,
  Conversation: conversationDetailSchema,
  Document: documentViewSchema,
  DocumentPage: documentPageSchema,
  SearchReply: searchReplySchema,
  SearchResult: searchResultSchema,
  UsageReport: usageReportSchema,
  StatsReport: statsReportSchema,
  Widget: widgetViewSchema,
  PlatformDocument: platformDocumentSchema,
  PlatformDocumentPage: platformDocumentPageSchema,
  PlatformUser: platformUserSchema,
  PlatformUserPage: platformUserPageSchema,
};

export function nameSchemas(): void {
  for (const [id, schema] of Object.entries(NAMED_SCHEMAS)) {
    nameSchema(id, schema);
  }
}

/** Names the schema (once; a schema named already keeps its name). */
export function nameSchema(refId: string, schema: z.ZodType): void {
  if (getRefId(schema)) {
    return;
  }
  const metadata = zodToOpenAPIRegistry.get(schema);
  zodToOpenAPIRegistry.add(schema, { ...metadata, _internal: { ...metadata?._internal, refId } });
}
