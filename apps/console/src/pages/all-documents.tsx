import { useState } from 'react';

import { api, unwrap } from '../api/client';
import type { PlatformDocument, PlatformDocumentPage } from '../api/types';
import { DOCUMENT_STATUS_LABELS, documentName, failureReason } from '../lib/documents';
import { formatBytes, formatDateTime } from '../lib/format';
import {
  isFiltered,
  NO_DOCUMENT_FILTER,
  type PlatformDocumentFilter,
  platformDocumentsQuery,
} from '../lib/platform';
import { CompanySelect } from '../ui/company-select';
import { DocumentKindSelect, DocumentStatusSelect } from '../ui/document-filters';
import { Card, PageHeader, StatusBadge, TextField } from '../ui/components';
import { PagedTable } from '../ui/paged-table';
import { useDebounced } from '../ui/use-debounced';
import { usePagedList } from '../ui/use-paged-list';

const PAGE_SIZE = 50;
const COLUMNS = ['Document', 'Company', 'Type', 'Status', 'Chunks', 'Size', 'Added'];

/** The platform owner's view of every company's documents, newest first. */
export function AllDocumentsPage() {
  const [filter, setFilter] = useState<PlatformDocumentFilter>(NO_DOCUMENT_FILTER);
  const text = useDebounced(filter.text, 300);
  const asked = { ...filter, text };
  const documents = usePagedList(
    (offset, limit) =>
      unwrap<PlatformDocumentPage>(
        api.GET('/api/v1/platform/documents', {
          params: { query: platformDocumentsQuery(asked, offset, limit) },
        }),
      ),
    [filter.tenantId, filter.status, filter.kind, text],
    PAGE_SIZE,
  );

  return (
    <>
      <PageHeader title="All documents" />
      <Card title="Documents of every company">
        <div className="filters" role="search" aria-label="Filter documents">
          <CompanySelect
            value={filter.tenantId}
            onChange={(tenantId) => setFilter({ ...filter, tenantId })}
          />
          <DocumentStatusSelect
            value={filter.status}
            onChange={(status) => setFilter({ ...filter, status })}
          />
          <DocumentKindSelect
            value={filter.kind}
            onChange={(kind) => setFilter({ ...filter, kind })}
          />
          <TextField
            label="Name, title or URL contains"
            type="search"
            value={filter.text}
            maxLength={200}
            onChange={(event) => setFilter({ ...filter, text: event.target.value })}
          />
        </div>
        <PagedTable
          state={documents}
          what="the documents"
          noun={{ one: 'document', many: 'documents' }}
          empty={
            isFiltered(asked) ? 'No document matches the filters.' : 'No company has documents yet.'
          }
          caption="Documents of every company"
          columns={COLUMNS}
          className="documents"
        >
          {(items) =>
            items.map((document) => <DocumentRow key={document.id} document={document} />)
          }
        </PagedTable>
      </Card>
    </>
  );
}

function DocumentRow({ document }: { document: PlatformDocument }) {
  const name = documentName(document);
  const reason = failureReason(document);
  return (
    <tr data-status={document.status}>
      <td>
        <div className="doc-name">{name}</div>
        {document.url && document.url !== name && <div className="hint">{document.url}</div>}
      </td>
      <td>
        {document.company.name}
        {document.company.slug && (
          <div className="hint">
            <code>{document.company.slug}</code>
          </div>
        )}
      </td>
      <td>{document.type ?? document.source}</td>
      <td>
        <StatusBadge status={document.status} label={DOCUMENT_STATUS_LABELS[document.status]} />
        {reason && <div className="field-error">{reason}</div>}
      </td>
      <td>{document.chunk_count}</td>
      <td>{formatBytes(document.bytes)}</td>
      <td>{formatDateTime(document.created_at)}</td>
    </tr>
  );
}
