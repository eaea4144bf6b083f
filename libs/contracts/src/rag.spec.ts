import { randomUUID } from 'node:crypto';

import { describe, expect, it } from '@jest/globals';

import {
  createDocumentRequestSchema,
  listDocumentsRequestSchema,
  searchRequestSchema,
} from './rag';

describe('rag message schemas', () => {
  it('accepts each source of a document, and only one at a time', () => {
    const id = randomUUID();
    const file = { document_id: id, storage_key: `t/${id}`, filename: 'a.pdf', bytes: 3 };
    expect(createDocumentRequestSchema.safeParse(file).success).toBe(true);
    expect(createDocumentRequestSchema.safeParse({ url: 'https://example.com/' }).success).toBe(
      true,
    );
    expect(
      createDocumentRequestSchema.safeParse({
        url: 'https://example.com/',
        crawl: { max_pages: 10, max_depth: 2 },
      }).success,
    ).toBe(true);
    expect(createDocumentRequestSchema.safeParse({ title: 'T', text: 'x' }).success).toBe(true);
    expect(
      createDocumentRequestSchema.safeParse({ title: 'T', text: 'x', url: 'https://example.com/' })
        .success,
    ).toBe(false);
    expect(createDocumentRequestSchema.safeParse({ text: 'x', tenant_id: id }).success).toBe(false);
  });

  it('applies list defaults and coerces query-string numbers', () => {
    expect(listDocumentsRequestSchema.parse({})).toEqual({ limit: 20, offset: 0 });
    expect(
      listDocumentsRequestSchema.parse({ limit: '5', offset: '10', status: 'failed' }),
    ).toEqual({ limit: 5, offset: 10, status: 'failed' });
    expect(listDocumentsRequestSchema.safeParse({ limit: 500 }).success).toBe(false);
  });

  it('trims the query and bounds top_k and document ids', () => {
    expect(searchRequestSchema.parse({ query: '  refunds ' }).query).toBe('refunds');
    expect(searchRequestSchema.safeParse({ query: '   ' }).success).toBe(false);
    expect(searchRequestSchema.safeParse({ query: 'x', top_k: 51 }).success).toBe(false);
    expect(searchRequestSchema.safeParse({ query: 'refund\0' }).success).toBe(false);
    expect(searchRequestSchema.safeParse({ query: 'x', document_ids: ['nope'] }).success).toBe(
      false,
    );
  });
});
