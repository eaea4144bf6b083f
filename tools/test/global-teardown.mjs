// Runs once after all tests: stops Chroma, drops the run's database and deletes its keys.
import { rmSync } from 'node:fs';

import { Redis } from 'ioredis';
import pg from 'pg';

export default async function globalTeardown() {
  const run = globalThis.__TEST_RUN__;
  if (!run) {
    return;
  }
  run.chroma?.kill('SIGTERM');
  if (run.chromaDir) {
    rmSync(run.chromaDir, { recursive: true, force: true });
  }

  const admin = new pg.Client({ connectionString: run.adminUrl });
  await admin.connect();
  // The run's database and those named after it: the stacks' template and copies, in-process
  // suites' databases (libs/testing/src/stack-database.ts, apps/chat/test/int/chat-int-app.ts).
  const { rows } = await admin.query(
    `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $1 || '\\_%'`,
    [run.names.database],
  );
  for (const { datname } of rows) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await admin.end();

  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(
      cursor,
      'MATCH',
      `${run.names.redisPrefix}:*`,
      'COUNT',
      1000,
    );
    if (keys.length > 0) {
      await redis.unlink(...keys);
    }
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
