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
 *
 * A feature is the FNV-1a hash of its name (`w:refund`, `b:refund policy`, `c:<re`), computed
 * over the word's characters in place rather than on built strings: the embedder runs on the
 * ingestion path for every chunk, so it must cost little next to Chroma's write.
 */
export class LocalEmbedder implements Embedder {
  readonly model = `local-hash-${DIMENSIONS}`;
  readonly dimensions = DIMENSIONS;

  embed(texts: string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((text) => this.vector(text)));
  }

  private readonly features = new FeatureTable();

  vector(text: string): number[] {
    const words = tokenize(text);
    const features = this.features;
    features.reset(words);
    collectFeatures(words, features);
    const vector = new Float64Array(DIMENSIONS);
    for (let i = 0; i < features.size; i++) {
      const feature = features.feature(i);
      // The low bits pick the bucket, the top bit the sign.
      vector[feature & (DIMENSIONS - 1)] += (feature < 0 ? -1 : 1) * Math.log1p(features.weight(i));
    }
    return normalise(vector);
  }
}

/**
 * Feature hash → summed weight of its occurrences in one text: an open-addressing table in
 * flat arrays, reused from text to text, since a chunk has a thousand features or more and a
 * Map of them dominated the embedder's time.
 */
class FeatureTable {
  private keys = new Int32Array(0);
  private weights = new Float64Array(0);
  /** The generation that last used each slot: resetting is a counter increment, not a fill. */
  private stamps = new Uint32Array(0);
  private generation = 0;
  private mask = 0;
  private shift = 32;
  /** Slots in use, in insertion order. */
  private slots = new Int32Array(0);
  size = 0;

  /** Empties the table, with room for every feature these words can have. */
  reset(words: string[]): void {
    // A word of n characters has one word feature, one bigram and at most 3n + 3 grams.
    let features = 0;
    for (const word of words) {
      features += 3 * word.length + 5;
    }
    // At most half full, so probes stay short.
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(64, 2 * features)));
    if (capacity > this.keys.length) {
      this.keys = new Int32Array(capacity);
      this.weights = new Float64Array(capacity);
      this.stamps = new Uint32Array(capacity);
      this.slots = new Int32Array(capacity);
      this.generation = 0;
      this.mask = capacity - 1;
      this.shift = 32 - Math.log2(capacity);
    }
    if (this.generation === 0xffffffff) {
      this.stamps.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.size = 0;
  }

  add(feature: number, weight: number): void {
    // Fibonacci hashing: the product's top bits pick the slot.
    let slot = Math.imul(feature, 0x9e3779b1) >>> this.shift;
    while (this.stamps[slot] === this.generation) {
      if (this.keys[slot] === feature) {
        this.weights[slot] += weight;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    this.stamps[slot] = this.generation;
    this.keys[slot] = feature;
    this.weights[slot] = weight;
    this.slots[this.size++] = slot;
  }

  feature(i: number): number {
    return this.keys[this.slots[i]];
  }

  weight(i: number): number {
    return this.weights[this.slots[i]];
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

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over UTF-16 code units, continued from `hash`: stable across runs and platforms. */
function fnv1a(hash: number, text: string, start = 0, end = text.length): number {
  for (let i = start; i < end; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return hash;
}

const WORD = fnv1a(FNV_OFFSET, 'w:');
const BIGRAM = fnv1a(FNV_OFFSET, 'b:');
const CHARACTER_GRAM = fnv1a(FNV_OFFSET, 'c:');

function collectFeatures(words: string[], features: FeatureTable): void {
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    const stop = STOP_WORDS.has(word);
    features.add(fnv1a(WORD, word), stop ? STOP_WORD_WEIGHT : WORD_WEIGHT);
    if (i > 0) {
      features.add(fnv1a(fnv1a(fnv1a(BIGRAM, words[i - 1]), ' '), word), BIGRAM_WEIGHT);
    }
    if (!stop) {
      addCharacterGrams(`<${word}>`, features);
    }
  }
}

/** The 3- to 5-grams of the word marked at both ends (`<refund>`), sharing one weight. */
function addCharacterGrams(marked: string, features: FeatureTable): void {
  let grams = 0;
  for (let n = 3; n <= 5; n++) {
    grams += Math.max(0, marked.length - n + 1);
  }
  const weight = CHARACTER_WEIGHT / Math.sqrt(grams);
  for (let n = 3; n <= 5; n++) {
    for (let i = 0; i + n <= marked.length; i++) {
      features.add(fnv1a(CHARACTER_GRAM, marked, i, i + n), weight);
    }
  }
}

function normalise(vector: Float64Array): number[] {
  let sum = 0;
  for (const value of vector) {
    sum += value * value;
  }
  const scale = sum === 0 ? 0 : 1 / Math.sqrt(sum);
  const unit = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    unit[i] = vector[i] * scale;
  }
  return unit;
}
