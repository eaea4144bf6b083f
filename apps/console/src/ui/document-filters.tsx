import type { DocumentStatus } from '../api/types';
import { DOCUMENT_KINDS, DOCUMENT_STATUS_LABELS } from '../lib/documents';
import { Select } from './components';

/** The status a documents list is narrowed to, or any. */
export function DocumentStatusSelect({
  value,
  onChange,
}: {
  value: DocumentStatus | '';
  onChange: (status: DocumentStatus | '') => void;
}) {
  return (
    <Select
      label="Status"
      value={value}
      onChange={(event) => onChange(event.target.value as DocumentStatus | '')}
    >
      <option value="">Any status</option>
      {Object.entries(DOCUMENT_STATUS_LABELS).map(([status, label]) => (
        <option key={status} value={status}>
          {label}
        </option>
      ))}
    </Select>
  );
}

/** The kind a documents list is narrowed to (a file type, or url, crawl, text), or any. */
export function DocumentKindSelect({
  value,
  onChange,
}: {
  value: string;
  onChange: (kind: string) => void;
}) {
  return (
    <Select label="Type" value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">Any type</option>
      {DOCUMENT_KINDS.map((kind) => (
        <option key={kind} value={kind}>
          {kind}
        </option>
      ))}
    </Select>
  );
}
