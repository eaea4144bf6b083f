import { type FormEvent, useEffect, useState } from 'react';

import { api, unwrap } from '../api/client';
import { fieldErrorsOf, messageOf } from '../api/errors';
import type { DomainView, ModelsReply, TenantView } from '../api/types';
import { parseOrigins } from '../lib/widget-snippet';
import {
  AsyncView,
  Button,
  Card,
  ErrorNotice,
  PageHeader,
  Select,
  StatusBadge,
  SuccessNotice,
  TextArea,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

interface ProfileForm {
  name: string;
  email: string;
  phone: string;
  website: string;
  logo_url: string;
  system_prompt: string;
  default_model: string;
  allowed_origins: string;
  domains: string;
}

function formOf(tenant: TenantView): ProfileForm {
  return {
    name: tenant.name,
    email: tenant.email ?? '',
    phone: tenant.phone ?? '',
    website: tenant.website ?? '',
    logo_url: tenant.logo_url ?? '',
    system_prompt: tenant.system_prompt ?? '',
    default_model: tenant.default_model ?? '',
    allowed_origins: tenant.allowed_origins.join('\n'),
    domains: tenant.domains.join('\n'),
  };
}

const orNull = (value: string) => (value.trim() === '' ? null : value.trim());

/** What PUT /tenants/me receives: blanks clear a field. */
export function profileUpdate(form: ProfileForm) {
  return {
    name: form.name.trim(),
    email: orNull(form.email),
    phone: orNull(form.phone),
    website: orNull(form.website),
    logo_url: orNull(form.logo_url),
    system_prompt: orNull(form.system_prompt),
    default_model: orNull(form.default_model),
    allowed_origins: parseOrigins(form.allowed_origins),
    domains: parseOrigins(form.domains).map((domain) => domain.toLowerCase()),
  };
}

export function ProfilePage() {
  const tenant = useAsync(async () => {
    const [current, models] = await Promise.all([
      unwrap<TenantView>(api.GET('/api/v1/tenants/me')),
      unwrap<ModelsReply>(api.GET('/api/v1/chat/models')).catch(() => undefined),
    ]);
    return { current, models: models?.models.map((model) => model.id) ?? [] };
  }, []);
  return (
    <>
      <PageHeader title="Company profile" />
      <AsyncView state={tenant} what="the company profile">
        {(data) => (
          <ProfileEditor
            tenant={data.current}
            models={data.models}
            onSaved={() => void tenant.reload(true)}
          />
        )}
      </AsyncView>
      <DomainsCard />
    </>
  );
}

function ProfileEditor({
  tenant,
  models,
  onSaved,
}: {
  tenant: TenantView;
  models: string[];
  onSaved: () => void;
}) {
  const [form, setForm] = useState(() => formOf(tenant));
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  useEffect(() => setForm(formOf(tenant)), [tenant]);

  const field = (name: keyof ProfileForm) => ({
    name,
    value: form[name],
    error: fieldErrors[name],
    onChange: (event: { target: { value: string } }) =>
      setForm({ ...form, [name]: event.target.value }),
  });

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    setFieldErrors({});
    try {
      await unwrap(api.PUT('/api/v1/tenants/me', { body: profileUpdate(form) }));
      setSaved('Profile saved.');
      onSaved();
    } catch (failure) {
      setError(messageOf(failure));
      setFieldErrors(fieldErrorsOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(event) => void save(event)} className="stack">
      <Card title="Company">
        <div className="profile-head">
          {tenant.logo_url ? (
            <img className="logo" src={tenant.logo_url} alt={`${tenant.name} logo`} />
          ) : (
            <div className="logo logo-placeholder" aria-hidden="true">
              {tenant.name.slice(0, 1).toUpperCase()}
            </div>
          )}
          <dl className="facts">
            <dt>Slug</dt>
            <dd>{tenant.slug}</dd>
            <dt>Plan</dt>
            <dd>
              <StatusBadge status="plan" label={tenant.plan} />{' '}
              <span className="hint">(changed by the platform owner)</span>
            </dd>
          </dl>
        </div>
        <div className="grid-2">
          <TextField label="Name" required maxLength={200} {...field('name')} />
          <TextField label="Contact email" type="email" {...field('email')} />
          <TextField label="Phone" type="tel" {...field('phone')} />
          <TextField label="Website" type="url" placeholder="https://" {...field('website')} />
          <TextField
            label="Logo URL"
            type="url"
            placeholder="https://"
            hint="An https address of an image."
            {...field('logo_url')}
          />
        </div>
      </Card>
      <Card title="Assistant defaults">
        <TextArea label="System prompt" rows={5} maxLength={20000} {...field('system_prompt')} />
        <Select
          label="Default model"
          hint="The model that answers when a request names none."
          {...field('default_model')}
        >
          <option value="">The platform’s default</option>
          {[...new Set([...models, ...(form.default_model ? [form.default_model] : [])])].map(
            (model) => (
              <option key={model} value={model}>
                {model}
              </option>
            ),
          )}
        </Select>
      </Card>
      <Card title="Web access">
        <TextArea
          label="Allowed origins"
          rows={3}
          hint="Sites that may call the API from a browser, one a line (https://shop.example)."
          {...field('allowed_origins')}
        />
        <TextArea
          label="Custom domains"
          rows={2}
          hint="One a line. Each resolves to your company once verified (below)."
          {...field('domains')}
        />
      </Card>
      <ErrorNotice message={error} />
      <SuccessNotice message={saved} />
      <div>
        <Button type="submit" variant="primary" busy={busy}>
          Save profile
        </Button>
      </div>
    </form>
  );
}

function DomainsCard() {
  const domains = useAsync(() => unwrap<DomainView[]>(api.GET('/api/v1/tenants/me/domains')), []);
  const [error, setError] = useState<string>();
  async function verify(domain: string) {
    setError(undefined);
    try {
      await unwrap(
        api.POST('/api/v1/tenants/me/domains/{domain}/verify', {
          params: { path: { domain } },
        }),
      );
    } catch (failure) {
      setError(messageOf(failure));
    }
    await domains.reload(true);
  }
  return (
    <Card title="Domain verification">
      <ErrorNotice message={error} />
      <AsyncView
        state={domains}
        what="the domains"
        isEmpty={(list) => list.length === 0}
        empty="No custom domains. Add one in the profile above."
      >
        {(list) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Domain</th>
                <th scope="col">State</th>
                <th scope="col">DNS record to publish</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((domain) => (
                <tr key={domain.domain}>
                  <td>{domain.domain}</td>
                  <td>
                    <StatusBadge
                      status={domain.verified ? 'completed' : 'pending'}
                      label={domain.verified ? 'Verified' : 'Pending'}
                    />
                  </td>
                  <td>
                    <code>
                      {domain.verification.type} {domain.verification.name} “
                      {domain.verification.value}”
                    </code>
                  </td>
                  <td>
                    {!domain.verified && (
                      <Button onClick={() => void verify(domain.domain)}>
                        Verify {domain.domain}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </AsyncView>
    </Card>
  );
}
