import { type FormEvent, useState } from 'react';

import { api, unwrap } from '../api/client';
import { messageOf } from '../api/errors';
import type { Page, UserView } from '../api/types';
import { formatDateTime } from '../lib/format';
import {
  ActiveBadge,
  AsyncView,
  Button,
  Card,
  ErrorNotice,
  PageHeader,
  Select,
  SuccessNotice,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

export const TENANT_USER_ROLES = ['tenant_admin', 'agent', 'user', 'readonly'] as const;
type TenantUserRole = (typeof TENANT_USER_ROLES)[number];

export function UsersPage() {
  const users = useAsync(
    async () => (await unwrap<Page<UserView>>(api.GET('/api/v1/admin/users'))).items,
    [],
  );
  const [error, setError] = useState<string>();

  async function update(user: UserView, change: { role?: TenantUserRole; is_active?: boolean }) {
    setError(undefined);
    try {
      await unwrap(
        api.PUT('/api/v1/admin/users/{id}', {
          params: { path: { id: user.id } },
          body: change,
        }),
      );
    } catch (failure) {
      setError(messageOf(failure));
    }
    await users.reload(true);
  }

  return (
    <>
      <PageHeader title="Users and agents" />
      <CreateUser onCreated={() => void users.reload(true)} />
      <Card title="People">
        <ErrorNotice message={error} />
        <AsyncView
          state={users}
          what="the users"
          isEmpty={(list) => list.length === 0}
          empty="No users yet."
        >
          {(list) => (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Username</th>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col">State</th>
                    <th scope="col">Created</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((user) => (
                    <tr key={user.id}>
                      <td>{user.username}</td>
                      <td>{user.email ?? '—'}</td>
                      <td>
                        <select
                          aria-label={`Role of ${user.username}`}
                          value={user.role}
                          onChange={(event) =>
                            void update(user, { role: event.target.value as TenantUserRole })
                          }
                        >
                          {TENANT_USER_ROLES.map((role) => (
                            <option key={role} value={role}>
                              {role}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        <ActiveBadge active={user.is_active} />
                      </td>
                      <td>{formatDateTime(user.created_at)}</td>
                      <td>
                        <Button
                          variant="ghost"
                          onClick={() => void update(user, { is_active: !user.is_active })}
                        >
                          {user.is_active ? 'Deactivate' : 'Reactivate'}
                          <span className="sr-only"> {user.username}</span>
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </AsyncView>
      </Card>
    </>
  );
}

/** A user of a tenant; the super admin names the tenant (a new company's first admin). */
export function CreateUser({
  onCreated,
  tenantId,
  fixedRole,
}: {
  onCreated: (user: UserView) => void;
  tenantId?: string;
  fixedRole?: TenantUserRole;
}) {
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<TenantUserRole>(fixedRole ?? 'agent');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const user = await unwrap<UserView>(
        api.POST('/api/v1/admin/users', {
          body: { username, password, role, ...(email ? { email } : {}) } as never,
          headers: tenantId ? { 'X-Tenant-ID': tenantId } : {},
        }),
      );
      setDone(`${user.username} can now sign in as ${user.role}.`);
      setUsername('');
      setEmail('');
      setPassword('');
      onCreated(user);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={fixedRole === 'tenant_admin' ? 'Its admin' : 'Create a user'}>
      <form onSubmit={(event) => void submit(event)}>
        <div className="grid-2">
          <TextField
            label="Username"
            required
            autoComplete="off"
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
          <TextField
            label="Email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <TextField
            label="Initial password"
            type="password"
            required
            minLength={8}
            autoComplete="new-password"
            hint="At least 8 characters."
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          {!fixedRole && (
            <Select
              label="Role"
              value={role}
              onChange={(event) => setRole(event.target.value as TenantUserRole)}
            >
              {TENANT_USER_ROLES.map((value) => (
                <option key={value} value={value}>
                  {value}
                </option>
              ))}
            </Select>
          )}
        </div>
        <ErrorNotice message={error} />
        <SuccessNotice message={done} />
        <Button type="submit" variant="primary" busy={busy}>
          {fixedRole === 'tenant_admin' ? 'Create the admin' : 'Create user'}
        </Button>
      </form>
    </Card>
  );
}
