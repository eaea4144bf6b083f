/** Latency percentiles and throughput of a batch of timed calls. */
export interface Measurement {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

export function percentile(sortedMs: number[], fraction: number): number {
  if (sortedMs.length === 0) {
    return NaN;
  }
  const index = Math.min(sortedMs.length - 1, Math.ceil(fraction * sortedMs.length) - 1);
  return sortedMs[Math.max(0, index)];
}

/** Runs `calls` calls with `concurrency` in flight at once and times each one. */
export async function measure(
  call: () => Promise<unknown>,
  calls: number,
  concurrency: number,
): Promise<Measurement> {
  const { latencies, seconds } = await timeCalls(call, calls, concurrency);
  return summarize(latencies, seconds);
}

export interface BenchPath {
  name: string;
  call: () => Promise<unknown>;
}

/**
 * Measures paths in turn, `rounds` times, `calls / rounds` calls each time, and pools each
 * path's latencies and time: load from elsewhere that drifts during a run weighs on every
 * path alike, so the ratios between rows of one run hold.
 */
export async function measureInterleaved(
  paths: BenchPath[],
  calls: number,
  concurrency: number,
  rounds: number,
): Promise<Map<string, Measurement>> {
  const pooled = new Map(
    paths.map((path) => [path.name, { latencies: [] as number[], seconds: 0 }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const path of paths) {
      const batch = await timeCalls(path.call, Math.ceil(calls / rounds), concurrency);
      const pool = pooled.get(path.name);
      pool?.latencies.push(...batch.latencies);
      if (pool) {
        pool.seconds += batch.seconds;
      }
    }
  }
  return new Map(
    [...pooled].map(([name, pool]) => [name, summarize(pool.latencies, pool.seconds)]),
  );
}

async function timeCalls(
  call: () => Promise<unknown>,
  calls: number,
  concurrency: number,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < calls) {
      next++;
      const begin = performance.now();
      await call();
      latencies.push(performance.now() - begin);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

function summarize(latencies: number[], seconds: number): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    calls: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p99Ms: percentile(sorted, 0.99),
    perSecond: sorted.length / seconds,
  };
}

export function printTable(title: string, rows: Record<string, string | number>[]): void {
  const headers = Object.keys(rows[0] ?? {});
  const cells = rows.map((row) => headers.map((header) => format(row[header])));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...cells.map((row) => row[i].length)),
  );
  const line = (values: string[]) =>
    `| ${values.map((value, i) => value.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${title}\n`);
  console.log(line(headers));
  console.log(`|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`);
  cells.forEach((row) => console.log(line(row)));
}

function format(value: string | number | undefined): string {
  if (typeof value !== 'number') {
    return value ?? '';
  }
  if (Number.isInteger(value)) {
    return String(value);
  }
  return value >= 100 ? value.toFixed(0) : value.toFixed(3);
}
