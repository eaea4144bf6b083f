// npm run load [-- --duration 60s --warmup 60s --clients 100 --tenants 20 --think 500ms --url …]
// Mixed traffic from virtual clients spread over tenants (login, upload, search, chat as JSON,
// SSE and WebSocket, admin reads) against a platform this run starts on infrastructure of its
// own, or against a running one (`--url`, e.g. `npm start`; it needs the super admin
// admin/admin and no rate limits in the way). Prints throughput, p50/p99 per route, errors by
// code and the RSS of each process when the platform is up (cold), after the warm-up (the
// start of the measured run) and at the end. See docs/reliability.md.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';

import { percentile, printTable } from '@tenantbot/testing';

import { createTrafficTenants, Platform } from './platform';
import { type Outcome, type RouteName, TrafficClient, TrafficRun } from './traffic';

const LOAD_MIX: [RouteName, number][] = [
  ['search', 4],
  ['chat json', 3],
  ['chat sse', 2],
  ['chat ws', 1],
  ['admin stats', 1],
  ['login', 1],
  ['upload', 1],
];

/** RSS growth over the run beyond this share is flagged. */
const RSS_GROWTH_FLAG = 0.2;

function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new Error(`not a duration: ${text} (try 60s, 10m)`);
  }
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * unit;
}

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '10m' },
      warmup: { type: 'string', default: '60s' },
      clients: { type: 'string', default: '100' },
      tenants: { type: 'string', default: '20' },
      think: { type: 'string', default: '500ms' },
      url: { type: 'string' },
    },
  });
  return {
    durationMs: duration(values.duration),
    warmupMs: duration(values.warmup),
    clients: Number(values.clients),
    tenants: Number(values.tenants),
    thinkMs: duration(values.think),
    url: values.url,
  };
}

function rssMb(pid: number | undefined): number | undefined {
  if (!pid) {
    return undefined;
  }
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function processes(platform: Platform | undefined): Map<string, number | undefined> {
  const pids = new Map<string, number | undefined>();
  if (!platform) {
    return pids;
  }
  for (const name of platform.apps.names()) {
    pids.set(name, platform.apps.pid(name));
  }
  pids.set('chroma', platform.chroma.pid);
  pids.set('redis (private)', platform.redis.pid);
  return pids;
}

function routeRows(outcomes: Outcome[], seconds: number) {
  const routes = [...new Set(outcomes.map((outcome) => outcome.route))].sort();
  return routes.map((route) => {
    const mine = outcomes.filter((outcome) => outcome.route === route);
    const ok = mine.filter((outcome) => outcome.kind === 'ok');
    const latencies = ok.map((outcome) => outcome.ms).sort((a, b) => a - b);
    return {
      route,
      requests: mine.length,
      ok: ok.length,
      errors: mine.length - ok.length,
      'req/s': mine.length / seconds,
      'p50 ms': percentile(latencies, 0.5),
      'p99 ms': percentile(latencies, 0.99),
    };
  });
}

function errorRows(outcomes: Outcome[]) {
  const counts = new Map<string, number>();
  for (const outcome of outcomes.filter((o) => o.kind !== 'ok')) {
    const key = `${outcome.route}|${outcome.status || '-'}|${outcome.code ?? '-'}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => {
    const [route, status, code] = key.split('|');
    return { route, status, code, count };
  });
}

async function main(): Promise<void> {
  const settings = options();
  const platform = settings.url
    ? undefined
    : await Platform.start(`load-${Date.now().toString(36)}`, {
        LOG_LEVEL: 'error',
        INGESTION_CONCURRENCY: '4',
      });
  try {
    const gateways = platform
      ? await platform.addGateways(1)
      : [{ name: 'gateway', url: settings.url as string }];
    const tenants = await createTrafficTenants(gateways[0].url, settings.tenants, 1);
    const pids = processes(platform);
    const rssCold = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]));
    const client = new TrafficClient(gateways, 'load');
    // The same traffic first, not counted: JIT-compiled code, connection pools and caches grow
    // to their working size, which is not a leak.
    if (settings.warmupMs > 0) {
      console.log(`load: warming up for ${settings.warmupMs / 1000} s…`);
      const warmup = new TrafficRun(client, tenants, LOAD_MIX, settings.thinkMs);
      warmup.start(settings.clients);
      await new Promise((resolve) => setTimeout(resolve, settings.warmupMs));
      await warmup.stop();
    }
    const rssAtStart = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]));
    const run = new TrafficRun(client, tenants, LOAD_MIX, settings.thinkMs);
    console.log(
      `load: ${settings.clients} clients over ${settings.tenants} tenants for ${settings.durationMs / 1000} s…`,
    );
    const started = performance.now();
    run.start(settings.clients);
    await new Promise((resolve) => setTimeout(resolve, settings.durationMs));
    const outcomes = await run.stop();
    const seconds = (performance.now() - started) / 1000;
    await client.close();
    const rssAtEnd = new Map([...pids].map(([name, pid]) => [name, rssMb(pid)]));

    const conditions =
      `${settings.clients} clients, ${settings.tenants} tenants, think ${settings.thinkMs} ms, ` +
      `${seconds.toFixed(0)} s after a ${settings.warmupMs / 1000} s warm-up, Node ${process.version}, ${cpus().length} cores shared with the apps, ` +
      'PostgreSQL, Redis, Chroma and the load generator';
    printTable(
      `Load: ${outcomes.length} requests, ${(outcomes.length / seconds).toFixed(1)} req/s (${conditions})`,
      routeRows(outcomes, seconds),
    );
    const errors = errorRows(outcomes);
    if (errors.length > 0) {
      printTable('Errors by route, status and code', errors);
    } else {
      console.log('\nNo errors.');
    }
    if (pids.size > 0) {
      printTable(
        `RSS of each process (flagged: growth beyond ${RSS_GROWTH_FLAG * 100} %)`,
        [...pids.keys()].map((name) => {
          const before = rssAtStart.get(name) ?? NaN;
          const after = rssAtEnd.get(name) ?? NaN;
          const growth = (after - before) / before;
          return {
            process: name,
            'cold MB': rssCold.get(name) ?? NaN,
            'start MB': before,
            'end MB': after,
            growth: `${(growth * 100).toFixed(0)} %`,
            flag: growth > RSS_GROWTH_FLAG ? 'GREW' : '',
          };
        }),
      );
    } else {
      console.log('\nRSS not measured: the platform was not started by this run.');
    }
  } finally {
    await platform?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
