import { randomUUID } from 'node:crypto';

import pg from 'pg';

/**
 * A stack's own database, copied from the test run's migrated template (global setup makes it),
 * so suites running side by side never share rows that a service reads across tenants: the
 * tenants service relays every tenant's `event_outbox` rows, and two stacks on one database
 * would publish each other's events on the wrong Redis prefix.
 */
export class StackDatabase {
  private constructor(
    readonly url: string,
    private readonly name: string,
  ) {}

  /** None outside a test run (benchmarks, the fault suite): the stack uses DATABASE_URL. */
  static async fromRunTemplate(): Promise<StackDatabase | undefined> {
    const template = process.env.TEST_STACK_TEMPLATE_DATABASE;
    const runUrl = process.env.DATABASE_URL;
    if (!template || !runUrl) {
      return undefined;
    }
    const name = `${template}_${randomUUID().slice(0, 8)}`;
    await administer(runUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    const url = new URL(runUrl);
    url.pathname = `/${name}`;
    return new StackDatabase(url.toString(), name);
  }

  async drop(): Promise<void> {
    await administer(this.url, `DROP DATABASE IF EXISTS "${this.name}" WITH (FORCE)`);
  }
}

/** Runs one statement on the cluster's maintenance database, as the run's user. */
async function administer(databaseUrl: string, statement: string): Promise<void> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}
