/** A stretch of extracted text: a PDF page, a web page of a crawl, or a whole document. */
export interface TextSection {
  text: string;
  page: number | null;
  sourceUrl: string | null;
}

export interface Chunk {
  /** Position in the document, from 0. */
  index: number;
  text: string;
  page: number | null;
  /** The Markdown headings the chunk sits under, outermost first. */
  headingPath: string[];
  sourceUrl: string | null;
}

export interface ChunkingOptions {
  /** Largest chunk, in characters. */
  size: number;
  /** Characters of the previous chunk repeated at the start of the next one of a section. */
  overlap: number;
}

interface HeadingBlock {
  headingPath: string[];
  text: string;
}

/** Coarsest first: paragraphs, lines, sentences, words. */
const SEPARATORS: { pattern: RegExp; joiner: string }[] = [
  { pattern: /\n\s*\n/, joiner: '\n\n' },
  { pattern: /\n/, joiner: '\n' },
  { pattern: /(?<=[.!?;:])\s+/u, joiner: ' ' },
  { pattern: /\s+/, joiner: ' ' },
];

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;

/**
 * Splits text on its structure: Markdown headings first (each chunk knows its heading path),
 * then paragraphs, lines, sentences and words, packing neighbours up to the chunk size.
 * Chunks never cross a section (so page numbers stay exact) nor a heading.
 */
export class Chunker {
  private readonly body: number;

  constructor(private readonly options: ChunkingOptions) {
    // Room for the overlap (and its joining space) prepended to every chunk but a block's first.
    this.body = Math.max(1, options.size - (options.overlap > 0 ? options.overlap + 1 : 0));
  }

  split(sections: TextSection[]): Chunk[] {
    const chunks: Chunk[] = [];
    for (const section of sections) {
      for (const block of headingBlocks(section.text)) {
        for (const text of this.withOverlap(this.pack(block.text, 0))) {
          chunks.push({
            index: chunks.length,
            text,
            page: section.page,
            headingPath: block.headingPath,
            sourceUrl: section.sourceUrl,
          });
        }
      }
    }
    return chunks;
  }

  /** Pieces of at most `body` characters, split at the coarsest separator that fits. */
  private pack(text: string, level: number): string[] {
    const trimmed = text.trim();
    if (trimmed === '') {
      return [];
    }
    if (trimmed.length <= this.body) {
      return [trimmed];
    }
    const separator = SEPARATORS.at(level);
    if (!separator) {
      return cut(trimmed, this.body);
    }
    const pieces: string[] = [];
    let run: string[] = [];
    for (const part of trimmed.split(separator.pattern)) {
      const piece = part.trim();
      if (piece === '') {
        continue;
      }
      if (piece.length <= this.body) {
        run.push(piece);
        continue;
      }
      pieces.push(...merge(run, separator.joiner, this.body), ...this.pack(piece, level + 1));
      run = [];
    }
    return [...pieces, ...merge(run, separator.joiner, this.body)];
  }

  private withOverlap(pieces: string[]): string[] {
    if (this.options.overlap === 0) {
      return pieces;
    }
    return pieces.map((piece, i) =>
      i === 0 ? piece : `${tail(pieces[i - 1], this.options.overlap)} ${piece}`.trim(),
    );
  }
}

/** The text cut into blocks that each start at a heading, fenced code left alone. */
export function headingBlocks(text: string): HeadingBlock[] {
  const blocks: HeadingBlock[] = [];
  const stack: { level: number; title: string }[] = [];
  let lines: string[] = [];
  let inFence = false;
  const flush = () => {
    if (lines.some((line) => line.trim() !== '')) {
      blocks.push({ headingPath: stack.map((heading) => heading.title), text: lines.join('\n') });
    }
    lines = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (FENCE.test(line)) {
      inFence = !inFence;
    }
    const heading = inFence ? null : HEADING.exec(line);
    if (heading) {
      flush();
      const level = heading[1].length;
      while (stack.length > 0 && (stack.at(-1)?.level ?? 0) >= level) {
        stack.pop();
      }
      stack.push({ level, title: heading[2] });
    }
    lines.push(line);
  }
  flush();
  return blocks;
}

/** Joins neighbouring pieces while they fit. */
function merge(pieces: string[], joiner: string, limit: number): string[] {
  const merged: string[] = [];
  let current = '';
  for (const piece of pieces) {
    if (current === '') {
      current = piece;
    } else if (current.length + joiner.length + piece.length <= limit) {
      current += joiner + piece;
    } else {
      merged.push(current);
      current = piece;
    }
  }
  if (current !== '') {
    merged.push(current);
  }
  return merged;
}

/** Hard cuts for text without any separator (a long token, base64). */
function cut(text: string, limit: number): string[] {
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += limit) {
    pieces.push(text.slice(start, start + limit));
  }
  return pieces;
}

/** The end of a text, at most `length` characters, starting at a word. */
function tail(text: string, length: number): string {
  if (text.length <= length) {
    return text;
  }
  const end = text.slice(-length);
  const space = end.search(/\s/);
  return space < 0 ? end : end.slice(space + 1);
}
