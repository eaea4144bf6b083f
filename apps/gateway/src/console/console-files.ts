import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only. Images may
 * also come from https (company and widget logos are URLs the admins type); nothing is
 * inline, nothing is framed.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names what it builds in assets/ by content hash: such a URL never changes content. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashes: revalidated on every load. */
const REVALIDATE = 'no-cache';

export interface ConsoleFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

/**
 * The file a path under /console names; a client route (no file extension) gets index.html,
 * so the single-page app opens on any of its URLs. `undefined` for a missing file or a path
 * that leaves the console's directory.
 */
export async function consoleFile(root: string, path: string): Promise<ConsoleFile | undefined> {
  const relative = normalize(decodeURIComponentSafely(path) ?? '\0').replace(/^[/\\]+/, '');
  if (relative.includes('\0') || relative.split(sep).includes('..')) {
    return undefined;
  }
  const extension = extname(relative);
  if (relative === '' || relative === '.' || extension === '') {
    return read(join(root, 'index.html'), '.html', REVALIDATE);
  }
  const cacheControl = relative.startsWith(`assets${sep}`) ? IMMUTABLE : REVALIDATE;
  return read(join(root, relative), extension, cacheControl);
}

async function read(
  file: string,
  extension: string,
  cacheControl: string,
): Promise<ConsoleFile | undefined> {
  try {
    const body = await readFile(file);
    const contentType = CONTENT_TYPES[extension] ?? 'application/octet-stream';
    return { body, contentType, cacheControl };
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafely(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
