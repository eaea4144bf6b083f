import { describe, expect, it, jest } from '@jest/globals';

import { type Caller, ErrorCode, tenantIdOf } from '@tenantbot/contracts';

import { ragConfigSchema } from '../config/rag-config';
import type { EmbedderRegistry } from '../embeddings/embedder-registry';
import type { ChromaVectorStore } from '../vectors/chroma-vector-store';
import { HybridRetriever } from './hybrid-retriever';
import { RetrievalEvaluator } from './retrieval-evaluator';
import type { ChunkWithDocument, RankedChunk, SearchRepository } from './search.repository';
import { SearchService } from './search.service';
import { SearchScopeRepository } from './search-scope.repository';

const TENANT = tenantIdOf('3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a');
const caller: Caller = { requestId: 'req-1', tenantId: TENANT, role: 'user' };
const curator: Caller = { ...caller, role: 'tenant_admin' };

function chunk(id: string, text: string): ChunkWithDocument {
  return {
    id,
    document_id: `doc-of-${id}`,
    chunk_index: 0,
    page: null,
    heading_path: [],
    source_url: null,
    text,
    filename: `${id}.md`,
    title: null,
    url: null,
  };
}

/** The service over a faked repository (its full-text ranking and rows) and vector store. */
function searchService(ranked: RankedChunk[], vectorIds: string[], rows: ChunkWithDocument[]) {
  const repository = {
    fullTextSearch: jest.fn(async (_tenant: string, _query: string, ..._rest: unknown[]) => ranked),
    withDocuments: jest.fn(async (_tenant: string, ids: string[]) =>
      rows.filter((row) => ids.includes(row.id)),
    ),
  };
  const vectors = {
    query: jest.fn(async () => vectorIds.map((id) => ({ id, distance: 0.1 }))),
  };
  const embedder = { model: 'test-model', embed: async () => [[1, 0]] };
  const embedders = { defaultProvider: 'openai', for: () => embedder };
  const scope = {
    documentIds: jest.fn<SearchScopeRepository['documentIds']>((_tenant, request) =>
      Promise.resolve(
        request.tags?.length
          ? ['doc-of-tagged', ...(request.document_ids ?? [])]
          : request.document_ids,
      ),
    ),
  };
  const retriever = new HybridRetriever(
    repository as unknown as SearchRepository,
    scope as unknown as SearchScopeRepository,
    vectors as unknown as ChromaVectorStore,
    embedders as unknown as EmbedderRegistry,
    ragConfigSchema.parse({}),
  );
  return {
    service: new SearchService(retriever, new RetrievalEvaluator(retriever)),
    repository,
    vectors,
    scope,
  };
}

describe('SearchService', () => {
  it('fuses both rankings in the caller’s tenant and reports the best coverage', async () => {
    const { service, repository } = searchService(
      [{ ...chunk('a', 'alpha'), rank: 2, coverage: 0.9, missing_names: 0 }],
      ['b', 'a'],
      [chunk('b', 'beta')],
    );
    const reply = await service.search(caller, { query: 'alpha', top_k: 2 });
    expect(reply.results.map((result) => result.chunk_id)).toEqual(['a', 'b']);
    expect(reply.results[0].relevance).toBe(0.9);
    expect(reply.no_relevant_context).toBe(false);
    expect(repository.fullTextSearch.mock.calls[0][0]).toBe(TENANT);
    expect(repository.withDocuments).toHaveBeenCalledWith(TENANT, ['b']);
  });

  it('finds nothing relevant when the best match lacks a rare name the question asks about', async () => {
    const { service, repository } = searchService(
      [
        { ...chunk('a', 'pull requests on GitLab'), rank: 3, coverage: 0.8, missing_names: 1 },
        { ...chunk('b', 'GitHub, in passing'), rank: 1, coverage: 0.3, missing_names: 0 },
      ],
      [],
      [],
    );
    const reply = await service.search(caller, { query: 'Can GitHub require reviews?' });
    expect(repository.fullTextSearch.mock.calls[0][4]).toEqual(['github']);
    expect(reply.results.map((result) => result.chunk_id)).toEqual(['a', 'b']);
    expect(reply.no_relevant_context).toBe(true);
  });

  it('skips a vector hit without a row of the tenant', async () => {
    const { service } = searchService([], ['elsewhere', 'b'], [chunk('b', 'beta')]);
    const reply = await service.search(caller, { query: 'beta', top_k: 1 });
    expect(reply.results.map((result) => result.chunk_id)).toEqual(['b']);
    expect(reply.no_relevant_context).toBe(true);
  });

  it('scores the tenant’s questions by where the expected document ranks', async () => {
    const { service } = searchService(
      [{ ...chunk('a', 'alpha'), rank: 2, coverage: 1, missing_names: 0 }],
      [],
      [],
    );
    await expect(
      service.evaluate(caller, { questions: [{ question: 'alpha' }], top_k: 3 }),
    ).rejects.toMatchObject({ code: ErrorCode.FORBIDDEN });
    const reply = await service.evaluate(curator, {
      questions: [
        { question: 'alpha', expected_document_id: 'doc-of-a' },
        { question: 'gamma', expected_document_id: 'doc-of-c' },
      ],
      top_k: 3,
    });
    expect(reply).toMatchObject({ questions: 2, hit_at_1: 0.5, hit_at_k: 0.5, misses: [1] });
  });

  it('restricts both rankings to the documents of the scope, tags resolved to their documents', async () => {
    const { service, repository, vectors, scope } = searchService([], [], []);
    await service.search(caller, { query: 'alpha', tags: ['billing'] });
    expect(scope.documentIds.mock.calls[0][0]).toBe(TENANT);
    expect(repository.fullTextSearch.mock.calls[0]).toContainEqual(['doc-of-tagged']);
    expect(vectors.query.mock.calls[0]).toContainEqual(['doc-of-tagged']);
  });

  it('searches nothing when the scope holds no document', async () => {
    const { service, repository, vectors, scope } = searchService(
      [{ ...chunk('a', 'alpha'), rank: 2, coverage: 1, missing_names: 0 }],
      ['a'],
      [],
    );
    scope.documentIds.mockResolvedValueOnce([]);
    const reply = await service.search(caller, { query: 'alpha', tags: ['nowhere'] });
    expect(reply).toEqual({ results: [], no_relevant_context: true });
    expect(repository.fullTextSearch).not.toHaveBeenCalled();
    expect(vectors.query).not.toHaveBeenCalled();
  });
});
