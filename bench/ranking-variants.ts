// node dist/bench/ranking-variants.js DATABASE [--set ../shared/eval/gitdocs] [--only NAME]
//
// Ranking variants scored over the chunks of a kept evaluation database
// (`BENCH_KEEP_DATABASE=1 npm run eval:retrieval -- --set …` prints its name), in seconds and
// without re-ingesting. The service's BM25 is re-implemented over the run's own postings
// (`chunk_terms`), query terms (`queryTerms`, the service's SQL) and candidate rule; its first
// row reproduces the service's hit@1 / hit@5 / MRR@10 exactly, so every other row differs from
// the service by the variant alone. Groups (`--only`): base, prf, association, fusion, lsa,
// proximity, scoring. bench/README.md ("Fifth pass") has the table this printed.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import pg from 'pg';

import { sqlLiteral } from '@tenantbot/database';
import { LocalEmbedder, queryTerms } from '@tenantbot/rag/public-api';

/** The service's constants (search.repository.ts, hybrid-retriever.ts, eval-retrieval.ts). */
const K1 = 1.2;
const B = 0.75;
const SELECTIVE_SHARE = 0.05;
const MAX_CANDIDATES = 500;
/** The eval asks for 10 results; the service ranks max(20, 4 × 10) candidates per side. */
const DEPTH = 40;
const RESULTS = 10;

interface Question {
  id: string;
  kind: string;
  question: string;
  answer_regex: string | null;
}

interface Term {
  lexeme: string;
  qtf: number;
  content: boolean;
  df: number;
  idf: number;
}

interface Chunk {
  id: string;
  text: string;
  embedded: string;
  document: string;
  /** Query-independent: the chunk's indexed words with their frequency and positions. */
  tf: Map<string, number>;
  positions: Map<string, number[]>;
  dl: number;
}

type Scores = Map<string, number>;
type Ranker = (question: Question, terms: Term[]) => string[];

/** Function words and the corpus's own name: never expansion terms. */
const NOT_EXPANSION = new Set(
  `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
  her hers herself it its itself they them their theirs themselves what which who whom this that
  these those am is are was were be been being have has had having do does did doing a an the and
  but if or because as until while of at by for with about against between into through during
  before after above below to from up down in out on off over under again further then once here
  there when where why how all any both each few more most other some such no nor not only own
  same so than too very s t can will just don should now way ways want wants need needs happen
  happens happened possible something anything tell know many much git`.split(/\s+/),
);

class Corpus {
  readonly postings = new Map<string, { id: string; tf: number }[]>();
  readonly avgdl: number;
  readonly totalLength: number;

  constructor(readonly chunks: Map<string, Chunk>) {
    for (const chunk of chunks.values()) {
      for (const [lexeme, tf] of chunk.tf) {
        const list = this.postings.get(lexeme) ?? [];
        list.push({ id: chunk.id, tf });
        this.postings.set(lexeme, list);
      }
    }
    this.totalLength = [...chunks.values()].reduce((sum, chunk) => sum + chunk.dl, 0);
    this.avgdl = this.totalLength / chunks.size;
  }

  chunk(id: string): Chunk {
    const chunk = this.chunks.get(id);
    if (!chunk) {
      throw new Error(`no chunk ${id}`);
    }
    return chunk;
  }

  get n(): number {
    return this.chunks.size;
  }

  df(lexeme: string): number {
    return this.postings.get(lexeme)?.length ?? 0;
  }

  term(lexeme: string, qtf: number, content = true): Term {
    const df = this.df(lexeme);
    return { lexeme, qtf, content, df, idf: Math.log(1 + (this.n - df + 0.5) / (df + 0.5)) };
  }

  /** The service's rule: chunks holding the rarest selective terms, up to MAX_CANDIDATES. */
  candidates(terms: Pick<Term, 'lexeme' | 'df'>[]): string[] {
    const known = terms
      .filter((t) => t.df >= 1)
      .sort((a, b) => a.df - b.df || compare(a.lexeme, b.lexeme));
    const selective = known.filter((t) => t.df <= this.n * SELECTIVE_SHARE);
    const ids = new Set<string>();
    let running = 0;
    (selective.length > 0 ? selective : known).forEach((t, position) => {
      running += t.df;
      if (running <= MAX_CANDIDATES || position === 0) {
        for (const posting of this.postings.get(t.lexeme) ?? []) {
          ids.add(posting.id);
        }
      }
    });
    return [...ids].slice(0, MAX_CANDIDATES);
  }

