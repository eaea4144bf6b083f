import type { Embedder } from './embedder';

const DIMENSIONS = 512;
const WORD_WEIGHT = 1;
const BIGRAM_WEIGHT = 0.7;
/** A word's 3- to 5-grams together weigh about as much as the word (L2), whatever its length. */
const CHARACTER_WEIGHT = 1;
const STOP_WORD_WEIGHT = 0.15;

const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can could did do does for from get got had has have he her ' +
    'his how i if in into is it its me my no not of on or our she should so than that the their ' +
    'them then there these they this to was we were what when where which who why will with ' +
    'would you your'
  ).split(' '),
);

/**
 * A deterministic, offline embedding: feature hashing of words, word bigrams and character
 * 3-5-grams into 512 signed buckets, log-scaled and L2-normalised. Shares words and word
 * pieces (plurals, compounds, typos) rather than meaning, which suits hybrid retrieval
 * where the full-text ranking does the exact matching.
 */
export class LocalEmbedder implements Embedder {
  readonly model = `local-hash-${DIMENSIONS}`;
  readonly dimensions = DIMENSIONS;

  embed(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => this.vector(text)));
  }

  vector(text: string): number[] {
    const weights = featureWeights(tokenize(text));
    const vector = new Float64Array(DIMENSIONS);
    for (const [feature, weight] of weights) {
      const hash = fnv1a(feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      vector[hash % DIMENSIONS] += sign * Math.log1p(weight);
    }
    return normalise(vector);
  }
}

export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  );
}

function featureWeights(words: string[]): Map<string, number> {
  const weights = new Map<string, number>();
  const add = (feature: string, weight: number) =>
    weights.set(feature, (weights.get(feature) ?? 0) + weight);
  words.forEach((word, i) => {
    const stop = STOP_WORDS.has(word);
    add(`w:${word}`, stop ? STOP_WORD_WEIGHT : WORD_WEIGHT);
    if (i > 0) add(`b:${words[i - 1]} ${word}`, BIGRAM_WEIGHT);
    if (stop) return;
    const grams = characterGrams(word);
    const weight = CHARACTER_WEIGHT / Math.sqrt(grams.length);
    grams.forEach((gram) => add(`c:${gram}`, weight));
  });
  return weights;
}

function characterGrams(word: string): string[] {
  const marked = `<${word}>`;
  const grams: string[] = [];
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= marked.length; i++) grams.push(marked.slice(i, i + n));
  }
  return grams;
}

/** 32-bit FNV-1a over UTF-16 code units: fast, stable across runs and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function normalise(vector: Float64Array): number[] {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const length = Math.sqrt(sum);
  return Array.from(vector, (value) => (length === 0 ? 0 : value / length));
}
