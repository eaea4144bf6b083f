// The extraction process: `SandboxedExtractor` forks it for one document (or the pages of one
// crawl), sends the inputs, gets the text back, and kills it if it runs too long or too big.
import type { DocumentFailureCode } from '@tenantbot/contracts';
import { DocumentFailure } from '../document-failure';
import { extract } from './extract';
import type { ExtractionInput, ExtractionResult } from './extraction-types';

async function extractAll(inputs: ExtractionInput[]): Promise<ExtractionResult[]> {
  const results: ExtractionResult[] = [];
  for (const input of inputs) {
    try {
      results.push({ ok: true, extraction: await extract(input) });
    } catch (error) {
      results.push({ ok: false, code: failureCode(error), message: describe(error) });
    }
  }
  return results;
}

function failureCode(error: unknown): DocumentFailureCode {
  return error instanceof DocumentFailure ? error.code : 'EXTRACTION_FAILED';
}

function describe(error: unknown): string {
  if (error instanceof DocumentFailure) return error.message;
  return `the document could not be read: ${error instanceof Error ? error.message : String(error)}`;
}

process.once('message', (message: { inputs: ExtractionInput[] }) => {
  void extractAll(message.inputs).then((results) => {
    process.send?.({ results }, () => process.exit(0));
  });
});
