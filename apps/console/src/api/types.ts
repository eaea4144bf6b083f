import type { components, operations } from './schema';

/**
 * The API's answers as the gateway's OpenAPI document describes them (generated into
 * schema.d.ts by `npm run console:api`), under the names the pages use.
 */
type Schemas = components['schemas'];
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Ok<Op extends keyof operations> = operations[Op]['responses'] extends infer R
  ? R extends { 200: infer A }
    ? Json<A>
    : R extends { 201: infer A }
      ? Json<A>
      : never
  : never;

export type ApiKeyView = Schemas['ApiKey'];
export type CreatedApiKey = Schemas['CreatedApiKey'];
export type DocumentPage = Schemas['DocumentPage'];
export type DocumentView = Schemas['Document'];
export type DocumentStatus = DocumentView['status'];
export type DomainView = Schemas['Domain'];
export type MeReply = Ok<'AuthController_me'>;
export type ModelsReply = Ok<'ChatController_models'>;
export type PlatformDocument = Schemas['PlatformDocument'];
export type PlatformDocumentPage = Schemas['PlatformDocumentPage'];
export type PlatformUser = Schemas['PlatformUser'];
export type PlatformUserPage = Schemas['PlatformUserPage'];
export type SearchReply = Schemas['SearchReply'];
export type SearchResult = Schemas['SearchResult'];
export type StatsReport = Schemas['StatsReport'];
export type TenantView = Schemas['Tenant'];
export type TokenResponse = Schemas['TokenResponse'];
export type UsageReport = Schemas['UsageReport'];
export type UsageRow = UsageReport['rows'][number];
export type UserView = Schemas['User'];
export type WidgetView = Schemas['Widget'];
export type WidgetBranding = WidgetView['branding'];
export type Role = UserView['role'];

/** A page of a list route. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}
