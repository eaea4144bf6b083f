/** @jest-config-loader esbuild-register */
import { jestProject } from './tools/test/jest-project';

const projects = [
  'apps/gateway',
  'apps/tenants',
  'apps/rag',
  'apps/chat',
  'apps/admin',
  'apps/console',
  'libs/config',
  'libs/contracts',
  'libs/database',
  'libs/object-storage',
  'libs/observability',
  'libs/rate-limit',
  'libs/tenant-context',
  'libs/testing',
  'libs/transport',
  'infra',
];

export default {
  // End-to-end suites start the real apps as processes: 5 of them take a few seconds on 2 cores,
  // and several times that when the machine is busy (a suite's setup then passed 30 s).
  testTimeout: 90_000,
  // Two suites at a time (Jest's default on 2 cores is one): about 7 minutes instead of 14.
  // Safe because no two suites share state a service reads across tenants: each TestStack gets
  // its own database and Redis prefix (libs/testing/src/stack-database.ts).
  maxWorkers: 2,
  globalSetup: '<rootDir>/tools/test/global-setup.mjs',
  globalTeardown: '<rootDir>/tools/test/global-teardown.mjs',
  projects: projects.map(jestProject),
};
