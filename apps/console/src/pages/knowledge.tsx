import { type DragEvent, type FormEvent, useEffect, useReducer, useRef, useState } from 'react';

import { api, unwrap } from '../api/client';
import { messageOf } from '../api/errors';
import type { DocumentPage, DocumentView, SearchReply } from '../api/types';
import { uploadDocument } from '../api/upload';
import {
  DOCUMENT_STATUS_LABELS,
  type DocumentFilter,
  documentName,
  documentQuery,
  failureReason,
  filterDocuments,
  NO_FILTER,
  needsPolling,
} from '../lib/documents';
import { formatBytes, formatDateTime } from '../lib/format';
import { queuedItems, type UploadItem, uploadsReducer } from '../lib/uploads';
import {
  AsyncView,
  Button,
  Card,
  Dialog,
  ErrorNotice,
  PageHeader,
  StatusBadge,
  SuccessNotice,
  TextArea,
  TextField,
} from '../ui/components';
import { DocumentKindSelect, DocumentStatusSelect } from '../ui/document-filters';
import { useAsync } from '../ui/use-async';

const POLL_MS = 1500;

export function KnowledgePage() {
  const [filter, setFilter] = useState<DocumentFilter>(NO_FILTER);
  const documents = useAsync(
    async () =>
      (
        await unwrap<DocumentPage>(
          api.GET('/api/v1/rag/documents', {
            params: { query: documentQuery({ ...filter, text: '' }) },
          }),
        )
      ).items,
    [filter.status, filter.type],
  );
  const refresh = () => void documents.reload(true);
  const polling = documents.data !== undefined && needsPolling(documents.data);

  useEffect(() => {
    if (!polling) {
      return;
    }
    const timer = setInterval(() => void documents.reload(true), POLL_MS);
    return () => clearInterval(timer);
  }, [polling, documents]);

  return (
    <>
      <PageHeader title="Knowledge base" />
      <div className="grid-2">
        <UploadCard onUploaded={refresh} />
        <div className="stack">
          <UrlCard onAdded={refresh} />
          <TextCard onAdded={refresh} />
        </div>
      </div>
      <DocumentsCard
        state={documents}
        filter={filter}
        onFilter={setFilter}
        polling={polling}
        onChanged={refresh}
      />
      <TestQuestionCard />
    </>
  );
}

let uploadSequence = 0;
const PARALLEL_UPLOADS = 2;

function UploadCard({ onUploaded }: { onUploaded: () => void }) {
  const [items, dispatch] = useReducer(uploadsReducer, []);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function upload(files: File[]) {
    const queued = queuedItems(files, () => `upload-${++uploadSequence}`);
    dispatch({ kind: 'added', items: queued });
    const pending = queued.map((item, index) => ({ item, file: files[index] }));
    const worker = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        const { item, file } = next;
        try {
          dispatch({ kind: 'progress', id: item.id, progress: 0 });
          await uploadDocument(file, (progress) =>
            dispatch({ kind: 'progress', id: item.id, progress }),
          );
          dispatch({ kind: 'done', id: item.id });
        } catch (failure) {
          dispatch({ kind: 'failed', id: item.id, error: messageOf(failure) });
        }
        onUploaded();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_UPLOADS }, worker));
  }

  function onDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    void upload([...event.dataTransfer.files]);
  }

  return (
    <Card title="Upload files">
      <div
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <p>Drop files here (PDF, TXT, Markdown, HTML, DOCX, CSV), several at once, or</p>
        <Button variant="primary" onClick={() => input.current?.click()}>
          Choose files
        </Button>
        <input
          ref={input}
          type="file"
          multiple
          className="sr-only"
          aria-label="Files to upload"
          accept=".pdf,.txt,.md,.markdown,.html,.htm,.docx,.csv"
          onChange={(event) => {
            void upload([...(event.target.files ?? [])]);
            event.target.value = '';
          }}
        />
      </div>
      {items.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow key={item.id} item={item} />
          ))}
        </ul>
      )}
      {items.some((item) => item.state === 'done' || item.state === 'failed') && (
        <Button variant="ghost" onClick={() => dispatch({ kind: 'cleared' })}>
          Clear finished uploads
        </Button>
      )}
    </Card>
  );
}

