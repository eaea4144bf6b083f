import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { Inject, Injectable } from '@nestjs/common';

import type { DocumentType } from '@tenantbot/contracts';

import type { RagConfig } from '../../config/rag-config';
import { EXTRACTION_SCRIPT, RAG_CONFIG } from '../../config/tokens';
import { DocumentFailure } from '../document-failure';
import { extractAll } from './extract';
import type { ExtractionInput, ExtractionResult } from './extraction-types';

export interface SandboxOptions {
  /** The built `extraction-process.js`. */
  script: string;
  timeoutMs: number;
  /** Cap on the process's heap and on its resident memory (decompressed buffers included). */
  memoryMb: number;
}

const WATCH_INTERVAL_MS = 50;
const PARSER_FREE_TYPES = new Set<DocumentType>(['txt', 'md']);

/**
 * Parses untrusted documents in a child process with a time limit, a heap limit and a watch
 * on its resident memory: a PDF bomb, a zip bomb in a DOCX or pathological HTML kills that
 * process and fails that one document, never the service. (A worker thread's resource limits
 * would not cover the ArrayBuffers a decompressor allocates.)
 */
@Injectable()
export class SandboxedExtractor {
  private readonly options: SandboxOptions;

  constructor(@Inject(EXTRACTION_SCRIPT) script: string, @Inject(RAG_CONFIG) config: RagConfig) {
    this.options = {
      script,
      timeoutMs: config.EXTRACTION_TIMEOUT_MS,
      memoryMb: config.EXTRACTION_MEMORY_MB,
    };
  }

  extract(inputs: ExtractionInput[]): Promise<ExtractionResult[]> {
    // Plain text and Markdown run no parser, only a UTF-8 decode of at most
    // MAX_DOCUMENT_BYTES: starting a process for them would cost more than the work.
    if (inputs.every((input) => PARSER_FREE_TYPES.has(input.type))) {
      return extractAll(inputs);
    }
    return this.extractInSandbox(inputs);
  }

  private extractInSandbox(inputs: ExtractionInput[]): Promise<ExtractionResult[]> {
    const { script, timeoutMs, memoryMb } = this.options;
    return new Promise((resolve, reject) => {
      const child = fork(script, [], {
        execArgv: [`--max-old-space-size=${memoryMb}`],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-4000);
      });
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        clearInterval(watch);
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
        outcome();
      };
      const overLimit = (message: string) =>
        settle(() => reject(new DocumentFailure('EXTRACTION_LIMIT_EXCEEDED', message)));

      const timer = setTimeout(
        () => overLimit(`reading the document took longer than ${timeoutMs / 1000} s`),
        timeoutMs,
      );
      const watch = setInterval(() => {
        if (child.pid !== undefined && residentMb(child.pid) > memoryMb) {
          overLimit(`reading the document needed more than ${memoryMb} MB of memory`);
        }
      }, WATCH_INTERVAL_MS);
      child.once('message', (reply: { results: ExtractionResult[] }) =>
        settle(() => resolve(reply.results)),
      );
      child.once('error', (error) => settle(() => reject(error)));
      // 'close', not 'exit': a reply can still be in the IPC channel when the process exits.
      child.once('close', (code, signal) => {
        if (/heap limit|out of memory/i.test(stderr)) {
          overLimit(`reading the document needed more than ${memoryMb} MB of memory`);
        } else {
          const reason = signal ?? `exit code ${code}`;
          const detail = stderr.trim().split('\n').at(-1)?.slice(0, 300) ?? '';
          settle(() =>
            reject(
              new DocumentFailure(
                'EXTRACTION_FAILED',
                `the document crashed its parser (${reason})${detail ? `: ${detail}` : ''}`,
              ),
            ),
          );
        }
      });
      child.send({ inputs });
    });
  }
}

/** Resident memory of a process, from /proc (Linux); 0 elsewhere, leaving the heap cap. */
function residentMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
