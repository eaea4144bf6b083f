/**
 * Whether a retrieved passage is about the question at all. Hybrid retrieval always returns
 * the nearest vectors, even for a question the documents never mention, and its fused scores
 * are ranks, not an absolute measure; a passage counts as relevant when it shares a content
 * word (stop words dropped, plurals and -ing/-ed folded) with the question.
 */
export function contentTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (STOP_WORDS.has(word)) {
      continue;
    }
    if (word.length < 3 && !/^\p{N}+$/u.test(word)) {
      continue;
    }
    terms.add(stem(word));
  }
  return terms;
}

export function sharedTerms(questionTerms: Set<string>, text: string): number {
  let shared = 0;
  for (const term of contentTerms(text)) {
    if (questionTerms.has(term)) {
      shared++;
    }
  }
  return shared;
}

export function isRelevant(questionTerms: Set<string>, passage: string): boolean {
  return sharedTerms(questionTerms, passage) > 0;
}

/** A light suffix folding: returns, returned, returning → return; include, included → includ. */
function stem(word: string): string {
  let stemmed = word;
  if (stemmed.length > 5 && stemmed.endsWith('ies')) {
    stemmed = `${stemmed.slice(0, -3)}y`;
  } else if (stemmed.length > 5 && stemmed.endsWith('ing')) {
    stemmed = stemmed.slice(0, -3);
  } else if (stemmed.length > 4 && stemmed.endsWith('ed')) {
    stemmed = stemmed.slice(0, -2);
  } else if (/(?:ss|x|ch|sh)es$/.test(stemmed)) {
    stemmed = stemmed.slice(0, -2);
  } else if (stemmed.length > 3 && stemmed.endsWith('s') && !stemmed.endsWith('ss')) {
    stemmed = stemmed.slice(0, -1);
  }
  return stemmed.length > 4 && stemmed.endsWith('e') ? stemmed.slice(0, -1) : stemmed;
}

const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being
  below between both but by can could did do does doing down during each few for from further
  had has have having he her here hers herself him himself his how i if in into is it its itself
  just me more most my myself no nor not now of off on once only or other our ours ourselves out
  over own same she should so some such than that the their theirs them themselves then there
  these they this those through to too under until up very was we were what when where which
  while who whom why will with would you your yours yourself yourselves tell please know want
  need get give let may might must shall also any anything something thing things much many
  like one ones`.split(/\s+/),
);
