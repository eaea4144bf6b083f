import { type FormEvent, useState } from 'react';

import { api, unwrap } from '../api/client';
import { messageOf } from '../api/errors';
import { formatDateTime } from '../lib/format';
import {
  type CreatedWebhook,
  deliveryLine,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookView,
  WEBHOOK_EVENTS,
  webhookUrlProblem,
} from '../lib/webhooks';
import {
  AsyncView,
  Button,
  Card,
  Dialog,
  ErrorNotice,
  PageHeader,
  SuccessNotice,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

const EVENTS = Object.keys(WEBHOOK_EVENTS) as WebhookEvent[];

export function WebhooksPage() {
  const hooks = useAsync(() => unwrap<WebhookView[]>(api.GET('/api/v1/webhooks')), []);
  const [created, setCreated] = useState<CreatedWebhook>();
  const [deleting, setDeleting] = useState<WebhookView>();
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  async function remove(hook: WebhookView) {
    setError(undefined);
    try {
      await unwrap(api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: hook.id } } }));
    } catch (failure) {
      setError(messageOf(failure));
    }
    setDeleting(undefined);
    await hooks.reload(true);
  }

  async function test(hook: WebhookView) {
    setError(undefined);
    setNotice(undefined);
    try {
      await unwrap(api.POST('/api/v1/webhooks/{id}/test', { params: { path: { id: hook.id } } }));
      setNotice(`Test event queued for ${hook.url}: its delivery appears in the log.`);
      setOpen(hook.id);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }

  return (
    <>
      <PageHeader title="Webhooks" />
      <RegisterWebhook
        onCreated={(hook) => {
          setCreated(hook);
          void hooks.reload(true);
        }}
      />
      {created && (
        <Card title="Your new webhook">
          <p role="status">
            Copy the signing secret of {created.url} now: it is shown <strong>once</strong>. Check
            each delivery’s <code>X-Tenantbot-Signature</code> with it.
          </p>
          <TextField label="Signing secret" readOnly value={created.secret} className="secret" />
          <Button onClick={() => setCreated(undefined)}>I have copied it</Button>
        </Card>
      )}
      <Card title="Endpoints">
        <ErrorNotice message={error} />
        <SuccessNotice message={notice} />
        <AsyncView
          state={hooks}
          what="the webhooks"
          isEmpty={(list) => list.length === 0}
          empty="No webhook. Register an endpoint to hear about documents, handoffs and ratings."
        >
          {(list) => (
            <ul className="stack plain-list">
              {list.map((hook) => (
                <li key={hook.id} className="webhook">
                  <div className="card-head">
                    <div>
                      <code>{hook.url}</code>
                      <div className="hint">
                        {hook.events.join(', ')} · since {formatDateTime(hook.created_at)}
                      </div>
                    </div>
                    <div className="inline">
                      <Button
                        onClick={() => void test(hook)}
                        aria-label={`Send test to ${hook.url}`}
                      >
                        Send test
                      </Button>
                      <Button
                        aria-expanded={open === hook.id}
                        onClick={() => setOpen(open === hook.id ? undefined : hook.id)}
                        aria-label={`Deliveries of ${hook.url}`}
                      >
                        Deliveries
                      </Button>
                      <Button
                        variant="ghost"
                        onClick={() => setDeleting(hook)}
                        aria-label={`Delete ${hook.url}`}
                      >
                        Delete
                      </Button>
                    </div>
                  </div>
                  {open === hook.id && <Deliveries hookId={hook.id} />}
                </li>
              ))}
            </ul>
          )}
        </AsyncView>
      </Card>
      <Dialog
        open={deleting !== undefined}
        title="Delete this webhook?"
        onClose={() => setDeleting(undefined)}
      >
        {deleting && (
          <>
            <p>{deleting.url} receives no more events; pending retries stop.</p>
            <div className="dialog-actions">
              <Button onClick={() => setDeleting(undefined)}>Cancel</Button>
              <Button variant="danger" onClick={() => void remove(deleting)}>
                Delete webhook
              </Button>
            </div>
          </>
        )}
      </Dialog>
    </>
  );
}

function Deliveries({ hookId }: { hookId: string }) {
  const deliveries = useAsync(
    () =>
      unwrap<WebhookDelivery[]>(
        api.GET('/api/v1/webhooks/{id}/deliveries', {
          params: { path: { id: hookId }, query: { limit: 20 } },
        }),
      ),
    [hookId],
  );
  return (
    <div className="stack">
      <div>
        <Button variant="ghost" onClick={() => void deliveries.reload()}>
          Refresh the log
        </Button>
      </div>
      <AsyncView
        state={deliveries}
        what="the deliveries"
        isEmpty={(list) => list.length === 0}
        empty="Nothing delivered yet."
      >
        {(list) => (
          <ol className="plain-list" aria-label="Deliveries, newest first">
            {list.map((delivery) => (
              <li key={delivery.id}>
                <span
                  className={`badge badge-${delivery.outcome === 'delivered' ? 'completed' : 'failed'}`}
                >
                  {delivery.event_type}
                </span>{' '}
                {deliveryLine(delivery)} · {formatDateTime(delivery.created_at)}
              </li>
            ))}
          </ol>
        )}
      </AsyncView>
    </div>
  );
}

function RegisterWebhook({ onCreated }: { onCreated: (hook: CreatedWebhook) => void }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<WebhookEvent[]>(['document.completed', 'document.failed']);
  const [urlError, setUrlError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const problem = webhookUrlProblem(url);
    setUrlError(problem);
    if (problem) {
      return;
    }
    if (events.length === 0) {
      setError('Choose at least one event.');
      return;
    }
    setBusy(true);
    try {
      onCreated(
        await unwrap<CreatedWebhook>(
          api.POST('/api/v1/webhooks', { body: { url: url.trim(), events } }),
        ),
      );
      setUrl('');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Register an endpoint">
      <form className="stack" onSubmit={(event) => void submit(event)} noValidate>
        <TextField
          label="Endpoint URL"
          type="url"
          required
          placeholder="https://hooks.example.com/tenantbot"
          hint="A public address: private and internal ones are refused."
          value={url}
          error={urlError}
          onChange={(event) => setUrl(event.target.value)}
        />
        <fieldset className="field">
          <legend>Events</legend>
          {EVENTS.map((name) => (
            <label key={name} className="check">
              <input
                type="checkbox"
                checked={events.includes(name)}
                onChange={(event) =>
                  setEvents(
                    event.target.checked
                      ? [...events, name]
                      : events.filter((value) => value !== name),
                  )
                }
              />{' '}
              {WEBHOOK_EVENTS[name]} <code>{name}</code>
            </label>
          ))}
        </fieldset>
        <ErrorNotice message={error} />
        <div>
          <Button type="submit" variant="primary" busy={busy}>
            Register webhook
          </Button>
        </div>
      </form>
    </Card>
  );
}
