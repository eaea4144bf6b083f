import { Inject, Injectable } from '@nestjs/common';

import type { DocumentType } from '@tenantbot/contracts';
import {
  detectDocumentType,
  ObjectNotFoundError,
  type ObjectStorage,
} from '@tenantbot/object-storage';

import type { RagConfig } from '../config/rag-config';
import { OBJECT_STORAGE, RAG_CONFIG } from '../config/tokens';
import type { DocumentRow } from '../documents/documents.repository';
import { DocumentFailure } from './document-failure';
import type { ExtractionInput } from './extraction/extraction-types';
import { WebPageLoader } from './web/web-page-loader';

export interface LoadedSource {
  type: DocumentType;
  /** One input, or one per page of a crawl. */
  inputs: ExtractionInput[];
  crawled: boolean;
  bytes: number;
}

export interface SourceLimits {
  maxDocumentBytes: number;
  crawlMaxPages: number;
  crawlMaxDepth: number;
}

/** The raw content of a document, whatever its source, with its type decided by content. */
@Injectable()
export class SourceLoader {
  private readonly limits: SourceLimits;

  constructor(
    @Inject(OBJECT_STORAGE) private readonly storage: ObjectStorage,
    private readonly web: WebPageLoader,
    @Inject(RAG_CONFIG) config: RagConfig,
  ) {
    this.limits = {
      maxDocumentBytes: config.MAX_DOCUMENT_BYTES,
      crawlMaxPages: config.WEB_CRAWL_MAX_PAGES,
      crawlMaxDepth: config.WEB_CRAWL_MAX_DEPTH,
    };
  }

  async load(document: DocumentRow): Promise<LoadedSource> {
    switch (document.source) {
      case 'file':
      case 'text':
        return this.stored(document);
      case 'url': {
        const page = await this.web.page(required(document.url, 'url'));
        return {
          type: page.type,
          inputs: [{ type: page.type, data: page.body, sourceUrl: page.url }],
          crawled: false,
          bytes: page.body.length,
        };
      }
      case 'crawl':
        return this.crawl(document);
    }
  }

  private async stored(document: DocumentRow): Promise<LoadedSource> {
    let content: Buffer;
    try {
      content = await this.storage.get(required(document.storage_key, 'storage_key'));
    } catch (error) {
      if (!(error instanceof ObjectNotFoundError)) {
        throw error;
      }
      throw new DocumentFailure('SOURCE_NOT_FOUND', 'the stored file of this document is missing');
    }
    if (content.length > this.limits.maxDocumentBytes) {
      throw new DocumentFailure(
        'DOCUMENT_TOO_LARGE',
        `the document is larger than ${this.limits.maxDocumentBytes} bytes`,
      );
    }
    const name = document.filename ?? '';
    const type = await detectDocumentType(content, name);
    if (!type) {
      throw new DocumentFailure(
        'UNSUPPORTED_DOCUMENT_TYPE',
        document.source === 'text'
          ? 'the text is not UTF-8 text'
          : `the content of "${name}" is not a supported type (pdf, docx, txt, md, html, csv) or does not match its name`,
      );
    }
    return {
      type,
      inputs: [{ type, data: content, sourceUrl: null }],
      crawled: false,
      bytes: content.length,
    };
  }

  private async crawl(document: DocumentRow): Promise<LoadedSource> {
    const requested = document.crawl ?? { max_pages: 1, max_depth: 0 };
    const pages = await this.web.crawl(required(document.url, 'url'), {
      maxPages: Math.min(requested.max_pages, this.limits.crawlMaxPages),
      maxDepth: Math.min(requested.max_depth, this.limits.crawlMaxDepth),
      maxTotalBytes: this.limits.maxDocumentBytes,
    });
    return {
      type: pages[0].type,
      inputs: pages.map((page) => ({ type: page.type, data: page.body, sourceUrl: page.url })),
      crawled: true,
      bytes: pages.reduce((sum, page) => sum + page.body.length, 0),
    };
  }
}

function required(value: string | null, field: string): string {
  if (value === null) {
    throw new DocumentFailure('SOURCE_NOT_FOUND', `the document has no ${field}`);
  }
  return value;
}
