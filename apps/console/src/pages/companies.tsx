import { type FormEvent, useState } from 'react';

import { api, unwrap } from '../api/client';
import { fieldErrorsOf, messageOf } from '../api/errors';
import type { DocumentPage, Page, TenantView, UserView } from '../api/types';
import { DOCUMENT_STATUS_LABELS, documentName } from '../lib/documents';
import { formatDateTime } from '../lib/format';
import {
  ActiveBadge,
  AsyncView,
  Button,
  Card,
  Dialog,
  ErrorNotice,
  PageHeader,
  Select,
  StatusBadge,
  SuccessNotice,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';
import { CreateUser } from './users';

const PLANS = ['free', 'basic', 'premium', 'enterprise'] as const;
type Plan = (typeof PLANS)[number];

/** Companies whose name or slug holds the search text. */
export function searchCompanies(tenants: readonly TenantView[], text: string): TenantView[] {
  const needle = text.trim().toLowerCase();
  return needle
    ? tenants.filter(
        (tenant) =>
          tenant.name.toLowerCase().includes(needle) || tenant.slug.toLowerCase().includes(needle),
      )
    : [...tenants];
}

export function CompaniesPage() {
  const tenants = useAsync(
    async () =>
      (
        await unwrap<Page<TenantView>>(
          api.GET('/api/v1/tenants', { params: { query: { limit: 200 } as never } }),
        )
      ).items,
    [],
  );
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TenantView>();
  const [editing, setEditing] = useState<TenantView>();
  const [deleting, setDeleting] = useState<TenantView>();
  const [viewing, setViewing] = useState<TenantView>();

  return (
    <>
      <PageHeader title="Companies">
        <Button
          variant="primary"
          onClick={() => {
            setCreating(true);
            setCreated(undefined);
          }}
        >
          New company
        </Button>
      </PageHeader>
      {creating && (
        <CreateCompany
          onCreated={(tenant) => {
            setCreated(tenant);
            setCreating(false);
            void tenants.reload(true);
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      {created && (
        <>
          <SuccessNotice
            message={`${created.name} is created. Now create its first admin, who signs in with the company "${created.slug}".`}
          />
          <CreateUser tenantId={created.id} fixedRole="tenant_admin" onCreated={() => undefined} />
        </>
      )}
      {editing && (
        <EditCompany
          key={editing.id}
          tenant={editing}
          onDone={() => {
            setEditing(undefined);
            void tenants.reload(true);
          }}
        />
      )}
      {viewing && (
        <CompanyDetails key={viewing.id} tenant={viewing} onClose={() => setViewing(undefined)} />
      )}
      <Card title="All companies">
        <div role="search" aria-label="Search companies">
          <TextField
            label="Search by name or slug"
            type="search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        <AsyncView
          state={tenants}
          what="the companies"
          isEmpty={(list) => list.length === 0}
          empty="No company yet."
        >
          {(list) => {
            const shown = searchCompanies(list, search);
            return shown.length === 0 ? (
              <p className="empty">No company matches “{search}”.</p>
            ) : (
              <div className="table-scroll">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Company</th>
                      <th scope="col">Slug</th>
                      <th scope="col">Plan</th>
                      <th scope="col">State</th>
                      <th scope="col">Created</th>
                      <th scope="col">
                        <span className="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {shown.map((tenant) => (
                      <tr key={tenant.id}>
                        <td>{tenant.name}</td>
                        <td>
                          <code>{tenant.slug}</code>
                        </td>
                        <td>{tenant.plan}</td>
                        <td>
                          <ActiveBadge active={tenant.is_active} />
                        </td>
                        <td>{formatDateTime(tenant.created_at)}</td>
                        <td className="actions">
                          <Button variant="ghost" onClick={() => setViewing(tenant)}>
                            Details<span className="sr-only"> of {tenant.name}</span>
                          </Button>
                          <Button
                            variant="ghost"
                            onClick={() => setEditing(tenant)}
                            aria-label={`Edit ${tenant.name}`}
                          >
                            Edit
                          </Button>
                          <Button
                            variant="ghost"
                            onClick={() => setDeleting(tenant)}
                            aria-label={`Delete ${tenant.name}`}
                          >
                            Delete
                          </Button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            );
          }}
        </AsyncView>
      </Card>
      <DeleteCompany
        tenant={deleting}
        onClose={() => setDeleting(undefined)}
        onDeleted={() => {
          setDeleting(undefined);
          void tenants.reload(true);
        }}
      />
    </>
  );
}

function CreateCompany({
  onCreated,
  onCancel,
}: {
  onCreated: (tenant: TenantView) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [plan, setPlan] = useState<Plan>('free');
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setFieldErrors({});
    try {
      onCreated(
        await unwrap<TenantView>(
          api.POST('/api/v1/tenants', { body: { name, slug, plan } as never }),
        ),
      );
    } catch (failure) {
      setError(messageOf(failure));
      setFieldErrors(fieldErrorsOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="New company">
      <form onSubmit={(event) => void submit(event)}>
        <div className="grid-2">
          <TextField
            label="Company name"
            required
            value={name}
            error={fieldErrors.name}
            onChange={(event) => {
              setName(event.target.value);
              setSlug(slugOf(event.target.value));
            }}
          />
          <TextField
            label="Slug"
            required
            hint="Lowercase letters, digits and dashes; users type it to sign in."
            value={slug}
            error={fieldErrors.slug}
            onChange={(event) => setSlug(event.target.value)}
          />
          <Select
            label="Plan"
            value={plan}
            onChange={(event) => setPlan(event.target.value as Plan)}
          >
            {PLANS.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </Select>
        </div>
        <ErrorNotice message={error} />
        <div className="inline">
          <Button type="submit" variant="primary" busy={busy}>
            Create company
          </Button>
          <Button onClick={onCancel}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}

/** "Acme Shop, Inc." → "acme-shop-inc". */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
}

const numberOrUndefined = (value: string) => (value.trim() === '' ? undefined : Number(value));

function EditCompany({ tenant, onDone }: { tenant: TenantView; onDone: () => void }) {
  const [plan, setPlan] = useState<Plan>(tenant.plan);
  const [active, setActive] = useState(tenant.is_active);
  const [perMinute, setPerMinute] = useState(String(tenant.rate_limits.requests_per_minute ?? ''));
  const [tokensPerDay, setTokensPerDay] = useState(String(tenant.rate_limits.tokens_per_day ?? ''));
  const [budget, setBudget] = useState(String(tenant.rate_limits.monthly_budget_usd ?? ''));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const rateLimits = Object.fromEntries(
      Object.entries({
        requests_per_minute: numberOrUndefined(perMinute),
        tokens_per_day: numberOrUndefined(tokensPerDay),
        monthly_budget_usd: numberOrUndefined(budget),
      }).filter(([, value]) => value !== undefined),
    );
    try {
      await unwrap(
        api.PUT('/api/v1/tenants/{id}', {
          params: { path: { id: tenant.id } },
          body: { plan, is_active: active, rate_limits: rateLimits } as never,
        }),
      );
      onDone();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={`Plan and limits of ${tenant.name}`}>
      <form onSubmit={(event) => void submit(event)}>
        <div className="grid-2">
          <Select
            label="Plan"
            value={plan}
            onChange={(event) => setPlan(event.target.value as Plan)}
          >
            {PLANS.map((value) => (
              <option key={value} value={value}>
                {value}
              </option>
            ))}
          </Select>
          <TextField
            label="Requests per minute"
            type="number"
            min={1}
            hint="Empty: the plan's limit."
            value={perMinute}
            onChange={(event) => setPerMinute(event.target.value)}
          />
          <TextField
            label="Tokens per day"
            type="number"
            min={0}
            value={tokensPerDay}
            onChange={(event) => setTokensPerDay(event.target.value)}
          />
          <TextField
            label="Monthly budget (USD)"
            type="number"
            min={0}
            step="0.01"
            value={budget}
            onChange={(event) => setBudget(event.target.value)}
          />
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={active}
            onChange={(event) => setActive(event.target.checked)}
          />{' '}
          Active (a deactivated company's users and keys are refused)
        </label>
        <ErrorNotice message={error} />
        <div className="inline">
          <Button type="submit" variant="primary" busy={busy}>
            Save
          </Button>
          <Button onClick={onDone}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}

/** Deleting asks for the company's slug, typed: nobody deletes the wrong one by a slip. */
function DeleteCompany({
  tenant,
  onClose,
  onDeleted,
}: {
  tenant: TenantView | undefined;
  onClose: () => void;
  onDeleted: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm(event: FormEvent) {
    event.preventDefault();
    if (!tenant) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.DELETE('/api/v1/tenants/{id}', { params: { path: { id: tenant.id } } }));
      setTyped('');
      onDeleted();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog
      open={tenant !== undefined}
      title={tenant ? `Delete ${tenant.name}?` : 'Delete'}
      onClose={() => {
        setTyped('');
        onClose();
      }}
    >
      {tenant && (
        <form onSubmit={(event) => void confirm(event)}>
          <p>
            Every document, conversation, user and key of <strong>{tenant.name}</strong> will be
            deleted. This cannot be undone.
          </p>
          <TextField
            label={`Type ${tenant.slug} to confirm`}
            value={typed}
            autoComplete="off"
            onChange={(event) => setTyped(event.target.value)}
          />
          <ErrorNotice message={error} />
          <div className="dialog-actions">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="danger" busy={busy} disabled={typed !== tenant.slug}>
              Delete {tenant.name}
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** A company's documents and people, read in that company (X-Tenant-ID) by the super admin. */
function CompanyDetails({ tenant, onClose }: { tenant: TenantView; onClose: () => void }) {
  const inTenant = { headers: { 'X-Tenant-ID': tenant.id } };
  const details = useAsync(async () => {
    const [documents, users] = await Promise.all([
      unwrap<DocumentPage>(api.GET('/api/v1/rag/documents', inTenant)),
      unwrap<Page<UserView>>(api.GET('/api/v1/admin/users', inTenant)),
    ]);
    return { documents, users };
  }, [tenant.id]);

  return (
    <Card
      title={`${tenant.name}: documents and people`}
      actions={<Button onClick={onClose}>Close</Button>}
    >
      <AsyncView state={details} what={`${tenant.name}'s documents and users`}>
        {({ documents, users }) => (
          <div className="grid-2">
            <div>
              <h3>Documents ({documents.total})</h3>
              {documents.items.length === 0 ? (
                <p className="empty">No documents.</p>
              ) : (
                <ul className="plain-list">
                  {documents.items.map((document) => (
                    <li key={document.id}>
                      {documentName(document)}{' '}
                      <StatusBadge
                        status={document.status}
                        label={DOCUMENT_STATUS_LABELS[document.status]}
                      />{' '}
                      <span className="hint">{document.chunk_count} chunks</span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <div>
              <h3>People ({users.total})</h3>
              <ul className="plain-list">
                {users.items.map((user) => (
                  <li key={user.id}>
                    {user.username} <span className="hint">{user.role}</span>
                    {!user.is_active && <StatusBadge status="failed" label="Deactivated" />}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        )}
      </AsyncView>
    </Card>
  );
}
