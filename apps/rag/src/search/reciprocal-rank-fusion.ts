export interface FusedHit {
  id: string;
  score: number;
}

export interface WeightedRanking {
  ids: string[];
  weight: number;
}

/**
 * Reciprocal-rank fusion (Cormack et al., 2009): each ranking contributes weight / (k + rank)
 * for every id it holds, so agreement between rankings matters more than any one raw score — a
 * BM25 score and a cosine distance need no common scale. k = 60 as in the paper; the weights
 * are measured (bench/README.md#retrieval-quality).
 */
export function reciprocalRankFusion(rankings: (string[] | WeightedRanking)[], k = 60): FusedHit[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    const { ids, weight } = Array.isArray(ranking) ? { ids: ranking, weight: 1 } : ranking;
    if (weight === 0) {
      continue;
    }
    ids.forEach((id, position) => {
      scores.set(id, (scores.get(id) ?? 0) + weight / (k + position + 1));
    });
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
