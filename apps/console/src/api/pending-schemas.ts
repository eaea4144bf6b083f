/**
 * Response bodies the gateway's OpenAPI document does not describe yet (its routes declare
 * request bodies only; the OpenAPI work of #18a adds the responses). Until then the console
 * takes them, type only (nothing of it reaches the bundle), from the contracts the gateway
 * itself answers with. Delete this file when `schema.d.ts` carries the responses.
 */
export type {
  ApiKeyView,
  CreatedApiKey,
  DocumentPage,
  DocumentStatus,
  DocumentView,
  DomainView,
  MeReply,
  ModelsReply,
  Page,
  SearchReply,
  SearchResult,
  StatsReport,
  TenantView,
  TokenResponse,
  UsageReport,
  UsageRow,
  UserView,
  WidgetBranding,
  WidgetView,
} from '@tenantbot/contracts';
export type { Role } from '@tenantbot/contracts';