function UploadRow({ item }: { item: UploadItem }) {
  const percent = Math.round(item.progress * 100);
  return (
    <li className={`upload upload-${item.state}`}>
      <span className="upload-name">
        {item.name} <span className="hint">{formatBytes(item.size)}</span>
      </span>
      <progress max={100} value={percent} aria-label={`Upload of ${item.name}`}>
        {percent} %
      </progress>
      <span className="upload-state" aria-live="polite">
        {item.state === 'failed'
          ? `Failed: ${item.error}`
          : item.state === 'done'
            ? 'Uploaded'
            : item.state === 'queued'
              ? 'Waiting'
              : `${percent} %`}
      </span>
    </li>
  );
}

function UrlCard({ onAdded }: { onAdded: () => void }) {
  const [url, setUrl] = useState('');
  const [crawl, setCrawl] = useState(false);
  const [maxPages, setMaxPages] = useState('20');
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const body = crawl
        ? { url, crawl: { max_pages: Number(maxPages) || 20, max_depth: 2 } }
        : { url };
      await unwrap(api.POST('/api/v1/rag/documents', { body: body as never }));
      setDone(`Added ${url}.`);
      setUrl('');
      onAdded();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Add a web page">
      <form onSubmit={(event) => void submit(event)}>
        <TextField
          label="Page URL"
          type="url"
          required
          placeholder="https://"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <div className="inline">
          <label className="check">
            <input
              type="checkbox"
              checked={crawl}
              onChange={(event) => setCrawl(event.target.checked)}
            />{' '}
            Crawl the site from here
          </label>
          {crawl && (
            <TextField
              label="Pages at most"
              type="number"
              min={1}
              max={1000}
              value={maxPages}
              onChange={(event) => setMaxPages(event.target.value)}
            />
          )}
        </div>
        <ErrorNotice message={error} />
        <SuccessNotice message={done} />
        <Button type="submit" busy={busy}>
          Add URL
        </Button>
      </form>
    </Card>
  );
}

function TextCard({ onAdded }: { onAdded: () => void }) {
  const [title, setTitle] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await unwrap(api.POST('/api/v1/rag/documents', { body: { title, text } as never }));
      setTitle('');
      setText('');
      onAdded();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Paste text">
      <form onSubmit={(event) => void submit(event)}>
        <TextField
          label="Title"
          required
          value={title}
          onChange={(event) => setTitle(event.target.value)}
        />
        <TextArea
          label="Text"
          required
          rows={4}
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <ErrorNotice message={error} />
        <Button type="submit" busy={busy}>
          Add text
        </Button>
      </form>
    </Card>
  );
}

function DocumentsCard({
  state,
  polling,
  filter,
  onFilter: setFilter,
  onChanged,
}: {
  state: ReturnType<typeof useAsync<DocumentView[]>>;
  filter: DocumentFilter;
  onFilter: (filter: DocumentFilter) => void;
  polling: boolean;
  onChanged: () => void;
}) {
  const [deleting, setDeleting] = useState<DocumentView>();
  const [error, setError] = useState<string>();

  async function act(action: () => Promise<unknown>) {
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(messageOf(failure));
    }
    onChanged();
  }

  const reprocess = (document: DocumentView) =>
    act(() =>
      unwrap(
        api.POST('/api/v1/rag/documents/{id}/reprocess', {
          params: { path: { id: document.id } },
        }),
      ),
    );
  const remove = (document: DocumentView) =>
    act(() =>
      unwrap(
        api.DELETE('/api/v1/rag/documents/{id}', {
          params: { path: { id: document.id } },
        }),
      ),
    ).finally(() => setDeleting(undefined));

  return (
    <Card
      title="Documents"
      actions={
        <span className="hint" aria-live="polite">
          {polling ? 'Updating while documents are processed…' : ''}
        </span>
      }
    >
      <div className="filters" role="search" aria-label="Filter documents">
        <TextField
          label="Name contains"
          value={filter.text}
          onChange={(event) => setFilter({ ...filter, text: event.target.value })}
        />
        <DocumentStatusSelect
          value={filter.status}
          onChange={(status) => setFilter({ ...filter, status })}
        />
        <DocumentKindSelect
          value={filter.type}
          onChange={(type) => setFilter({ ...filter, type })}
        />
      </div>
      <ErrorNotice message={error} />
      <AsyncView
        state={state}
        what="the documents"
        isEmpty={(list) => list.length === 0 && !filter.status && !filter.type}
        empty="No documents yet. Upload a file, add a web page or paste text above."
      >
        {(list) => {
          // Status and kind were filtered by the API; the name filter is the browser's.
          const shown = filterDocuments(list, { ...NO_FILTER, text: filter.text });
          if (shown.length === 0) {
            return <p className="empty">No document matches the filter.</p>;
          }
          return (
            <div className="table-scroll">
              <table className="documents">
                <thead>
                  <tr>
                    <th scope="col">Document</th>
                    <th scope="col">Type</th>
                    <th scope="col">Status</th>
                    <th scope="col">Chunks</th>
                    <th scope="col">Size</th>
                    <th scope="col">Updated</th>
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((document) => (
                    <DocumentRow
                      key={document.id}
                      document={document}
                      onReprocess={() => void reprocess(document)}
                      onDelete={() => setDeleting(document)}
                    />
                  ))}
                </tbody>
              </table>
            </div>
          );
        }}
      </AsyncView>
      <Dialog
        open={deleting !== undefined}
        title="Delete this document?"
        onClose={() => setDeleting(undefined)}
      >
        {deleting && (
          <>
            <p>
              “{documentName(deleting)}” and its {deleting.chunk_count} chunks will be removed from
              the knowledge base. This cannot be undone.
            </p>
            <div className="dialog-actions">
              <Button onClick={() => setDeleting(undefined)}>Cancel</Button>
              <Button variant="danger" onClick={() => void remove(deleting)}>
                Delete document
              </Button>
            </div>
          </>
        )}
      </Dialog>
    </Card>
  );
}

