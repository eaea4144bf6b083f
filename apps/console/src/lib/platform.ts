import type { operations } from '../api/schema';
import type { DocumentStatus } from '../api/types';
import { DOCUMENT_KINDS } from './documents';

/** The super admin's views across companies: `GET /api/v1/platform/documents` and `/agents`. */
type DocumentsQuery = NonNullable<
  operations['PlatformViewsController_documents']['parameters']['query']
>;
type AgentsQuery = NonNullable<operations['PlatformViewsController_agents']['parameters']['query']>;
export type AgentRole = NonNullable<AgentsQuery['role']>;

export const AGENT_ROLES: readonly AgentRole[] = ['tenant_admin', 'agent', 'user', 'readonly'];

export const ROLE_LABELS: Record<AgentRole, string> = {
  tenant_admin: 'Company admin',
  agent: 'Agent',
  user: 'User',
  readonly: 'Read-only',
};

export interface PlatformDocumentFilter {
  tenantId: string;
  status: DocumentStatus | '';
  kind: string;
  text: string;
}

export interface PlatformAgentFilter {
  tenantId: string;
  role: AgentRole | '';
  text: string;
}

export const NO_DOCUMENT_FILTER: PlatformDocumentFilter = {
  tenantId: '',
  status: '',
  kind: '',
  text: '',
};
export const NO_AGENT_FILTER: PlatformAgentFilter = { tenantId: '', role: '', text: '' };

/** The search as the API takes it: trimmed, at most 200 characters, or none. */
function searchOf(text: string): string | undefined {
  const trimmed = text.trim().slice(0, 200).trim();
  return trimmed || undefined;
}

/** The documents route's query for a filter and a page: only the filters that are set. */
export function platformDocumentsQuery(
  filter: PlatformDocumentFilter,
  offset: number,
  limit: number,
): DocumentsQuery {
  const query: DocumentsQuery = { offset, limit };
  if (filter.tenantId) {
    query.tenant_id = filter.tenantId;
  }
  if (filter.status) {
    query.status = filter.status;
  }
  if (DOCUMENT_KINDS.includes(filter.kind)) {
    query.kind = filter.kind as DocumentsQuery['kind'];
  }
  const q = searchOf(filter.text);
  if (q) {
    query.q = q;
  }
  return query;
}

/** The agents route's query for a filter and a page: only the filters that are set. */
export function platformAgentsQuery(
  filter: PlatformAgentFilter,
  offset: number,
  limit: number,
): AgentsQuery {
  const query: AgentsQuery = { offset, limit };
  if (filter.tenantId) {
    query.tenant_id = filter.tenantId;
  }
  if (filter.role) {
    query.role = filter.role;
  }
  const q = searchOf(filter.text);
  if (q) {
    query.q = q;
  }
  return query;
}

/** Whether any filter narrows the list (an empty list then says "matches", not "none yet"). */
export function isFiltered(filter: object): boolean {
  return Object.values(filter).some((value) => typeof value === 'string' && value.trim() !== '');
}
