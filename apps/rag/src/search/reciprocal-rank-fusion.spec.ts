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
});
