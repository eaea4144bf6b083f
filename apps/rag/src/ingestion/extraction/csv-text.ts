import { parse } from 'csv-parse/sync';

import { DocumentFailure } from '../document-failure';

/**
 * One line per row, each value labelled with its column (`name: Ann; city: Oslo`), so a
 * chunk of rows still says what its numbers mean. The first row is taken as the header.
 */
export function csvText(text: string): string {
  let rows: string[][];
  try {
    rows = parse(text, {
      delimiter: [',', ';', '\t'],
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      trim: true,
    });
  } catch (error) {
    throw new DocumentFailure(
      'EXTRACTION_FAILED',
      `the CSV could not be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const [header = [], ...records] = rows;
  if (records.length === 0) {
    return header.join(', ');
  }
  return records
    .map((record) =>
      record
        .map((value, i) => (header[i] ? `${header[i]}: ${value}` : value))
        .filter((cell) => cell.trim() !== '')
        .join('; '),
    )
    .join('\n');
}
