#!/usr/bin/env node
// Compiles the workspace's TypeScript to CommonJS in dist/ with SWC.
// SWC keeps decorator metadata (Nest's dependency injection needs it) and rewrites the
// @tenantbot/* path aliases to relative requires, so `node dist/apps/<app>/src/main.js` runs
// as is. Nest 12 is ESM-only; Node 20.19+ loads it through require(esm).
// Type checking is `npm run typecheck`'s job, not this one's.
import { readFileSync } from 'node:fs';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { transformFile } from '@swc/core';
import { build as bundle } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist');
const sourceRoots = ['apps', 'libs', 'bench', 'tools/reliability'];
const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));

const swcOptions = (filename) => ({
  filename,
  sourceMaps: 'inline',
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
    keepClassNames: true,
  },
  module: { type: 'commonjs', strictMode: true },
});

async function* typescriptFiles(dir) {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && path !== BROWSER_SOURCES && path !== CONSOLE_SOURCES) {
        yield* typescriptFiles(path);
      }
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !isSpec(entry.name)) {
      yield path;
    }
  }
}

// The widget runs in browsers: esbuild bundles it into one file instead (below).
const BROWSER_SOURCES = join(root, 'apps', 'widget');

// The console is a Vite app: built by Vite into dist/console (below).
const CONSOLE_SOURCES = join(root, 'apps', 'console');

const isSpec = (name) => /\.(spec|e2e-spec|int-spec)\.ts$/.test(name);

async function compile(file) {
  const { code } = await transformFile(file, swcOptions(file));
  const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, code);
}

const started = Date.now();
const files = [];
for (const sourceRoot of sourceRoots) {
  for await (const file of typescriptFiles(join(root, sourceRoot))) {
    files.push(file);
  }
}
await Promise.all([...files.map(compile), bundleWidget()]);
const consoleBuilt = await buildConsole();
console.log(
  `build: ${files.length} files, the widget${consoleBuilt ? ' and the console' : ''} → dist/ in ${Date.now() - started} ms`,
);

/** The embeddable chat widget: one minified script the gateway serves as /widget/embed.js. */
async function bundleWidget() {
  await bundle({
    entryPoints: [join(BROWSER_SOURCES, 'src', 'main.ts')],
    outfile: join(outDir, 'widget', 'embed.js'),
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    legalComments: 'none',
    logLevel: 'warning',
  });
}

/**
 * The web console (apps/console, React + Vite): static files the gateway serves at /console.
 * Skipped when dist/console is newer than every source file (Vite takes seconds, the rest
 * of the build a fraction of one); CONSOLE_BUILD=always forces it.
 */
async function buildConsole() {
  const built = await stat(join(outDir, 'console', 'index.html')).catch(() => undefined);
  if (built && process.env.CONSOLE_BUILD !== 'always') {
    const newest = await newestChange(CONSOLE_SOURCES);
    const lockfile = (await stat(join(root, 'package-lock.json'))).mtimeMs;
    if (Math.max(newest, lockfile) < built.mtimeMs) {
      return false;
    }
  }
  // React's production build whatever the caller's NODE_ENV (Jest's global set-up says "test").
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({
    configFile: join(CONSOLE_SOURCES, 'vite.config.mts'),
    mode: 'production',
    logLevel: 'warn',
  });
  return true;
}

async function newestChange(dir) {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'test') {
        newest = Math.max(newest, await newestChange(path));
      }
    } else if (!/\.(test|spec)\.tsx?$/.test(entry.name)) {
      newest = Math.max(newest, (await stat(path)).mtimeMs);
    }
  }
  return newest;
}
