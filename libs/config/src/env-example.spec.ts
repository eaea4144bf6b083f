import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { describe, expect, it } from '@jest/globals';

const root = process.env.TEST_WORKSPACE_ROOT ?? process.cwd();

/** Where the services read their environment: the zod env schemas, and any direct process.env. */
const ENV_SCHEMA_FILE = /(^|\/)(config|[\w-]+-config|env-schemas|migrate)\.ts$/;
const SCHEMA_KEY = /^\s+([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*):/gm;
const PROCESS_ENV = /process\.env(?:\.([A-Z][A-Z0-9_]*)|\[\s*'([A-Z][A-Z0-9_]*)'\s*\])/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Every variable an app or a library of theirs reads (libs/testing serves the tests only). */
function variablesReadInCode(): Map<string, string> {
  const read = new Map<string, string>();
  const projects = ['apps', 'libs'].flatMap((group) =>
    readdirSync(join(root, group))
      .filter((name) => !(group === 'libs' && name === 'testing'))
      .map((name) => join(root, group, name, 'src')),
  );
  for (const file of projects.flatMap((src) => safeList(src))) {
    const path = relative(root, file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(PROCESS_ENV)) {
      read.set(match[1] ?? match[2], path);
    }
    if (ENV_SCHEMA_FILE.test(path)) {
      for (const match of text.matchAll(SCHEMA_KEY)) {
        read.set(match[1], path);
      }
    }
  }
  return read;
}

function safeList(src: string): string[] {
  try {
    return sourceFiles(src);
  } catch {
    return [];
  }
}

function variablesListed(): string[] {
  const text = readFileSync(join(root, '.env.example'), 'utf8');
  return [...text.matchAll(/^(?:# )?([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
}

describe('.env.example', () => {
  const read = variablesReadInCode();
  const listed = variablesListed();

  it('finds the variables the services read (the scan itself works)', () => {
    expect(read.size).toBeGreaterThan(80);
    expect(read.get('JWT_SECRET')).toBe('libs/config/src/env-schemas.ts');
    expect(read.get('SEARCH_RELEVANCE_THRESHOLD')).toBe('apps/rag/src/config/rag-config.ts');
  });

  it('lists every variable read in code', () => {
    const missing = [...read].filter(([name]) => !listed.includes(name));
    expect(missing).toEqual([]);
  });

  it('lists nothing the code does not read, and each variable once', () => {
    expect(listed.filter((name) => !read.has(name))).toEqual([]);
    expect(listed.filter((name, index) => listed.indexOf(name) !== index)).toEqual([]);
  });

  it('gives each variable a meaning on the line above it', () => {
    const lines = readFileSync(join(root, '.env.example'), 'utf8').split('\n');
    const undocumented = lines
      .map((line, index) => ({ line, above: lines[index - 1] ?? '' }))
      .filter(({ line }) => /^(?:# )?[A-Z][A-Z0-9_]*=/.test(line))
      .filter(({ above }) => !/^# \S/.test(above) || /^# [A-Z][A-Z0-9_]*=/.test(above))
      .map(({ line }) => line);
    expect(undocumented).toEqual([]);
  });
});