  /** BM25 (`delta` > 0: BM25+, Lv & Zhai 2011). */
  bm25(terms: Term[], ids: string[], delta = 0): Scores {
    const scores: Scores = new Map();
    for (const id of ids) {
      const chunk = this.chunk(id);
      const norm = 1 - B + (B * chunk.dl) / this.avgdl;
      let score = 0;
      for (const t of terms) {
        const tf = chunk.tf.get(t.lexeme);
        if (t.df >= 1 && tf) {
          score += t.qtf * t.idf * ((tf * (K1 + 1)) / (tf + K1 * norm) + delta);
        }
      }
      scores.set(id, score);
    }
    return scores;
  }

  /** Query likelihood with Dirichlet smoothing (Zhai & Lafferty 2001). */
  queryLikelihood(terms: Term[], ids: string[], mu: number): Scores {
    const scores: Scores = new Map();
    for (const id of ids) {
      const chunk = this.chunk(id);
      let score = 0;
      for (const t of terms.filter((term) => term.df >= 1)) {
        const cf = (this.postings.get(t.lexeme) ?? []).reduce((sum, p) => sum + p.tf, 0);
        score +=
          t.qtf *
          Math.log(
            ((chunk.tf.get(t.lexeme) ?? 0) + (mu * cf) / this.totalLength) / (chunk.dl + mu),
          );
      }
      scores.set(id, score);
    }
    return scores;
  }

