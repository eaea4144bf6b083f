// The extraction process: `SandboxedExtractor` forks it for one document (or the pages of one
// crawl), sends the inputs, gets the text back, and kills it if it runs too long or too big.
import { extractAll } from './extract';
import type { ExtractionInput } from './extraction-types';

process.once('message', (message: { inputs: ExtractionInput[] }) => {
  void extractAll(message.inputs).then((results) => {
    process.send?.({ results }, () => process.exit(0));
  });
});
