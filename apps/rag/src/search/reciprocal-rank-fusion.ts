export interface FusedHit {
  id: string;
  score: number;
}

/**
 * Reciprocal-rank fusion (Cormack et al., 2009): each ranking contributes 1 / (k + rank) for
 * every id it holds, so agreement between rankings matters more than any one raw score — a
 * BM25-like rank and a cosine distance need no common scale. k = 60 as in the paper.
 */
export function reciprocalRankFusion(rankings: string[][], k = 60): FusedHit[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    ranking.forEach((id, position) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + position + 1));
    });
  }
  return [...scores]
    .map(([id, score]) => ({ id, score }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}
