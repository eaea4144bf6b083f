import { describe, expect, it } from '@jest/globals';

import { jsonWithVectors, vectorsJson } from './vector-json';

/** What the fast writer must equal: the rounded components through JSON.stringify. */
const reference = (vectors: number[][]) =>
  JSON.stringify(vectors.map((vector) => vector.map((value) => Math.round(value * 1e6) / 1e6)));

function randomUnitVector(dimensions: number): number[] {
  const vector = Array.from({ length: dimensions }, () => Math.random() - 0.5);
  const length = Math.hypot(...vector);
  return vector.map((value) => value / length);
}

describe('vectorsJson', () => {
  it('writes exactly what JSON.stringify writes for the rounded components', () => {
    const vectors = Array.from({ length: 40 }, () => randomUnitVector(512));
    expect(vectorsJson(vectors).toString()).toBe(reference(vectors));
  });

  it('writes zeros, signs, whole parts, trailing zeros and tiny values as JSON does', () => {
    const edges = [
      [0, -0, 1, -1, 0.5, -0.25, 0.1, 0.000001, -0.000001, 0.0000004, -0.0000004],
      [0.0000005, -0.0000005, 0.9999996, -0.9999996, 12.5, -123456.7, 0.123456789, 0.10203],
      [],
    ];
    expect(vectorsJson(edges).toString()).toBe(reference(edges));
    expect(vectorsJson([]).toString()).toBe('[]');
  });

  it('refuses what is not an embedding component', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, -1e12]) {
      expect(() => vectorsJson([[0.5, value]])).toThrow(RangeError);
    }
  });
});

describe('jsonWithVectors', () => {
  it('adds the vectors to the other fields of the body', () => {
    const vectors = [randomUnitVector(8), randomUnitVector(8)];
    const body = jsonWithVectors(
      { ids: ['a', 'b'], where: undefined, n_results: 3 },
      'embeddings',
      vectors,
    );
    expect(JSON.parse(body.toString())).toEqual({
      ids: ['a', 'b'],
      n_results: 3,
      embeddings: JSON.parse(reference(vectors)),
    });
    expect(JSON.parse(jsonWithVectors({}, 'query_embeddings', [[0.5]]).toString())).toEqual({
      query_embeddings: [[0.5]],
    });
  });
});
