// npm run eval:retrieval -- --set ../shared/eval/gitdocs [--corpus DIR] [--json] [--env K=V]
//   [--chunk-size N] [--chunk-overlap N] [--top-k N]
//
// Retrieval quality of the default configuration on an evaluation set: the set's corpus is
// ingested into a fresh tenant through the public API, every question is asked through
// `POST /api/v1/rag/search`, and hit@1, hit@5, MRR@10 (by question kind), the abstention on
// unanswerable questions and the p50 search latency are printed. Creates and drops its own
// database, Redis prefix and Chroma server.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { ApiClient, loginSuperAdmin, TestStack } from '@tenantbot/testing';
import { percentile, printTable } from '@tenantbot/testing';

import { createBenchEnvironment } from './bench-environment';

/** The Debian package the gitdocs set is built from (see its README). */
const GIT_DOC_PACKAGE = 'git-doc=1:2.39.5-0+deb12u3';
const DEFAULT_CORPUS = join(tmpdir(), 'gitdoc');
const RESULTS = 10;
const UPLOADS_AT_ONCE = 4;

interface Question {
  id: string;
  kind: string;
  question: string;
  page: string | null;
  answer_regex: string | null;
}

interface SearchHit {
  document_id: string;
  text: string;
  relevance?: number;
}

interface SearchAnswer {
  results: SearchHit[];
  no_relevant_context?: boolean;
}

interface Outcome {
  id: string;
  kind: string;
  /** 1-based rank of the first chunk that holds the answer, or null. */
  rank: number | null;
  abstained: boolean;
  /** The best result's relevance, if the service reports one. */
  relevance: number | null;
  ms: number;
}

interface Options {
  set: string;
  corpus: string | null;
  json: boolean;
  rag: Record<string, number>;
  /** Extra environment of the services (e.g. SEARCH_VECTOR_WEIGHT=0.5), to compare settings. */
  env: Record<string, string>;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { set: '', corpus: null, json: false, rag: {}, env: {} };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const next = argv[++i];
      if (next === undefined) {
        throw new Error(`${argv[i - 1]} needs a value`);
      }
      return next;
    };
    switch (argv[i]) {
      case '--set':
        options.set = resolve(value());
        break;
      case '--corpus':
        options.corpus = resolve(value());
        break;
      case '--json':
        options.json = true;
        break;
      case '--chunk-size':
        options.rag.chunk_size = Number(value());
        break;
      case '--chunk-overlap':
        options.rag.chunk_overlap = Number(value());
        break;
      case '--env': {
        const [name, ...rest] = value().split('=');
        options.env[name] = rest.join('=');
        break;
      }
      default:
        throw new Error(`unknown argument ${argv[i]}`);
    }
  }
  if (!options.set) {
    throw new Error('--set DIR is required (e.g. --set ../shared/eval/gitdocs)');
  }
  return options;
}

/** The folder the set's pages are relative to: given, or the Debian package extracted here. */
function corpusRoot(options: Options): string {
  const extracted = options.corpus ?? DEFAULT_CORPUS;
  const docs = join(extracted, 'usr/share/doc/git-doc');
  if (existsSync(docs)) {
    return docs;
  }
  if (existsSync(join(extracted, 'git-add.html'))) {
    return extracted;
  }
  if (options.corpus) {
    throw new Error(`${options.corpus} holds no extracted git-doc package`);
  }
  console.error(`corpus not found in ${extracted}: downloading ${GIT_DOC_PACKAGE} with apt-get`);
  const download = mkdtempSync(join(tmpdir(), 'gitdeb-'));
  const run = (command: string, args: string[], cwd = download) => {
    const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    if (result.status !== 0) {
      throw new Error(`${command} ${args.join(' ')} failed`);
    }
  };
  run('apt-get', ['download', GIT_DOC_PACKAGE]);
  const deb = spawnSync('sh', ['-c', 'ls git-doc_*.deb'], { cwd: download }).stdout.toString();
  run('dpkg', ['-x', deb.trim(), extracted]);
  rmSync(download, { recursive: true, force: true });
  return docs;
}

async function waitForIngestion(api: ApiClient, expected: number): Promise<void> {
  const until = Date.now() + 30 * 60_000;
  for (;;) {
    const listed = await api.get<{ items: { status: string }[]; total: number }>(
      '/api/v1/rag/documents?status=completed&limit=1',
    );
    const failed = await api.get<{ total: number }>('/api/v1/rag/documents?status=failed&limit=1');
    if (failed.body.total > 0) {
      throw new Error(`${failed.body.total} documents failed`);
    }
    if (listed.body.total === expected) {
      return;
    }
    if (Date.now() > until) {
      throw new Error('ingestion did not finish within 30 minutes');
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function upload(api: ApiClient, root: string, page: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(join(root, page))], { type: 'text/html' }), page);
  const response = await fetch(`${api.baseUrl}/api/v1/rag/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${api.token}`, 'x-tenant-id': api.tenant ?? '' },
    body: form,
  });
  const body = (await response.json()) as { id: string };
  if (response.status !== 202) {
    throw new Error(`upload of ${page}: ${JSON.stringify(body)}`);
  }
  return body.id;
}

