import { extname } from 'node:path';

import { fileTypeFromBuffer } from 'file-type';

import type { DocumentType } from '@tenantbot/contracts';

/** How many leading bytes `sniffDocumentType` needs to decide (file-type reads up to 4100). */
export const SNIFF_BYTES = 4100;

const EXTENSIONS: Record<string, DocumentType> = {
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.txt': 'txt',
  '.text': 'txt',
  '.md': 'md',
  '.markdown': 'md',
  '.html': 'html',
  '.htm': 'html',
  '.csv': 'csv',
};

/**
 * The document type of an upload, decided by its first bytes (magic numbers for PDF and
 * DOCX, a UTF-8 check for the text formats); the file name only tells the text formats
 * apart. Null when the content is of no supported type or contradicts the name (a `.pdf`
 * that is text, a `.txt` that is a PDF). For the gateway, before it stores a file.
 */
export function sniffDocumentType(
  firstBytes: Buffer,
  filename: string,
): Promise<DocumentType | null> {
  return decide(firstBytes.subarray(0, SNIFF_BYTES), filename, false);
}

/** The same decision on the whole file: a ZIP must then really be a DOCX. */
export function detectDocumentType(
  content: Buffer,
  filename: string,
): Promise<DocumentType | null> {
  return decide(content, filename, true);
}

async function decide(
  bytes: Buffer,
  filename: string,
  complete: boolean,
): Promise<DocumentType | null> {
  const claimed = EXTENSIONS[extname(filename).toLowerCase()];
  const binary = await binaryTypeOf(bytes, claimed, complete);
  if (binary !== undefined) {
    if (binary === null || (claimed !== undefined && claimed !== binary)) {
      return null;
    }
    return binary;
  }
  const text = decodeText(bytes.subarray(0, 64 * 1024));
  if (text === null) {
    return null;
  }
  switch (claimed) {
    case 'pdf':
    case 'docx':
      return null;
    case 'html':
      return /<[a-z!]/i.test(text) ? 'html' : null;
    case 'txt':
    case 'md':
    case 'csv':
      return claimed;
    case undefined:
      return textTypeOf(text);
  }
}

/** 'pdf' or 'docx'; null for any other binary format; undefined when the bytes may be text. */
async function binaryTypeOf(
  bytes: Buffer,
  claimed: DocumentType | undefined,
  complete: boolean,
): Promise<DocumentType | null | undefined> {
  const detected = await fileTypeFromBuffer(bytes);
  if (!detected) {
    return undefined;
  }
  if (detected.ext === 'pdf') {
    return 'pdf';
  }
  if (detected.ext === 'docx') {
    return 'docx';
  }
  // The first 4 KB of a DOCX may show only a ZIP; the worker checks the whole file again.
  if (detected.ext === 'zip') {
    return !complete && claimed === 'docx' ? 'docx' : null;
  }
  return decodeText(bytes.subarray(0, 64 * 1024)) === null ? null : undefined;
}

/** The bytes as UTF-8 text, or null when they are not text (invalid UTF-8, NULs, control bytes). */
export function decodeText(bytes: Buffer): string | null {
  if (bytes.includes(0)) {
    return null;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(withoutCutCharacter(bytes));
  } catch {
    return null;
  }
  return controlCharacters(text) <= text.length / 100 ? text.replace(/^\uFEFF/, '') : null;
}

/** Control characters other than tab, line feed, form feed and carriage return. */
function controlCharacters(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d) ||
      code === 0x7f
    ) {
      count++;
    }
  }
  return count;
}

/** A sniffed prefix may end inside a multi-byte character: drop that partial character. */
function withoutCutCharacter(bytes: Buffer): Buffer {
  let start = bytes.length - 1;
  while (start >= 0 && start >= bytes.length - 4 && (bytes[start] & 0xc0) === 0x80) {
    start--;
  }
  if (start < 0) {
    return bytes;
  }
  const lead = bytes[start];
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return start + length > bytes.length ? bytes.subarray(0, start) : bytes;
}

function textTypeOf(text: string): DocumentType {
  if (/^\s*(?:<!doctype html|<html[\s>]|<head[\s>]|<body[\s>])/i.test(text)) {
    return 'html';
  }
  if (/^#{1,6}\s+\S/m.test(text) || /^```/m.test(text) || /\[[^\]]+\]\([^)\s]+\)/.test(text)) {
    return 'md';
  }
  return looksLikeCsv(text) ? 'csv' : 'txt';
}

/** At least two lines with the same, non-zero number of commas, semicolons or tabs. */
function looksLikeCsv(text: string): boolean {
  const all = text
    .split(/\r?\n/)
    .slice(0, 20)
    .filter((line) => line.trim() !== '');
  // The last line of a sniffed prefix may be cut short.
  const lines = all.length > 2 ? all.slice(0, -1) : all;
  if (lines.length < 2) {
    return false;
  }
  return [',', ';', '\t'].some((delimiter) => {
    const counts = lines.map((line) => line.split(delimiter).length - 1);
    return counts[0] > 0 && counts.every((count) => count === counts[0]);
  });
}
