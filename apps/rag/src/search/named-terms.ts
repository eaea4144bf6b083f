/**
 * The names a question asks about: proper nouns and acronyms ("GitHub", "LFS", "Perforce"),
 * lower-cased as the search indexes words. A question that names something specific is about
 * that thing; when the knowledge base's best match for the whole question does not mention a
 * name the knowledge base rarely or never uses, the search has found the question's ordinary
 * words, not what it asks about, and reports no relevant context (ADR
 * 0036-abstention-on-named-terms).
 *
 * A word is a name when it has a capital after its first letter (`GitHub`, `SSH`, `macOS`) or
 * starts with a capital away from the start of a sentence (`Subversion` in "import from
 * Subversion"). Not names: words joined by `-_./:` (identifiers such as `credential.useHttpPath`
 * or `--no-verify`, which the ranking already matches whole and split), single letters (`-X`,
 * "I"), a few capitalised words that name nothing (`OK`, `PM`), a person greeted or introducing
 * themselves ("Hi Maria", "I'm Ana": a chat message's name is rarely its subject), and any word
 * of a question written mostly in capitals or in Title Case, where capitals say nothing.
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
    (word) =>
      (/^.+\p{Lu}/u.test(word.text) || (!word.opensSentence && /^\p{Lu}/u.test(word.text))) &&
      !NOT_NAMES.has(word.text.toLowerCase()) &&
      !GREETING.test(word.before),
  );
  return [...new Set(names.map((word) => word.text.toLowerCase()))];
}

/** Capitalised by habit, not names. */
const NOT_NAMES = new Set(['ok', 'okay', 'am', 'pm', 'asap', 'fyi', 'hi', 'hello', 'hey']);

/**
 * What precedes a person's name in a greeting or an introduction ("Hi Maria", "I'm Ana Lopes"):
 * the greeting, then any capitalised words of the name before this one.
 */
const GREETING =
  /\b([Hh]i|[Hh]ello|[Hh]ey|[Dd]ear|[Tt]hanks|[Tt]hank you|[Rr]egards|[Cc]heers|I['’]?m|I am|[Mm]y name is|[Tt]his is)[\s,!.]*(\p{Lu}\p{L}*\s+)*$/u;

interface Word {
  text: string;
  /** The question's text before the word. */
  before: string;
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
      before,
      // `-N`, `--Force`: an option, not a name.
      identifier: /[-_./:]/.test(match[0]) || /[-_]$/.test(before),
      opensSentence: /(^|[.!?\n])[\s"'([]*$/u.test(before),
    };
  });
}
