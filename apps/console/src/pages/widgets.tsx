import { type FormEvent, useState } from 'react';

import { api, unwrap } from '../api/client';
import { fieldErrorsOf, messageOf } from '../api/errors';
import type { WidgetView } from '../api/types';
import { parseOrigins, textColorOn, widgetSnippet } from '../lib/widget-snippet';
import {
  ActiveBadge,
  AsyncView,
  Button,
  Card,
  ErrorNotice,
  PageHeader,
  Select,
  SuccessNotice,
  TextArea,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

interface WidgetForm {
  name: string;
  allowed_origins: string;
  title: string;
  primary_color: string;
  greeting: string;
  placeholder: string;
  logo_url: string;
  position: 'bottom-right' | 'bottom-left';
  is_active: boolean;
}

const NEW_WIDGET: WidgetForm = {
  name: '',
  allowed_origins: '',
  title: 'Chat with us',
  primary_color: '#2457c5',
  greeting: 'Hi! How can we help?',
  placeholder: 'Type your question…',
  logo_url: '',
  position: 'bottom-right',
  is_active: true,
};

function formOf(widget: WidgetView): WidgetForm {
  return {
    name: widget.name,
    allowed_origins: widget.allowed_origins.join('\n'),
    title: widget.branding.title,
    primary_color: widget.branding.primary_color,
    greeting: widget.branding.greeting,
    placeholder: widget.branding.placeholder,
    logo_url: widget.branding.logo_url ?? '',
    position: widget.branding.position,
    is_active: widget.is_active,
  };
}

/** The create or update body of a widget form. */
export function widgetBody(form: WidgetForm) {
  return {
    name: form.name.trim(),
    allowed_origins: parseOrigins(form.allowed_origins),
    is_active: form.is_active,
    branding: {
      title: form.title,
      primary_color: form.primary_color,
      greeting: form.greeting,
      placeholder: form.placeholder,
      position: form.position,
      logo_url: form.logo_url.trim() || null,
    },
  };
}

export function WidgetsPage() {
  const widgets = useAsync(() => unwrap<WidgetView[]>(api.GET('/api/v1/widgets')), []);
  const [editing, setEditing] = useState<WidgetView | 'new'>();

  return (
    <>
      <PageHeader title="Widgets">
        <Button variant="primary" onClick={() => setEditing('new')}>
          New widget
        </Button>
      </PageHeader>
      {editing && (
        <WidgetEditor
          key={editing === 'new' ? 'new' : editing.id}
          widget={editing === 'new' ? undefined : editing}
          onDone={(saved) => {
            setEditing(saved);
            void widgets.reload(true);
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <Card title="Your widgets">
        <AsyncView
          state={widgets}
          what="the widgets"
          isEmpty={(list) => list.length === 0}
          empty="No widget yet. Create one to put the chat on your website."
        >
          {(list) => (
            <ul className="widget-list">
              {list.map((widget) => (
                <li key={widget.id} className="widget-item">
                  <span
                    className="swatch"
                    aria-hidden="true"
                    ref={(node) =>
                      node?.style.setProperty('--swatch', widget.branding.primary_color)
                    }
                  />
                  <span className="widget-name">{widget.name}</span>
                  <code>{widget.public_key}</code>
                  <ActiveBadge active={widget.is_active} off="Off" />
                  <Button onClick={() => setEditing(widget)} aria-label={`Edit ${widget.name}`}>
                    Edit
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </AsyncView>
      </Card>
    </>
  );
}

function WidgetEditor({
  widget,
  onDone,
  onCancel,
}: {
  widget: WidgetView | undefined;
  onDone: (saved: WidgetView) => void;
  onCancel: () => void;
}) {
  const [form, setForm] = useState<WidgetForm>(widget ? formOf(widget) : NEW_WIDGET);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<WidgetForm>) => setForm({ ...form, ...patch });

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    setFieldErrors({});
    try {
      const body = widgetBody(form);
      const result = widget
        ? await unwrap<WidgetView>(
            api.PUT('/api/v1/widgets/{id}', {
              params: { path: { id: widget.id } },
              body,
            }),
          )
        : await unwrap<WidgetView>(api.POST('/api/v1/widgets', { body: body as never }));
      setSaved(widget ? 'Widget saved.' : 'Widget created. Copy the snippet onto your site.');
      onDone(result);
    } catch (failure) {
      setError(messageOf(failure));
      setFieldErrors(fieldErrorsOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title={widget ? `Edit “${widget.name}”` : 'New widget'}>
      <div className="grid-2">
        <form onSubmit={(event) => void save(event)}>
          <TextField
            label="Name"
            required
            value={form.name}
            error={fieldErrors.name}
            onChange={(event) => set({ name: event.target.value })}
          />
          <TextArea
            label="Allowed origins"
            required
            rows={2}
            hint="The sites that show this widget, one a line (https://shop.example)."
            value={form.allowed_origins}
            error={fieldErrors.allowed_origins}
            onChange={(event) => set({ allowed_origins: event.target.value })}
          />
          <TextField
            label="Title"
            value={form.title}
            onChange={(event) => set({ title: event.target.value })}
          />
          <div className="inline">
            <TextField
              label="Color"
              type="color"
              value={form.primary_color}
              onChange={(event) => set({ primary_color: event.target.value })}
            />
            <Select
              label="Position"
              value={form.position}
              onChange={(event) => set({ position: event.target.value as WidgetForm['position'] })}
            >
              <option value="bottom-right">Bottom right</option>
              <option value="bottom-left">Bottom left</option>
            </Select>
          </div>
          <TextField
            label="Greeting"
            value={form.greeting}
            onChange={(event) => set({ greeting: event.target.value })}
          />
          <TextField
            label="Input placeholder"
            value={form.placeholder}
            onChange={(event) => set({ placeholder: event.target.value })}
          />
          <TextField
            label="Logo URL"
            type="url"
            placeholder="https://"
            value={form.logo_url}
            error={fieldErrors.branding}
            onChange={(event) => set({ logo_url: event.target.value })}
          />
          <label className="check">
            <input
              type="checkbox"
              checked={form.is_active}
              onChange={(event) => set({ is_active: event.target.checked })}
            />{' '}
            Active
          </label>
          <ErrorNotice message={error} />
          <SuccessNotice message={saved} />
          <div className="inline">
            <Button type="submit" variant="primary" busy={busy}>
              {widget ? 'Save widget' : 'Create widget'}
            </Button>
            <Button onClick={onCancel}>Close</Button>
          </div>
        </form>
        <div className="stack">
          <WidgetPreview form={form} />
          {widget && <Snippet publicKey={widget.public_key} />}
        </div>
      </div>
    </Card>
  );
}

/** The widget as visitors will see it, drawn from the form as it is typed. */
export function WidgetPreview({ form }: { form: WidgetForm }) {
  const paint = (node: HTMLElement | null) => {
    node?.style.setProperty('--brand', form.primary_color);
    node?.style.setProperty('--on-brand', textColorOn(form.primary_color));
  };
  return (
    <figure className="preview" aria-label="Widget preview">
      <figcaption className="hint">Live preview</figcaption>
      <div className={`preview-site preview-${form.position}`} ref={paint}>
        <div className="preview-panel" data-testid="widget-preview">
          <div className="preview-head">
            {form.logo_url && <img src={form.logo_url} alt="" className="preview-logo" />}
            <span className="preview-title">{form.title || 'Chat'}</span>
          </div>
          <div className="preview-log">
            <p className="preview-bubble">{form.greeting}</p>
          </div>
          <div className="preview-input">{form.placeholder}</div>
        </div>
        <div className="preview-launcher" aria-hidden="true">
          ?
        </div>
      </div>
    </figure>
  );
}

function Snippet({ publicKey }: { publicKey: string }) {
  const snippet = widgetSnippet(window.location.origin, publicKey);
  const [copied, setCopied] = useState(false);
  return (
    <div className="snippet">
      <TextArea label="Snippet for your site" readOnly rows={3} value={snippet} />
      <Button
        onClick={() =>
          void navigator.clipboard?.writeText(snippet).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy snippet'}
      </Button>
    </div>
  );
}
