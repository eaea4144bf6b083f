import { describe, expect, it } from 'vitest';

import type { DocumentView } from '../api/types';
import {
  documentQuery,
  failureReason,
  filterDocuments,
  needsPolling,
  NO_FILTER,
  typesOf,
} from './documents';
import { formatBytes, formatDateTime, formatShare, formatUsd } from './format';
import { resolveRoute, routesFor } from './routes';
import { queuedItems, uploadsReducer } from './uploads';
import { budgetUse, dailySeries, dayAfter, feedbackRatio, lastDays } from './usage';
import { parseOrigins, textColorOn, widgetSnippet } from './widget-snippet';

const document = (patch: Partial<DocumentView>): DocumentView => ({
  id: '00000000-0000-4000-8000-000000000001',
  source: 'file',
  type: 'pdf',
  filename: 'handbook.pdf',
  url: null,
  title: null,
  content_type: 'application/pdf',
  status: 'completed',
  error: null,
  pages: 3,
  chunk_count: 12,
  bytes: 2048,
  version: 1,
  embedding_model: 'local',
  tags: [],
  created_at: '2026-12-01T10:00:00Z',
  updated_at: '2026-12-01T10:00:00Z',
  processed_at: '2026-12-01T10:00:05Z',
  ...patch,
});

describe('documents', () => {
  it('polls while a document is pending or processing, and stops once all are settled', () => {
    expect(needsPolling([document({ status: 'pending' })])).toBe(true);
    expect(needsPolling([document({}), document({ status: 'processing' })])).toBe(true);
    expect(needsPolling([document({}), document({ status: 'failed' })])).toBe(false);
    expect(needsPolling([])).toBe(false);
  });

  it('explains a failure in words, with the service’s message', () => {
    expect(failureReason(document({}))).toBeNull();
    expect(
      failureReason(
        document({ status: 'failed', error: { code: 'NO_TEXT_FOUND', message: 'no text layer' } }),
      ),
    ).toBe('No text was found in the document (a scanned PDF?). (no text layer)');
    expect(
      failureReason(document({ status: 'failed', error: { code: 'NEW_CODE', message: 'odd' } })),
    ).toBe('odd');
    expect(failureReason(document({ status: 'failed', error: null }))).toMatch(/unknown/);
  });

  it('filters by status, type and name', () => {
    const list = [
      document({ id: 'a', filename: 'Returns.pdf' }),
      document({ id: 'b', type: 'md', filename: 'faq.md', status: 'failed' }),
      document({ id: 'c', type: null, source: 'url', filename: null, url: 'https://x.example/a' }),
    ];
    expect(filterDocuments(list, NO_FILTER).map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(filterDocuments(list, { ...NO_FILTER, status: 'failed' }).map((d) => d.id)).toEqual([
      'b',
    ]);
    expect(filterDocuments(list, { ...NO_FILTER, type: 'url' }).map((d) => d.id)).toEqual(['c']);
    expect(filterDocuments(list, { ...NO_FILTER, text: 'RETURNS' }).map((d) => d.id)).toEqual([
      'a',
    ]);
    expect(typesOf(list)).toEqual(['md', 'pdf', 'url']);
  });
});

describe('uploads', () => {
  it('moves each file from queued through its progress to done or failed, alone', () => {
    const files = [new File(['a'], 'a.pdf'), new File(['bb'], 'b.txt')];
    let n = 0;
    let items = uploadsReducer([], { kind: 'added', items: queuedItems(files, () => `u${++n}`) });
    expect(items.map((item) => [item.name, item.state, item.size])).toEqual([
      ['a.pdf', 'queued', 1],
      ['b.txt', 'queued', 2],
    ]);
    items = uploadsReducer(items, { kind: 'progress', id: 'u1', progress: 0.5 });
    items = uploadsReducer(items, { kind: 'progress', id: 'u2', progress: 7 });
    expect(items.map((item) => [item.state, item.progress])).toEqual([
      ['uploading', 0.5],
      ['uploading', 1],
    ]);
    items = uploadsReducer(items, { kind: 'done', id: 'u1' });
    items = uploadsReducer(items, { kind: 'failed', id: 'u2', error: 'too large' });
    expect(items.map((item) => [item.state, item.error])).toEqual([
      ['done', undefined],
      ['failed', 'too large'],
    ]);
    expect(uploadsReducer(items, { kind: 'cleared' })).toEqual([]);
  });
});

describe('usage', () => {
  it('fills the days without usage with zeros, in order', () => {
    const rows = [
      {
        key: '2026-12-03',
        requests: 2,
        errors: 0,
        input_tokens: 10,
        output_tokens: 5,
        cost_usd: 0.1,
      },
    ];
    const series = dailySeries(rows, '2026-12-01', '2026-12-04');
    expect(series.map((row) => [row.key, row.requests])).toEqual([
      ['2026-12-01', 0],
      ['2026-12-02', 0],
      ['2026-12-03', 2],
      ['2026-12-04', 0],
    ]);
  });

  it('names the last n days and the exclusive end', () => {
    expect(lastDays(7, new Date('2026-12-06T15:00:00Z'))).toEqual({
      from: '2026-11-30',
      to: '2026-12-06',
    });
    expect(dayAfter('2026-12-31')).toBe('2027-01-01');
  });

  it('grades the budget: none, ok, warning from 80 %, over from 100 %', () => {
    expect(budgetUse(5, undefined)).toMatchObject({ level: 'none', share: null });
    expect(feedbackRatio({ up: 3, down: 1 })).toEqual({ rated: 4, upShare: 0.75 });
    expect(feedbackRatio({ up: 0, down: 0 })).toEqual({ rated: 0, upShare: null });
    expect(budgetUse(5, 100)).toMatchObject({ level: 'ok', share: 0.05 });
    expect(budgetUse(80, 100).level).toBe('warning');
    expect(budgetUse(120, 100).level).toBe('over');
    expect(budgetUse(1, 0).level).toBe('over');
  });
});

describe('widgets', () => {
  it('writes the embed snippet of a key', () => {
    expect(widgetSnippet('https://api.example', 'pk_abc')).toBe(
      '<script src="https://api.example/widget/embed.js" data-key="pk_abc" async></script>',
    );
  });

  it('reads origins one a line or comma-separated', () => {
    expect(parseOrigins('https://a.example/\n\n https://b.example, http://c.example:8080')).toEqual(
      ['https://a.example', 'https://b.example', 'http://c.example:8080'],
    );
  });

  it('picks readable text on the brand color', () => {
    expect(textColorOn('#ffeb3b')).toBe('#000000');
    expect(textColorOn('#1a237e')).toBe('#ffffff');
    expect(textColorOn('nonsense')).toBe('#ffffff');
  });
});

describe('the documents list’s server-side filters', () => {
  it('sends the status, the kind as type or source, and the largest page; never the name', () => {
    expect(documentQuery(NO_FILTER)).toEqual({ limit: 100 });
    expect(documentQuery({ status: 'failed', type: 'pdf', text: 'returns' })).toEqual({
      limit: 100,
      status: 'failed',
      type: 'pdf',
    });
    expect(documentQuery({ status: '', type: 'crawl', text: '' })).toEqual({
      limit: 100,
      source: 'crawl',
    });
    expect(documentQuery({ status: '', type: 'exe', text: '' })).toEqual({ limit: 100 });
  });
});

describe('routes', () => {
  it('shows each role its own pages only', () => {
    expect(routesFor('tenant_admin').map((route) => route.path)).toEqual([
      'profile',
      'knowledge',
      'assistants',
      'widgets',
      'api-keys',
      'users',
      'webhooks',
      'usage',
      'inbox',
    ]);
    expect(routesFor('agent').map((route) => route.path)).toEqual(['inbox']);
    expect(routesFor('super_admin').map((route) => route.path)).toEqual([
      'companies',
      'platform',
      'all-documents',
      'all-agents',
    ]);
    expect(routesFor('tenant_admin').map((route) => route.path)).not.toContain('all-documents');
    expect(routesFor('agent').map((route) => route.path)).not.toContain('all-agents');
    expect(routesFor('user')).toEqual([]);
  });

  it('opens a role’s home for a page it may not see', () => {
    expect(resolveRoute('/console/widgets', 'tenant_admin').path).toBe('widgets');
    expect(resolveRoute('/console/companies', 'tenant_admin').path).toBe('profile');
    expect(resolveRoute('/console/knowledge', 'super_admin').path).toBe('companies');
    expect(resolveRoute('/console/', 'user').path).toBe('');
  });
});

describe('format', () => {
  it('formats sizes, money, dates and shares', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(null)).toBe('—');
    expect(formatUsd(12.5)).toBe('$12.50');
    expect(formatUsd(0.0012)).toBe('$0.0012');
    expect(formatDateTime('2026-12-06T14:03:59Z')).toBe('2026-12-06 14:03');
    expect(formatDateTime('nonsense')).toBe('—');
    expect(formatShare(0.1234)).toBe('12.3 %');
  });
});