function DocumentRow({
  document,
  onReprocess,
  onDelete,
}: {
  document: DocumentView;
  onReprocess: () => void;
  onDelete: () => void;
}) {
  const reason = failureReason(document);
  const name = documentName(document);
  return (
    <tr data-status={document.status}>
      <td>
        <div className="doc-name">{name}</div>
        {document.url && document.url !== name && <div className="hint">{document.url}</div>}
        {reason && <div className="field-error">{reason}</div>}
      </td>
      <td>{document.type ?? document.source}</td>
      <td>
        <StatusBadge status={document.status} label={DOCUMENT_STATUS_LABELS[document.status]} />
      </td>
      <td>{document.chunk_count}</td>
      <td>{formatBytes(document.bytes)}</td>
      <td>{formatDateTime(document.updated_at)}</td>
      <td className="actions">
        <Button
          variant="ghost"
          onClick={onReprocess}
          disabled={document.status === 'pending' || document.status === 'processing'}
          aria-label={`Reprocess ${name}`}
        >
          Reprocess
        </Button>
        <Button variant="ghost" onClick={onDelete} aria-label={`Delete ${name}`}>
          Delete
        </Button>
      </td>
    </tr>
  );
}

function TestQuestionCard() {
  const [query, setQuery] = useState('');
  const [reply, setReply] = useState<SearchReply>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function ask(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      setReply(
        await unwrap<SearchReply>(
          api.POST('/api/v1/rag/search', { body: { query, top_k: 5 } as never }),
        ),
      );
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card title="Test a question">
      <form onSubmit={(event) => void ask(event)} className="inline">
        <TextField
          label="Question"
          required
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="What would a customer ask?"
        />
        <Button type="submit" variant="primary" busy={busy}>
          Search
        </Button>
      </form>
      <ErrorNotice message={error} />
      {reply && (
        <div aria-live="polite" className="search-results">
          {reply.no_relevant_context && (
            <p className="notice">
              Nothing in the knowledge base answers this well: the assistant would say it does not
              know.
            </p>
          )}
          {reply.results.length === 0 ? (
            <p className="empty">No chunk found.</p>
          ) : (
            <ol>
              {reply.results.map((result) => (
                <li key={result.chunk_id} className="result">
                  <div className="result-head">
                    <strong className="source">{result.filename}</strong>
                    {result.page !== null && <span> · page {result.page}</span>}
                    <span> · chunk {result.chunk_index}</span>
                    <span className="score">
                      score {result.score.toFixed(3)} · relevance{' '}
                      {Math.round(result.relevance * 100)} %
                    </span>
                  </div>
                  {result.heading_path.length > 0 && (
                    <div className="hint">{result.heading_path.join(' › ')}</div>
                  )}
                  <p className="result-text">{result.text}</p>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </Card>
  );
}
