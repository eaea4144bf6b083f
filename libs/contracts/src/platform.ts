import { z } from 'zod';

import { DOCUMENT_SOURCES, DOCUMENT_STATUSES, DOCUMENT_TYPES } from './rag';
import { TENANT_ROLES } from './tenants';

/**
 * The super admin's views across companies (issue #19, seed 002's `/superadmin/resources` and
 * `/superadmin/agents`): every tenant's documents (`RAG.PLATFORM_DOCUMENTS`) and users
 * (`TENANTS.PLATFORM_USERS`), each row naming its company. Only a super admin is answered.
 */

/** What the console's kind filter means: a file's type, or how a document without a file came. */
export const DOCUMENT_KINDS = [...DOCUMENT_TYPES, 'url', 'crawl', 'text'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** A search: letters of a name, matched anywhere, without regard to case. */
const searchText = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((text) => !text.includes('\0'), 'must not contain NUL characters');

const platformPage = {
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

/** `GET /api/v1/platform/documents`: newest first. */
export const platformDocumentsQuerySchema = z.strictObject({
  tenant_id: z.uuid().optional(),
  status: z.enum(DOCUMENT_STATUSES).optional(),
  kind: z.enum(DOCUMENT_KINDS).optional(),
  /** In the file name, title or URL. */
  q: searchText.optional(),
  ...platformPage,
});
export type PlatformDocumentsQuery = z.output<typeof platformDocumentsQuerySchema>;

/** `GET /api/v1/platform/agents`: the oldest account first. */
export const platformUsersQuerySchema = z.strictObject({
  tenant_id: z.uuid().optional(),
  /** One role; without it, the people who work the console: agents and tenant admins. */
  role: z.enum(TENANT_ROLES).optional(),
  /** In the username or email. */
  q: searchText.optional(),
  ...platformPage,
});
export type PlatformUsersQuery = z.output<typeof platformUsersQuerySchema>;

/** The company a row belongs to. */
export const companyRefSchema = z.object({ id: z.string(), name: z.string(), slug: z.string() });
export type CompanyRef = z.output<typeof companyRefSchema>;

const documentColumns = {
  id: z.uuid(),
  source: z.enum(DOCUMENT_SOURCES),
  type: z.enum(DOCUMENT_TYPES).nullable(),
  filename: z.string().nullable(),
  title: z.string().nullable(),
  url: z.string().nullable(),
  status: z.enum(DOCUMENT_STATUSES),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  chunk_count: z.number().int(),
  bytes: z.number().int().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  processed_at: z.string().nullable(),
};

/** A document as the rag service answers it: the company by id only (the tenants service names it). */
export const platformDocumentRowSchema = z.object({ tenant_id: z.uuid(), ...documentColumns });
export type PlatformDocumentRow = z.output<typeof platformDocumentRowSchema>;

export const platformDocumentRowPageSchema = z.object({
  items: z.array(platformDocumentRowSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** A document of any company, as the route answers it. */
export const platformDocumentSchema = z.object({ company: companyRefSchema, ...documentColumns });
export type PlatformDocument = z.output<typeof platformDocumentSchema>;

export const platformDocumentPageSchema = z.object({
  items: z.array(platformDocumentSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type PlatformDocumentPage = z.output<typeof platformDocumentPageSchema>;

/** A user of a company. */
export const platformUserSchema = z.object({
  id: z.string(),
  company: companyRefSchema,
  username: z.string(),
  email: z.string().nullable(),
  role: z.enum(TENANT_ROLES),
  is_active: z.boolean(),
  /** The last password login; null before the first (a refreshed session does not count). */
  last_login_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type PlatformUser = z.output<typeof platformUserSchema>;

export const platformUserPageSchema = z.object({
  items: z.array(platformUserSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type PlatformUserPage = z.output<typeof platformUserPageSchema>;

/** `TENANTS.COMPANY_REFS`: the names of tenants by id; unknown ids are left out. */
export const companyRefsRequestSchema = z.strictObject({
  ids: z.array(z.uuid()).max(200),
});
export const companyRefsReplySchema = z.object({ items: z.array(companyRefSchema) });
