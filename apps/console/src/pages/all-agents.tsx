import { useState } from 'react';

import { api, unwrap } from '../api/client';
import type { PlatformUser, PlatformUserPage } from '../api/types';
import { formatDateTime } from '../lib/format';
import {
  AGENT_ROLES,
  type AgentRole,
  isFiltered,
  NO_AGENT_FILTER,
  type PlatformAgentFilter,
  platformAgentsQuery,
  ROLE_LABELS,
} from '../lib/platform';
import { CompanySelect } from '../ui/company-select';
import { ActiveBadge, Card, PageHeader, Select, TextField } from '../ui/components';
import { PagedTable } from '../ui/paged-table';
import { useDebounced } from '../ui/use-debounced';
import { usePagedList } from '../ui/use-paged-list';

const PAGE_SIZE = 50;
const COLUMNS = ['Username', 'Company', 'Email', 'Role', 'State', 'Last sign-in', 'Created'];

/** The platform owner's view of every company's agents and admins (or one role's users). */
export function AllAgentsPage() {
  const [filter, setFilter] = useState<PlatformAgentFilter>(NO_AGENT_FILTER);
  const text = useDebounced(filter.text, 300);
  const asked = { ...filter, text };
  const people = usePagedList(
    (offset, limit) =>
      unwrap<PlatformUserPage>(
        api.GET('/api/v1/platform/agents', {
          params: { query: platformAgentsQuery(asked, offset, limit) },
        }),
      ),
    [filter.tenantId, filter.role, text],
    PAGE_SIZE,
  );

  return (
    <>
      <PageHeader title="All agents" />
      <Card title="People of every company">
        <div className="filters" role="search" aria-label="Filter people">
          <CompanySelect
            value={filter.tenantId}
            onChange={(tenantId) => setFilter({ ...filter, tenantId })}
          />
          <Select
            label="Role"
            value={filter.role}
            onChange={(event) =>
              setFilter({ ...filter, role: event.target.value as AgentRole | '' })
            }
          >
            <option value="">Agents and company admins</option>
            {AGENT_ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABELS[role]}
              </option>
            ))}
          </Select>
          <TextField
            label="Username or email contains"
            type="search"
            value={filter.text}
            maxLength={200}
            onChange={(event) => setFilter({ ...filter, text: event.target.value })}
          />
        </div>
        <PagedTable
          state={people}
          what="the people"
          noun={{ one: 'person', many: 'people' }}
          empty={isFiltered(asked) ? 'Nobody matches the filters.' : 'No company has agents yet.'}
          caption="Agents and admins of every company"
          columns={COLUMNS}
        >
          {(items) => items.map((user) => <UserRow key={user.id} user={user} />)}
        </PagedTable>
      </Card>
    </>
  );
}

function UserRow({ user }: { user: PlatformUser }) {
  return (
    <tr>
      <td>{user.username}</td>
      <td>
        {user.company.name}
        <div className="hint">
          <code>{user.company.slug}</code>
        </div>
      </td>
      <td>{user.email ?? '—'}</td>
      <td>{ROLE_LABELS[user.role]}</td>
      <td>
        <ActiveBadge active={user.is_active} />
      </td>
      <td>{user.last_login_at ? formatDateTime(user.last_login_at) : 'Never'}</td>
      <td>{formatDateTime(user.created_at)}</td>
    </tr>
  );
}
