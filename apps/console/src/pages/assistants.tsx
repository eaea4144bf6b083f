import { type FormEvent, useState } from 'react';

import { api, unwrap } from '../api/client';
import { fieldErrorsOf, messageOf } from '../api/errors';
import type { ModelsReply } from '../api/types';
import {
  ASSISTANT_ROLES,
  type AssistantForm,
  type AssistantView,
  assistantBodyOf,
  assistantFormOf,
} from '../lib/assistants';
import {
  AsyncView,
  Button,
  Card,
  Dialog,
  ErrorNotice,
  PageHeader,
  Select,
  SuccessNotice,
  TextArea,
  TextField,
} from '../ui/components';
import { useAsync } from '../ui/use-async';

/** Assistants: named bots of the company, each with its prompt, model, audience and knowledge. */
export function AssistantsPage() {
  const data = useAsync(async () => {
    const [page, models] = await Promise.all([
      unwrap<{ items: AssistantView[] }>(api.GET('/api/v1/assistants')),
      unwrap<ModelsReply>(api.GET('/api/v1/chat/models')).catch(() => undefined),
    ]);
    return { assistants: page.items, models: models?.models.map((model) => model.id) ?? [] };
  }, []);
  const [editing, setEditing] = useState<AssistantView | 'new'>();
  const [deleting, setDeleting] = useState<AssistantView>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();

  function openEditor(target: AssistantView | 'new') {
    setSaved(undefined);
    setEditing(target);
  }

  async function remove(assistant: AssistantView) {
    setError(undefined);
    try {
      await unwrap(
        api.DELETE('/api/v1/assistants/{id}', { params: { path: { id: assistant.id } } }),
      );
      setSaved(`Assistant “${assistant.name}” deleted.`);
    } catch (failure) {
      setError(messageOf(failure));
    }
    setDeleting(undefined);
    await data.reload(true);
  }

  return (
    <>
      <PageHeader title="Assistants">
        <Button variant="primary" onClick={() => openEditor('new')}>
          New assistant
        </Button>
      </PageHeader>
      <SuccessNotice message={saved} />
      {editing && (
        <AssistantEditor
          key={editing === 'new' ? 'new' : editing.id}
          assistant={editing === 'new' ? undefined : editing}
          models={data.data?.models ?? []}
          onDone={(name) => {
            setEditing(undefined);
            if (name) {
              setSaved(`Assistant “${name}” saved.`);
              void data.reload(true);
            }
          }}
        />
      )}
      <Card title="Your assistants">
        <ErrorNotice message={error} />
        <AsyncView
          state={data}
          what="the assistants"
          isEmpty={({ assistants }) => assistants.length === 0}
          empty="No assistant yet: the company’s default appears with its first chat."
        >
          {({ assistants }) => (
            <div className="table-scroll">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Model</th>
                    <th scope="col">Who may chat</th>
                    <th scope="col">Knowledge</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {assistants.map((assistant) => (
                    <tr key={assistant.id}>
                      <td>
                        {assistant.name}
                        {assistant.is_default && (
                          <span className="badge badge-default">default</span>
                        )}
                        <div className="hint">{assistant.description}</div>
                      </td>
                      <td>{assistant.model ?? 'company default'}</td>
                      <td>
                        {assistant.roles.join(', ')}
                        {assistant.widgets_allowed && ', widgets'}
                      </td>
                      <td>{knowledgeOf(assistant)}</td>
                      <td>
                        <div className="inline">
                          <Button
                            variant="ghost"
                            onClick={() => openEditor(assistant)}
                            aria-label={`Edit ${assistant.name}`}
                          >
                            Edit
                          </Button>
                          {!assistant.is_default && (
                            <Button
                              variant="ghost"
                              onClick={() => setDeleting(assistant)}
                              aria-label={`Delete ${assistant.name}`}
                            >
                              Delete
                            </Button>
                          )}
                        </div>
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
        open={deleting !== undefined}
        title="Delete this assistant?"
        onClose={() => setDeleting(undefined)}
      >
        {deleting && (
          <>
            <p>
              “{deleting.name}” stops answering; its conversations stay. Widgets that name it fall
              back to the company’s default.
            </p>
            <div className="dialog-actions">
              <Button onClick={() => setDeleting(undefined)}>Cancel</Button>
              <Button variant="danger" onClick={() => void remove(deleting)}>
                Delete assistant
              </Button>
            </div>
          </>
        )}
      </Dialog>
    </>
  );
}

function knowledgeOf({ knowledge }: AssistantView): string {
  const parts = [
    knowledge.tags?.length ? `tags ${knowledge.tags.join(', ')}` : '',
    knowledge.document_ids?.length ? `${knowledge.document_ids.length} documents` : '',
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'all documents';
}

function AssistantEditor({
  assistant,
  models,
  onDone,
}: {
  assistant?: AssistantView;
  models: string[];
  onDone: (savedName?: string) => void;
}) {
  const [form, setForm] = useState(() => assistantFormOf(assistant));
  const [errors, setErrors] = useState<Partial<Record<string, string>>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const text = (name: keyof AssistantForm) => ({
    name,
    value: form[name] as string,
    error: errors[name],
    onChange: (event: { target: { value: string } }) =>
      setForm({ ...form, [name]: event.target.value }),
  });

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const result = assistantBodyOf(form);
    if ('errors' in result) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const saved = await unwrap<AssistantView>(
        assistant
          ? api.PUT('/api/v1/assistants/{id}', {
              params: { path: { id: assistant.id } },
              body: result.body,
            })
          : api.POST('/api/v1/assistants', { body: result.body }),
      );
      onDone(saved.name);
    } catch (failure) {
      setError(messageOf(failure));
      setErrors(fieldErrorsOf(failure));
    } finally {
      setBusy(false);
    }
  }

  const modelChoices = [...new Set([...models, ...(form.model ? [form.model] : [])])];
  return (
    <Card title={assistant ? `Edit “${assistant.name}”` : 'New assistant'}>
      <form className="stack" onSubmit={(event) => void save(event)} noValidate>
        <div className="grid-2">
          <TextField label="Name" required {...text('name')} />
          <TextField label="Description" {...text('description')} />
        </div>
        <TextArea
          label="System prompt"
          rows={4}
          hint="Empty: the company’s system prompt."
          {...text('systemPrompt')}
        />
        <div className="grid-2">
          <Select label="Model" {...text('model')} hint="Only the models your plan allows.">
            <option value="">The company’s default model</option>
            {modelChoices.map((model) => (
              <option key={model} value={model}>
                {model}
              </option>
            ))}
          </Select>
          <TextField
            label="Temperature"
            inputMode="decimal"
            hint="0 (precise) to 2 (creative); empty: the default."
            {...text('temperature')}
          />
        </div>
        <TextField
          label="Greeting"
          hint="The first words a widget visitor reads."
          {...text('greeting')}
        />
        <div className="grid-2">
          <TextField
            label="Knowledge tags"
            hint="Comma-separated; empty with no documents: the whole knowledge base."
            {...text('tags')}
          />
          <TextField
            label="Knowledge document ids"
            hint="Comma-separated."
            {...text('documentIds')}
          />
        </div>
        <fieldset className="field">
          <legend>Who may chat with it</legend>
          {ASSISTANT_ROLES.map((role) => (
            <label key={role} className="check">
              <input
                type="checkbox"
                checked={form.roles.includes(role)}
                onChange={(event) =>
                  setForm({
                    ...form,
                    roles: event.target.checked
                      ? [...form.roles, role]
                      : form.roles.filter((value) => value !== role),
                  })
                }
              />{' '}
              {role.replace('_', ' ')}
            </label>
          ))}
          <label className="check">
            <input
              type="checkbox"
              checked={form.widgetsAllowed}
              onChange={(event) => setForm({ ...form, widgetsAllowed: event.target.checked })}
            />{' '}
            Widget visitors
          </label>
          {errors.roles && (
            <p className="field-error" role="alert">
              {errors.roles}
            </p>
          )}
        </fieldset>
        <label className="check">
          <input
            type="checkbox"
            checked={form.isDefault}
            onChange={(event) => setForm({ ...form, isDefault: event.target.checked })}
          />{' '}
          The company’s default assistant
        </label>
        <ErrorNotice message={error} />
        <div className="inline">
          <Button type="submit" variant="primary" busy={busy}>
            {assistant ? 'Save assistant' : 'Create assistant'}
          </Button>
          <Button onClick={() => onDone()}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}