  /** The query terms' occurrences in a chunk, by position. */
  occurrences(id: string, terms: Term[]): { position: number; term: Term }[] {
    const chunk = this.chunk(id);
    return terms
      .filter((t) => t.df >= 1)
      .flatMap((term) =>
        (chunk.positions.get(term.lexeme) ?? []).map((position) => ({ position, term })),
      )
      .sort((a, b) => a.position - b.position);
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ranked(scores: Scores): string[] {
  return [...scores].sort((a, b) => b[1] - a[1] || compare(a[0], b[0])).map(([id]) => id);
}

function reciprocalRankFusion(rankings: { ids: string[]; weight: number }[], k = 60): string[] {
  const scores: Scores = new Map();
  for (const { ids, weight } of rankings) {
    ids.forEach((id, position) =>
      scores.set(id, (scores.get(id) ?? 0) + weight / (k + position + 1)),
    );
  }
  return ranked(scores);
}

// ---- 1. pseudo-relevance feedback (Lavrenko & Croft's RM3; Rocchio) ----

function feedback(
  corpus: Corpus,
  terms: Term[],
  {
    kind,
    docs,
    count,
    original,
  }: { kind: 'rm3' | 'rocchio'; docs: number; count: number; original: number },
): string[] {
  const candidates = corpus.candidates(terms);
  const first = corpus.bm25(terms, candidates);
  const top = ranked(first).slice(0, docs);
  // RM3 weighs a feedback chunk by its query likelihood, here exp(BM25 − best); Rocchio equally.
  const docWeight = (id: string): number =>
    kind === 'rm3' ? Math.exp((first.get(id) ?? 0) - (first.get(top[0]) ?? 0)) : 1;
  const total = top.reduce((sum, id) => sum + docWeight(id), 0);
  const weights = new Map<string, number>();
  for (const id of top) {
    const chunk = corpus.chunk(id);
    for (const [lexeme, tf] of chunk.tf) {
      if (NOT_EXPANSION.has(lexeme) || /^\d+$/.test(lexeme)) {
        continue;
      }
      const p = tf / chunk.dl;
      const value = (docWeight(id) / total) * (kind === 'rm3' ? p : p * corpus.term(lexeme, 1).idf);
      weights.set(lexeme, (weights.get(lexeme) ?? 0) + value);
    }
  }
  const expansion = [...weights].sort((a, b) => b[1] - a[1]).slice(0, count);
  const expansionMass = expansion.reduce((sum, [, w]) => sum + w, 0);
  const queryMass = terms.reduce((sum, t) => sum + t.qtf, 0);
  const merged = new Map(
    terms.map((t) => [t.lexeme, { ...t, qtf: (original * t.qtf) / queryMass }]),
  );
  for (const [lexeme, w] of expansion) {
    const term = merged.get(lexeme) ?? corpus.term(lexeme, 0);
    merged.set(lexeme, { ...term, qtf: term.qtf + ((1 - original) * w) / expansionMass });
  }
  const pool = new Set([
    ...candidates,
    ...corpus.candidates(expansion.map(([l]) => corpus.term(l, 1))),
  ]);
  return ranked(corpus.bm25([...merged.values()], [...pool]));
}

// ---- 2. corpus term association: NPMI neighbours of the question's words ----

function neighbours(corpus: Corpus, lexeme: string, count: number): [string, number][] {
  const postings = corpus.postings.get(lexeme) ?? [];
  const together = new Map<string, number>();
  for (const { id } of postings) {
    for (const other of corpus.chunk(id).tf.keys()) {
      if (other !== lexeme && !NOT_EXPANSION.has(other) && !/^\d+$/.test(other)) {
        together.set(other, (together.get(other) ?? 0) + 1);
      }
    }
  }
  const n = corpus.n;
  return [...together]
    .filter(([, both]) => both >= 2)
    .map(([other, both]): [string, number] => [
      other,
      Math.log(both / n / ((postings.length / n) * (corpus.df(other) / n))) / -Math.log(both / n),
    ])
    .sort((a, b) => b[1] - a[1])
    .slice(0, count);
}

function associated(
  corpus: Corpus,
  terms: Term[],
  count: number,
  weight: number,
  share: number,
): string[] {
  const added = new Map<string, number>();
  for (const t of terms.filter(
    (term) => term.content && term.df >= 1 && term.df <= corpus.n * share,
  )) {
    for (const [other, npmi] of neighbours(corpus, t.lexeme, count)) {
      if (!terms.some((term) => term.lexeme === other)) {
        added.set(other, (added.get(other) ?? 0) + weight * npmi * t.qtf);
      }
    }
  }
  const expanded = [...terms, ...[...added].map(([lexeme, qtf]) => corpus.term(lexeme, qtf))];
  return ranked(corpus.bm25(expanded, corpus.candidates(terms)));
}

// ---- 3. a corpus-trained vector side: LSA (truncated SVD of the log-tf·idf matrix) ----

function latentSemantics(corpus: Corpus, rank: number): (terms: Term[]) => string[] {
  const ids = [...corpus.chunks.keys()];
  const vocabulary = new Map<string, number>();
  for (const id of ids) {
    for (const lexeme of corpus.chunk(id).tf.keys()) {
      if (!vocabulary.has(lexeme) && corpus.df(lexeme) >= 2 && !NOT_EXPANSION.has(lexeme)) {
        vocabulary.set(lexeme, vocabulary.size);
      }
    }
  }
  const rows = ids.map((id) => {
    const row: [number, number][] = [];
    for (const [lexeme, tf] of corpus.chunk(id).tf) {
      const column = vocabulary.get(lexeme);
      if (column !== undefined) {
        row.push([column, (1 + Math.log(tf)) * corpus.term(lexeme, 1).idf]);
      }
    }
    const norm = Math.hypot(...row.map(([, v]) => v)) || 1;
    return row.map(([column, v]): [number, number] => [column, v / norm]);
  });
  const times = (x: Float64Array[]): Float64Array[] => {
    const y = rows.map(() => new Float64Array(rank));
    rows.forEach((row, i) => row.forEach(([j, v]) => x[j].forEach((xj, c) => (y[i][c] += v * xj))));
    return y;
  };
  const transposedTimes = (y: Float64Array[]): Float64Array[] => {
    const x = [...vocabulary.keys()].map(() => new Float64Array(rank));
    rows.forEach((row, i) => row.forEach(([j, v]) => y[i].forEach((yi, c) => (x[j][c] += v * yi))));
    return x;
  };
  const orthonormal = (m: Float64Array[]): Float64Array[] => {
    for (let c = 0; c < rank; c++) {
      for (let p = 0; p < c; p++) {
        const dot = m.reduce((sum, row) => sum + row[c] * row[p], 0);
        m.forEach((row) => (row[c] -= dot * row[p]));
      }
      const norm = Math.sqrt(m.reduce((sum, row) => sum + row[c] * row[c], 0)) || 1;
      m.forEach((row) => (row[c] /= norm));
    }
    return m;
  };
  // Randomized range finder with two power iterations (Halko, Martinsson & Tropp 2011).
  let seed = 1;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  let y = orthonormal(
    times([...vocabulary.keys()].map(() => Float64Array.from({ length: rank }, random))),
  );
  for (let iteration = 0; iteration < 2; iteration++) {
    y = orthonormal(times(orthonormal(transposedTimes(y))));
  }
  const loadings = transposedTimes(y);
  const unit = (v: Float64Array): Float64Array => {
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  };
  const project = (weighted: [number, number][]): Float64Array => {
    const v = new Float64Array(rank);
    weighted.forEach(([j, w]) => loadings[j].forEach((l, c) => (v[c] += w * l)));
    return unit(v);
  };
  const chunkVectors = rows.map(project);
  return (terms) => {
    const query = project(
      terms.flatMap((t): [number, number][] => {
        const column = vocabulary.get(t.lexeme);
        return column === undefined ? [] : [[column, t.qtf * t.idf]];
      }),
    );
    return ranked(
      new Map(ids.map((id, i) => [id, chunkVectors[i].reduce((s, x, c) => s + x * query[c], 0)])),
    );
  };
}

// ---- 4. proximity, as a second stage over the first DEPTH chunks ----

/** BM25TP (Büttcher, Clarke & Lushman 2006): neighbouring query-term occurrences, 1 / d². */
function termProximity(corpus: Corpus, id: string, terms: Term[]): number {
  const occurrences = corpus.occurrences(id, terms);
  const accumulated = new Map<string, number>();
  for (let i = 1; i < occurrences.length; i++) {
    const [a, b] = [occurrences[i - 1], occurrences[i]];
    if (a.term.lexeme !== b.term.lexeme) {
      const d = Math.max(1, b.position - a.position);
      accumulated.set(a.term.lexeme, (accumulated.get(a.term.lexeme) ?? 0) + b.term.idf / (d * d));
      accumulated.set(b.term.lexeme, (accumulated.get(b.term.lexeme) ?? 0) + a.term.idf / (d * d));
    }
  }
  const norm = K1 * (1 - B + (B * corpus.chunk(id).dl) / corpus.avgdl);
  return terms.reduce((sum, t) => {
    const acc = accumulated.get(t.lexeme) ?? 0;
    return sum + (Math.min(1, t.idf) * acc * (K1 + 1)) / (acc + norm);
  }, 0);
}

/** MinDist (Tao & Zhai 2007): log(0.3 + e^−δ), δ the closest two distinct query terms. */
function minimumDistance(corpus: Corpus, id: string, terms: Term[]): number {
  let best = Infinity;
  const last = new Map<string, number>();
  for (const { position, term } of corpus.occurrences(id, terms)) {
    for (const [lexeme, seen] of last) {
      if (lexeme !== term.lexeme) {
        best = Math.min(best, position - seen);
      }
    }
    last.set(term.lexeme, position);
  }
  return Math.log(0.3 + Math.exp(-(best === Infinity ? corpus.chunk(id).dl : best)));
}

/** The shortest span holding every content term the chunk matches: IDF mass × terms / span. */
function minimumSpan(corpus: Corpus, id: string, terms: Term[]): number {
  const content = terms.filter((t) => t.content);
  const occurrences = corpus.occurrences(id, content);
  const needed = new Set(occurrences.map((o) => o.term.lexeme));
  if (needed.size < 2) {
    return 0;
  }
  const count = new Map<string, number>();
  let held = 0;
  let low = 0;
  let best = Infinity;
  for (const high of occurrences) {
    count.set(high.term.lexeme, (count.get(high.term.lexeme) ?? 0) + 1);
    held += count.get(high.term.lexeme) === 1 ? 1 : 0;
    while (held === needed.size) {
      best = Math.min(best, high.position - occurrences[low].position + 1);
      const lexeme = occurrences[low++].term.lexeme;
      count.set(lexeme, (count.get(lexeme) ?? 1) - 1);
      held -= count.get(lexeme) === 0 ? 1 : 0;
    }
  }
  const mass = content.filter((t) => needed.has(t.lexeme)).reduce((sum, t) => sum + t.idf, 0);
  return (mass * needed.size) / best;
}

/** BM25 (window length 1, no length normalisation) of the chunk's best window of `width` words. */
function bestWindow(corpus: Corpus, id: string, terms: Term[], width: number): number {
  const occurrences = corpus.occurrences(id, terms);
  let best = 0;
  occurrences.forEach((start, i) => {
    const seen = new Map<Term, number>();
    for (
      let j = i;
      j < occurrences.length && occurrences[j].position - start.position < width;
      j++
    ) {
      seen.set(occurrences[j].term, (seen.get(occurrences[j].term) ?? 0) + 1);
    }
    best = Math.max(
      best,
      [...seen].reduce((sum, [t, tf]) => sum + (t.qtf * t.idf * tf * (K1 + 1)) / (tf + K1), 0),
    );
  });
  return best;
}

function reranked(
  corpus: Corpus,
  terms: Term[],
  depth: number,
  weight: number,
  score: (id: string) => number,
): string[] {
  const first = corpus.bm25(terms, corpus.candidates(terms));
  const order = ranked(first);
  const top = order.slice(0, depth);
  return [
    ...ranked(new Map(top.map((id) => [id, (first.get(id) ?? 0) + weight * score(id)]))),
    ...order.slice(depth),
  ];
}

// ---- the variants and the evaluation ----

function variants(corpus: Corpus, only: string | null): [string, string, Ranker][] {
  const list: [string, string, Ranker][] = [];
  const add = (group: string, name: string, ranker: Ranker): void => {
    if (!only || only === group) {
      list.push([group, name, ranker]);
    }
  };
  const base = (terms: Term[]): string[] => ranked(corpus.bm25(terms, corpus.candidates(terms)));
  add('base', 'the service (BM25, k1 1.2, b 0.75, selective candidates)', (_q, t) => base(t));
  for (const kind of ['rm3', 'rocchio'] as const) {
    for (const docs of [3, 5, 10]) {
      for (const count of [5, 10, 20]) {
        for (const original of [0.5, 0.7, 0.9]) {
          add(
            'prf',
            `${kind}: ${docs} chunks, ${count} terms, original weight ${original}`,
            (_q, t) => feedback(corpus, t, { kind, docs, count, original }),
          );
        }
      }
    }
  }
  for (const share of [0.05, 0.2]) {
    for (const count of [1, 3, 5]) {
      for (const weight of [0.1, 0.3, 0.5]) {
        add(
          'association',
          `NPMI neighbours: ${count} per word (df ≤ ${share}), weight ${weight}`,
          (_q, t) => associated(corpus, t, count, weight, share),
        );
      }
    }
  }
  const embedder = new LocalEmbedder();
  const cosine = (a: number[], b: number[]): number => a.reduce((sum, x, i) => sum + x * b[i], 0);
  if (!only || only === 'fusion') {
    const vectors = new Map(
      [...corpus.chunks.values()].map((c) => [c.id, embedder.vector(c.embedded)]),
    );
    const vectorSide = (question: Question): string[] => {
      const query = embedder.vector(question.question);
      return ranked(new Map([...vectors].map(([id, v]) => [id, cosine(v, query)]))).slice(0, DEPTH);
    };
    add('fusion', 'local embedder alone', (q) => vectorSide(q));
    for (const weight of [0.1, 0.2, 0.3, 0.5, 1]) {
      add('fusion', `BM25 + local embedder, RRF weight ${weight}`, (q, t) =>
        reciprocalRankFusion([
          { ids: base(t).slice(0, DEPTH), weight: 1 },
          { ids: vectorSide(q), weight },
        ]),
      );
    }
    for (const weight of [0.1, 0.2, 0.3, 0.5, 0.75, 1, 2]) {
      add(
        'fusion',
        `BM25 / best BM25 + ${weight} × local cosine, over the top ${DEPTH}`,
        (q, t) => {
          const first = corpus.bm25(t, corpus.candidates(t));
          const top = ranked(first).slice(0, DEPTH);
          const best = first.get(top[0]) ?? 1;
          const query = embedder.vector(q.question);
          return ranked(
            new Map(
              top.map((id) => [
                id,
                (first.get(id) ?? 0) / best + weight * cosine(vectors.get(id) ?? query, query),
              ]),
            ),
          );
        },
      );
    }
  }
  if (!only || only === 'lsa') {
    for (const rank of [100, 200]) {
      const lsa = latentSemantics(corpus, rank);
      add('lsa', `LSA rank ${rank} alone`, (_q, t) => lsa(t));
      for (const weight of [0.2, 0.3, 0.5, 1]) {
        add('lsa', `BM25 + LSA rank ${rank}, RRF weight ${weight}`, (_q, t) =>
          reciprocalRankFusion([
            { ids: base(t).slice(0, DEPTH), weight: 1 },
            { ids: lsa(t).slice(0, DEPTH), weight },
          ]),
        );
      }
    }
  }
  for (const depth of [20, 40, 100]) {
    for (const weight of [0.5, 1, 2, 4]) {
      add('proximity', `BM25TP over the top ${depth}, × ${weight}`, (_q, t) =>
        reranked(corpus, t, depth, weight, (id) => termProximity(corpus, id, t)),
      );
    }
    for (const weight of [1, 2, 5]) {
      add('proximity', `MinDist over the top ${depth}, × ${weight}`, (_q, t) =>
        reranked(corpus, t, depth, weight, (id) => minimumDistance(corpus, id, t)),
      );
    }
    for (const weight of [0.5, 1, 2]) {
      add('proximity', `minimum span over the top ${depth}, × ${weight}`, (_q, t) =>
        reranked(corpus, t, depth, weight, (id) => minimumSpan(corpus, id, t)),
      );
    }
  }
  for (const width of [15, 30, 60]) {
    for (const weight of [0.25, 0.5, 1]) {
      add('proximity', `best ${width}-word window over the top ${DEPTH}, × ${weight}`, (_q, t) =>
        reranked(corpus, t, DEPTH, weight, (id) => bestWindow(corpus, id, t, width)),
      );
    }
  }
  for (const mu of [50, 100, 200, 500, 1000]) {
    add('scoring', `query likelihood, Dirichlet μ ${mu}`, (_q, t) =>
      ranked(corpus.queryLikelihood(t, corpus.candidates(t), mu)),
    );
  }
  for (const delta of [0.5, 1]) {
    add('scoring', `BM25+ δ ${delta}`, (_q, t) =>
      ranked(corpus.bm25(t, corpus.candidates(t), delta)),
    );
  }
  // IDF over pages rather than chunks: a word in many chunks of one page is still rare.
  const pages = new Set([...corpus.chunks.values()].map((c) => c.document)).size;
  const pageIdf = (lexeme: string): number => {
    const df = new Set((corpus.postings.get(lexeme) ?? []).map((p) => corpus.chunk(p.id).document))
      .size;
    return Math.log(1 + (pages - df + 0.5) / (df + 0.5));
  };
  for (const share of [1, 0.5]) {
    add('scoring', `IDF over pages, weight ${share} (against over chunks)`, (_q, t) =>
      ranked(
        corpus.bm25(
          t.map((term) => ({
            ...term,
            idf: share * pageIdf(term.lexeme) + (1 - share) * term.idf,
          })),
          corpus.candidates(t),
        ),
      ),
    );
  }
  return list;
}

async function load(
  database: string,
  questions: Question[],
): Promise<{ corpus: Corpus; terms: Map<string, Term[]> }> {
  const client = new pg.Client({
    connectionString: `postgres://postgres@127.0.0.1:5432/${database}`,
  });
  await client.connect();
  try {
    const chunks = new Map<string, Chunk>();
    const rows = await client.query<{
      id: string;
      document_id: string;
      text: string;
      heading_path: string[];
    }>('SELECT id, document_id, text, heading_path FROM chunks');
    for (const row of rows.rows) {
      const embedded =
        row.heading_path.length > 0 ? `${row.heading_path.join(' > ')}\n\n${row.text}` : row.text;
      chunks.set(row.id, {
        id: row.id,
        text: row.text.replace(/\s+/g, ' '),
        embedded,
        document: row.document_id,
        tf: new Map(),
        positions: new Map(),
        dl: 0,
      });
    }
    const postings = await client.query<{ id: string; lexeme: string; tf: number; dl: number }>(
      'SELECT chunk_id AS id, lexeme, tf, dl FROM chunk_terms',
    );
    for (const row of postings.rows) {
      const chunk = chunks.get(row.id);
      chunk?.tf.set(row.lexeme, row.tf);
      if (chunk) {
        chunk.dl = row.dl;
      }
    }
    const positions = await client.query<{
      id: string;
      lexeme: string;
      positions: number[] | null;
    }>('SELECT c.id, u.lexeme, u.positions::int[] AS positions FROM chunks c, unnest(c.tsv) u');
    for (const row of positions.rows) {
      chunks.get(row.id)?.positions.set(row.lexeme, row.positions ?? []);
    }
    const corpus = new Corpus(chunks);
    const terms = new Map<string, Term[]>();
    for (const question of questions) {
      const result = await client.query<{ lexeme: string; qtf: number; content: boolean }>(
        `WITH ${queryTerms(sqlLiteral(question.question))} SELECT lexeme, qtf, content FROM terms`,
      );
      terms.set(
        question.id,
        result.rows.map((row) => corpus.term(row.lexeme, Number(row.qtf), row.content)),
      );
    }
    return { corpus, terms };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | null => {
    const at = args.indexOf(name);
    return at >= 0 ? args.splice(at, 2)[1] : null;
  };
  const set = resolve(option('--set') ?? '../shared/eval/gitdocs');
  const only = option('--only');
  const database = args[0];
  if (!database) {
    throw new Error('usage: ranking-variants DATABASE [--set DIR] [--only GROUP]');
  }
  const questions = (
    JSON.parse(readFileSync(join(set, 'questions.json'), 'utf8')) as Question[]
  ).filter((q) => q.answer_regex);
  const { corpus, terms } = await load(database, questions);
  console.log(`${corpus.n} chunks, ${questions.length} answerable questions`);
  console.log(
    '| group | variant | hit@1 | hit@5 | MRR@10 | lexical / paraphrased / needle hit@5 | missed in the top 5 |',
  );
  for (const [group, name, ranker] of variants(corpus, only)) {
    let [hit1, hit5, mrr] = [0, 0, 0];
    const kinds = new Map<string, [number, number]>();
    const missed: string[] = [];
    for (const question of questions) {
      const answer = new RegExp(question.answer_regex ?? '$^', 'i');
      const rank = ranker(question, terms.get(question.id) ?? [])
        .slice(0, RESULTS)
        .findIndex((id) => answer.test(corpus.chunk(id).text));
      const [found, asked] = kinds.get(question.kind) ?? [0, 0];
      kinds.set(question.kind, [found + (rank >= 0 && rank < 5 ? 1 : 0), asked + 1]);
      hit1 += rank === 0 ? 1 : 0;
      hit5 += rank >= 0 && rank < 5 ? 1 : 0;
      mrr += rank >= 0 ? 1 / (rank + 1) : 0;
      if (rank < 0 || rank >= 5) {
        missed.push(question.id);
      }
    }
    const byKind = ['lexical', 'paraphrased', 'needle']
      .map((kind) => kinds.get(kind))
      .map((k) => (k ? (k[0] / k[1]).toFixed(2) : '—'))
      .join(' / ');
    const n = questions.length;
    console.log(
      `| ${group} | ${name} | ${(hit1 / n).toFixed(2)} | ${(hit5 / n).toFixed(2)} | ${(mrr / n).toFixed(3)} | ${byKind} | ${missed.join(' ')} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
