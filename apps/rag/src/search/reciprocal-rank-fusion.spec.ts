import { describe, expect, it } from '@jest/globals';

import { reciprocalRankFusion } from './reciprocal-rank-fusion';

describe('reciprocalRankFusion', () => {
  it('ranks what both rankings agree on above what one ranks first', () => {
    const fused = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['d', 'b', 'a'],
    ]);
    expect(fused.map((hit) => hit.id)).toEqual(['a', 'b', 'd', 'c']);
    expect(fused[0].score).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(fused[2].score).toBeCloseTo(1 / 61, 12);
  });

  it('handles empty rankings and breaks ties by id, deterministically', () => {
    expect(reciprocalRankFusion([[], []])).toEqual([]);
    expect(reciprocalRankFusion([['y'], ['x']]).map((hit) => hit.id)).toEqual(['x', 'y']);
  });

  it('weighs each ranking: a weight of 0 leaves a ranking out, a half counts half', () => {
    const rankings = (weight: number) => [
      { ids: ['a', 'b'], weight: 1 },
      { ids: ['b', 'c'], weight },
    ];
    expect(reciprocalRankFusion(rankings(0)).map((hit) => hit.id)).toEqual(['a', 'b']);
    const half = reciprocalRankFusion(rankings(0.5));
    expect(half.map((hit) => hit.id)).toEqual(['b', 'a', 'c']);
    expect(half[0].score).toBeCloseTo(1 / 62 + 0.5 / 61, 12);
    expect(half[2].score).toBeCloseTo(0.5 / 62, 12);
  });
});