async function ingestCorpus(api: ApiClient, root: string, pages: string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      await upload(api, root, pages[next++]);
    }
  };
  await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, worker));
  await waitForIngestion(api, pages.length);
}

async function ask(api: ApiClient, question: Question): Promise<Outcome> {
  const started = performance.now();
  const response = await api.post<SearchAnswer>('/api/v1/rag/search', {
    query: question.question,
    top_k: RESULTS,
  });
  const ms = performance.now() - started;
  if (response.status !== 200) {
    throw new Error(`search of ${question.id}: ${JSON.stringify(response.body)}`);
  }
  const answer = question.answer_regex ? new RegExp(question.answer_regex, 'i') : null;
  const index = answer
    ? response.body.results.findIndex((hit) => answer.test(hit.text.replace(/\s+/g, ' ')))
    : -1;
  return {
    id: question.id,
    kind: question.kind,
    rank: index < 0 ? null : index + 1,
    abstained: response.body.no_relevant_context === true,
    relevance: response.body.results[0]?.relevance ?? null,
    ms,
  };
}

function summarize(outcomes: Outcome[]) {
  const answerable = outcomes.filter((outcome) => outcome.kind !== 'unanswerable');
  const unanswerable = outcomes.filter((outcome) => outcome.kind === 'unanswerable');
  const scores = (group: Outcome[]) => ({
    questions: group.length,
    'hit@1': mean(group.map((o) => (o.rank === 1 ? 1 : 0))),
    'hit@5': mean(group.map((o) => (o.rank !== null && o.rank <= 5 ? 1 : 0))),
    'MRR@10': mean(group.map((o) => (o.rank === null ? 0 : 1 / o.rank))),
    abstained: group.filter((o) => o.abstained).length,
  });
  const kinds = [...new Set(answerable.map((o) => o.kind))];
  const latencies = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return {
    byKind: [
      ...kinds.map((kind) => ({
        kind,
        ...scores(answerable.filter((o) => o.kind === kind)),
      })),
      { kind: 'all answerable', ...scores(answerable) },
    ],
    unanswerable: {
      questions: unanswerable.length,
      abstained: unanswerable.filter((o) => o.abstained).length,
    },
    searchP50Ms: percentile(latencies, 0.5),
    misses: answerable.filter((o) => o.rank === null || o.rank > 5).map((o) => o.id),
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const questions = JSON.parse(
    readFileSync(join(options.set, 'questions.json'), 'utf8'),
  ) as Question[];
  const pages = readFileSync(join(options.set, 'corpus.txt'), 'utf8').split('\n').filter(Boolean);
  const root = corpusRoot(options);

  const environment = await createBenchEnvironment('eval');
  const filesDir = mkdtempSync(join(tmpdir(), 'tenantbot-eval-files-'));
  const cleanUp = async () => {
    await environment.teardown();
    rmSync(filesDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanUp().finally(() => process.exit(130)));
  process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));
  const stack = await TestStack.start({
    services: ['tenants', 'rag'],
    // Generous call deadlines: on a busy machine a slow upload is not a retrieval result.
    env: {
      FILES_DIR: filesDir,
      RATE_LIMITS_ENABLED: 'false',
      TRANSPORT_TIMEOUT_MS: '30000',
      ...options.env,
    },
  }).catch(async (error: unknown) => {
    await cleanUp();
    throw error;
  });
  try {
    const superAdmin = await loginSuperAdmin(new ApiClient(stack.baseUrl));
    const slug = `eval-${process.pid}`;
    const created = await superAdmin.post('/api/v1/tenants/', {
      name: 'Evaluation',
      slug,
      plan: 'enterprise',
      ...(Object.keys(options.rag).length > 0 ? { rag: options.rag } : {}),
    });
    if (created.status !== 201) {
      throw new Error(`tenant: ${JSON.stringify(created.body)}`);
    }
    const api = superAdmin.as(superAdmin.token, slug);

    const ingestStarted = performance.now();
    await ingestCorpus(api, root, pages);
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;

    const outcomes: Outcome[] = [];
    for (const question of questions) {
      outcomes.push(await ask(api, question));
    }
    const summary = summarize(outcomes);

    if (options.json) {
      console.log(JSON.stringify({ set: options.set, ingestSeconds, ...summary, outcomes }));
      return;
    }
    printTable(
      `Retrieval on ${options.set}: ${pages.length} pages ingested in ${ingestSeconds.toFixed(1)} s` +
        `, ${questions.length} questions, default offline configuration`,
      summary.byKind,
    );
    console.log(
      `\nunanswerable: abstained on ${summary.unanswerable.abstained} of ${summary.unanswerable.questions}` +
        `; search p50 ${summary.searchP50Ms.toFixed(1)} ms (through the gateway)` +
        `\nmissed in the top 5: ${summary.misses.join(' ') || 'none'}`,
    );
  } finally {
    await stack.stop();
    await cleanUp();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
