import { type FormEvent, useState } from 'react';

import { api, unwrap } from '../api/client';
import { messageOf } from '../api/errors';
import type { ApiKeyView, CreatedApiKey } from '../api/types';
import { formatDateTime } from '../lib/format';
import {
  AsyncView,
  Button,
  Card,
  Dialog,
  ErrorNotice,
  PageHeader,
  Select,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

const KEY_ROLES = ['user', 'readonly', 'agent', 'tenant_admin'] as const;

export function ApiKeysPage() {
  const keys = useAsync(() => unwrap<ApiKeyView[]>(api.GET('/api/v1/api-keys')), []);
  const [created, setCreated] = useState<CreatedApiKey>();
  const [revoking, setRevoking] = useState<ApiKeyView>();
  const [error, setError] = useState<string>();

  async function revoke(key: ApiKeyView) {
    setError(undefined);
    try {
      await unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id: key.id } } }));
    } catch (failure) {
      setError(messageOf(failure));
    }
    setRevoking(undefined);
    await keys.reload(true);
  }

  return (
    <>
      <PageHeader title="API keys" />
      <CreateKey
        onCreated={(key) => {
          setCreated(key);
          void keys.reload(true);
        }}
      />
      {created && (
        <Card title="Your new key">
          <p role="status">
            Copy the secret of “{created.name}” now: it is shown <strong>once</strong> and stored
            only as a hash.
          </p>
          <TextField label="Secret" readOnly value={created.key} className="secret" />
          <Button onClick={() => setCreated(undefined)}>I have copied it</Button>
        </Card>
      )}
      <Card title="Keys">
        <ErrorNotice message={error} />
        <AsyncView
          state={keys}
          what="the API keys"
          isEmpty={(list) => list.length === 0}
          empty="No API key. Create one for your servers to call the API."
        >
          {(list) => (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Prefix</th>
                    <th scope="col">Role</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {list.map((key) => (
                    <tr key={key.id}>
                      <td>{key.name}</td>
                      <td>
                        <code>{key.prefix}…</code>
                      </td>
                      <td>{key.role}</td>
                      <td>{formatDateTime(key.last_used_at)}</td>
                      <td>{key.expires_at ? formatDateTime(key.expires_at) : 'Never'}</td>
                      <td>
                        <Button
                          variant="ghost"
                          onClick={() => setRevoking(key)}
                          aria-label={`Revoke ${key.name}`}
                        >
                          Revoke
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
      <Dialog
        open={revoking !== undefined}
        title="Revoke this key?"
        onClose={() => setRevoking(undefined)}
      >
        {revoking && (
          <>
            <p>Clients using “{revoking.name}” will be refused at once.</p>
            <div className="dialog-actions">
              <Button onClick={() => setRevoking(undefined)}>Cancel</Button>
              <Button variant="danger" onClick={() => void revoke(revoking)}>
                Revoke key
              </Button>
            </div>
          </>
        )}
      </Dialog>
    </>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<(typeof KEY_ROLES)[number]>('user');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onCreated(
        await unwrap<CreatedApiKey>(api.POST('/api/v1/api-keys', { body: { name, role } })),
      );
      setName('');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Create a key">
      <form className="inline" onSubmit={(event) => void submit(event)}>
        <TextField
          label="Name"
          required
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <Select
          label="Role"
          value={role}
          onChange={(event) => setRole(event.target.value as (typeof KEY_ROLES)[number])}
        >
          {KEY_ROLES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </Select>
        <Button type="submit" variant="primary" busy={busy}>
          Create key
        </Button>
      </form>
      <ErrorNotice message={error} />
    </Card>
  );
}
