import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';

import { FakeOpenAI } from '../../test/support/fake-openai';
import { EmbeddingProviderError } from './embedder';
import { OpenAIEmbedder } from './openai-embedder';

describe('OpenAIEmbedder (the real SDK against a fake endpoint)', () => {
  let fake: FakeOpenAI;

  beforeAll(async () => {
    fake = await FakeOpenAI.start(8);
  });
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await fake.close();
  });

  const embedder = (maxRetries = 2, batchSize = 2) =>
    new OpenAIEmbedder({
      apiKey: 'sk-test',
      baseURL: fake.baseURL,
      model: 'text-embedding-3-small',
      batchSize,
      maxRetries,
    });

  it('sends batches with the key and model, and returns one vector per text in order', async () => {
    const vectors = await embedder().embed(['a', 'bb', 'ccc', 'dddd', 'eeeee']);
    expect(fake.requests.map((request) => request.input)).toEqual([
      ['a', 'bb'],
      ['ccc', 'dddd'],
      ['eeeee'],
    ]);
    expect(fake.requests[0]).toMatchObject({
      model: 'text-embedding-3-small',
      authorization: 'Bearer sk-test',
    });
    expect(vectors).toHaveLength(5);
    expect(vectors[0]).toHaveLength(8);
    expect(vectors[1]).not.toEqual(vectors[0]);
  });

  it('backs off on 429 (honouring Retry-After) and succeeds on the next try', async () => {
    fake.answerNext({ status: 429, headers: { 'retry-after-ms': '300' } });
    const started = Date.now();
    const vectors = await embedder().embed(['hello']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.requests).toHaveLength(2);
    expect(vectors).toHaveLength(1);
  });

  it('reports what is still failing after its retries as retryable, a bad key as not', async () => {
    fake.answerNext({ status: 503, headers: { 'retry-after-ms': '10' } });
    const unavailable = await embedder(0)
      .embed(['x'])
      .catch((error: unknown) => error);
    expect(unavailable).toBeInstanceOf(EmbeddingProviderError);
    expect(unavailable).toMatchObject({ retryable: true });

    fake.answerNext({ status: 401 });
    const unauthorised = await embedder(2)
      .embed(['x'])
      .catch((error: unknown) => error);
    expect(unauthorised).toMatchObject({ retryable: false, message: expect.stringMatching(/401/) });
    expect(fake.requests).toHaveLength(2); // 401 is not retried
  });
});
