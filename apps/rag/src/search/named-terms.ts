/**
 * The names a question asks about: proper nouns and acronyms ("GitHub", "LFS", "Perforce"),
 * lower-cased as the search indexes words. A question that names something specific is about
 * that thing; when the knowledge base's best match for the whole question does not mention a
 * name the knowledge base rarely or never uses, the search has found the question's ordinary
 * words, not what it asks about, and reports no relevant context (ADR
 * XXXX-abstention-on-named-terms).
 *
 * A word is a name when it has a capital after its first letter (`GitHub`, `SSH`, `macOS`) or
 * starts with a capital away from the start of a sentence (`Subversion` in "import from
 * Subversion"). Not names: words joined by `-_./:` (identifiers such as `credential.useHttpPath`
 * or `--no-verify`, which the ranking already matches whole and split), single letters (`-X`,
 * "I"), and any word of a question written mostly in capitals or in Title Case, where
 * capitals say nothing.
 */
export function namedTerms(question: string): string[] {
  if (!/\p{Ll}/u.test(question)) {
    return [];
  }
  const words = wordsOf(question).filter(
    (word) => !word.identifier && [...word.text].length >= 2 && /\p{L}/u.test(word.text),
  );
  const inSentence = words.filter((word) => !word.opensSentence);
  const titleCase = inSentence.filter((word) => /^\p{Lu}\P{Lu}*$/u.test(word.text));
  if (titleCase.length * 2 > inSentence.length) {
    return [];
  }
  const names = words.filter(
    (word) => /^.+\p{Lu}/u.test(word.text) || (!word.opensSentence && /^\p{Lu}/u.test(word.text)),
  );
  return [...new Set(names.map((word) => word.text.toLowerCase()))];
}

interface Word {
  text: string;
  /** Joined to another word by `-`, `_`, `.`, `/` or `:` (an identifier, a path, a flag). */
  identifier: boolean;
  /** First of the question or of a sentence (after `.`, `!`, `?` or a line break). */
  opensSentence: boolean;
}

const TOKEN = /[\p{L}\p{N}]+(?:[-_./:][\p{L}\p{N}]+)*/gu;

function wordsOf(question: string): Word[] {
  return [...question.matchAll(TOKEN)].map((match) => {
    const before = question.slice(0, match.index);
    return {
      text: match[0],
      // `-N`, `--Force`: an option, not a name.
      identifier: /[-_./:]/.test(match[0]) || /[-_]$/.test(before),
      opensSentence: /(^|[.!?\n])[\s"'([]*$/u.test(before),
    };
  });
}
