import { describe, expect, it } from '@jest/globals';

import { LocalEmbedder, tokenize } from './local-embedder';

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

/**
 * The embedder as first written, with string features in a Map: the optimised one must give
 * the same vectors, or every stored `local-hash-512` vector would stop matching new queries.
 */
function referenceVector(text: string): number[] {
  const stopWords = new Set(
    (
      'a an and are as at be but by can could did do does for from get got had has have he her ' +
      'his how i if in into is it its me my no not of on or our she should so than that the their ' +
      'them then there these they this to was we were what when where which who why will with ' +
      'would you your'
    ).split(' '),
  );
  const weights = new Map<string, number>();
  const add = (feature: string, weight: number) =>
    weights.set(feature, (weights.get(feature) ?? 0) + weight);
  const words = tokenize(text);
  words.forEach((word, i) => {
    const stop = stopWords.has(word);
    add(`w:${word}`, stop ? 0.15 : 1);
    if (i > 0) {
      add(`b:${words[i - 1]} ${word}`, 0.7);
    }
    if (stop) {
      return;
    }
    const marked = `<${word}>`;
    const grams: string[] = [];
    for (let n = 3; n <= 5; n++) {
      for (let j = 0; j + n <= marked.length; j++) {
        grams.push(marked.slice(j, j + n));
      }
    }
    grams.forEach((gram) => add(`c:${gram}`, 1 / Math.sqrt(grams.length)));
  });
  const vector = new Array<number>(512).fill(0);
  for (const [feature, weight] of weights) {
    let hash = 0x811c9dc5;
    for (let i = 0; i < feature.length; i++) {
      hash ^= feature.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    hash >>>= 0;
    vector[hash % 512] += (hash & 0x80000000 ? -1 : 1) * Math.log1p(weight);
  }
  const length = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => (length === 0 ? 0 : value / length));
}

describe('LocalEmbedder against its reference', () => {
  const embedder = new LocalEmbedder();

  it.each([
    ['a sentence', 'The refund of every order is paid within 14 days.'],
    ['repeated words and bigrams', 'refund refund refund policy refund policy'],
    ['accents and ligatures', 'Crème brûlée ﬁnancing, naïve façade'],
    ['a character that expands under NFKD', '\uFDFA'.repeat(50)],
    ['one very long word', 'x'.repeat(3000)],
    ['stop words only', 'the of and a'],
  ])('gives the reference vector for %s', (_name, text) => {
    const actual = embedder.vector(text);
    referenceVector(text).forEach((value, i) => expect(actual[i]).toBeCloseTo(value, 12));
  });
});
