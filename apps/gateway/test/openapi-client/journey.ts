// A client's journey through the API, written only against the types openapi-typescript
// generates from the live /docs-json (./generated/api.d.ts, written by the test that runs this):
// no casts, no `any`, no non-null assertions. openapi-client.e2e.spec.ts type-checks this file
// with those types, then runs it against the stack.
import createClient, { type Client } from 'openapi-fetch';

import type { components, paths } from './generated/api';

type Api = Client<paths, 'application/json'>;
type Document = components['schemas']['Document'];

export interface JourneyInput {
  baseUrl: string;
  superAdmin: { username: string; password: string };
  /** A suffix that keeps this run's tenant and user names apart from other runs'. */
  unique: string;
}

export interface JourneyResult {
  tenantId: string;
  /** The tenant admin's access token. */
  token: string;
  adminRole: string;
  document: Document;
  searchTexts: string[];
  answer: components['schemas']['ChatResponse'];
  conversationIds: string[];
  conversationMessages: number;
  usageRequests: number;
}

const HANDBOOK =
  '# Returns\n\nCustomers may return any parcel within 30 days of delivery for a full refund.\n\n' +
  '# Shipping\n\nExpress shipping to the islands costs 12 euros and takes two days.\n';

export async function journey(input: JourneyInput): Promise<JourneyResult> {
  const api: Api = createClient<paths, 'application/json'>({ baseUrl: input.baseUrl });

  // The super admin logs in without a tenant, creates one and its first admin.
  const superAdmin = await login(api, input.superAdmin);
  const tenant = await api.POST('/api/v1/tenants', {
    headers: bearer(superAdmin),
    body: { name: `Journey ${input.unique}`, slug: `journey-${input.unique}`, plan: 'enterprise' },
  });
  if (!tenant.data) {
    throw new Error(`creating the tenant failed: ${tenant.error?.code}`);
  }
  const password = `pw-${input.unique}-long-enough`;
  const admin = await api.POST('/api/v1/admin/users', {
    headers: bearer(superAdmin),
    params: { header: { 'X-Tenant-ID': tenant.data.id } },
    body: { username: 'journey-admin', password, role: 'tenant_admin' },
  });
  if (!admin.data) {
    throw new Error(`creating the admin failed: ${admin.error?.code}`);
  }
  const token = await login(api, { username: 'journey-admin', password }, tenant.data.slug);

  // The tenant admin uploads a file and waits until it is ingested.
  const form = new FormData();
  form.append('file', new Blob([HANDBOOK], { type: 'text/markdown' }), 'handbook.md');
  const uploaded = await api.POST('/api/v1/rag/documents', {
    headers: bearer(token),
    body: { file: new Blob([HANDBOOK]) },
    bodySerializer: () => form,
  });
  if (!uploaded.data) {
    throw new Error(`the upload failed: ${uploaded.error?.code}`);
  }
  const document = await ingested(api, token, uploaded.data.id);

  const search = await api.POST('/api/v1/rag/search', {
    headers: bearer(token),
    body: { query: 'how many days to return a parcel', top_k: 3 },
  });
  if (!search.data) {
    throw new Error(`the search failed: ${search.error?.code}`);
  }

  const chat = await api.POST('/api/v1/chat', {
    headers: bearer(token),
    body: {
      message: 'How many days do customers have to return a parcel?',
      model: 'local-extractive',
    },
  });
  if (!chat.data) {
    throw new Error(`the chat failed: ${chat.error?.code}`);
  }

  const conversations = await api.GET('/api/v1/chat/conversations', {
    headers: bearer(token),
    params: { query: { limit: 10 } },
  });
  if (!conversations.data) {
    throw new Error(`listing conversations failed: ${conversations.error?.code}`);
  }
  const conversation = await api.GET('/api/v1/chat/conversations/{id}', {
    headers: bearer(token),
    params: { path: { id: chat.data.conversation_id } },
  });
  if (!conversation.data) {
    throw new Error(`reading the conversation failed: ${conversation.error?.code}`);
  }

  const usage = await api.GET('/api/v1/admin/usage', {
    headers: bearer(token),
    params: { query: { group_by: 'model' } },
  });
  if (!usage.data) {
    throw new Error(`the usage report failed: ${usage.error?.code}`);
  }

  return {
    tenantId: tenant.data.id,
    token,
    adminRole: admin.data.role,
    document,
    searchTexts: search.data.results.map((result) => result.text),
    answer: chat.data,
    conversationIds: conversations.data.items.map((item) => item.id),
    conversationMessages: conversation.data.messages.length,
    usageRequests: usage.data.rows.reduce((sum, row) => sum + row.requests, 0),
  };
}

async function login(
  api: Api,
  credentials: { username: string; password: string },
  tenant?: string,
): Promise<string> {
  const { data, error } = await api.POST('/api/v1/auth/login', {
    params: { header: { 'X-Tenant-ID': tenant } },
    body: credentials,
  });
  if (!data) {
    throw new Error(`login failed: ${error?.code}`);
  }
  return data.access_token;
}

function bearer(token: string) {
  return { Authorization: `Bearer ${token}` };
}

async function ingested(api: Api, token: string, id: string): Promise<Document> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { data, error } = await api.GET('/api/v1/rag/documents/{id}', {
      headers: bearer(token),
      params: { path: { id } },
    });
    if (!data) {
      throw new Error(`reading the document failed: ${error?.code}`);
    }
    if (data.status === 'completed' || data.status === 'failed') {
      return data;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the document was not ingested in 30 s');
}
