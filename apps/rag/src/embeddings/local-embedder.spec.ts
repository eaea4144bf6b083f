import { describe, expect, it } from '@jest/globals';
import { LocalEmbedder } from './local-embedder';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, i) => sum + value * b[i], 0);

describe('LocalEmbedder', () => {
  const embedder = new LocalEmbedder();

  it('gives unit-length vectors of its dimension, the same for the same text every time', async () => {
    const [a, b] = await embedder.embed(['Refunds take 14 days.', 'Refunds take 14 days.']);
    expect(a).toHaveLength(embedder.dimensions);
    expect(Math.sqrt(cosine(a, a))).toBeCloseTo(1, 10);
    expect(a).toEqual(b);
    expect(embedder.model).toBe('local-hash-512');
  });

  it('places related texts closer than unrelated ones', () => {
    const query = embedder.vector('how long do refunds take?');
    const related = embedder.vector('Refund requests are processed within 14 days.');
    const unrelated = embedder.vector('Our office dog is called Biscuit and likes walks.');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);
  });

  it('matches accents, case and word pieces', () => {
    const a = embedder.vector('Café opening hours');
    expect(cosine(a, embedder.vector('cafe OPENING hour'))).toBeGreaterThan(0.6);
  });

  it('embeds an empty text as the zero vector instead of NaN', () => {
    expect(embedder.vector('  ').every((value) => value === 0)).toBe(true);
  });
});
