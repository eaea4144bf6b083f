import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';

import { structuredText } from './structured-text';

/**
 * Readability's article replaces the page's text only if it keeps this share of it: it may trim
 * clutter, not whole sections (ADR 0035-readability-trims-only). At 0.6 it still dropped a man
 * page's OPTIONS on 22 of gitdocs' 70 pages (3-39 % of their text, one answer with it).
 */
const ARTICLE_SHARE = 0.9;

/**
 * The main content of a web page (Mozilla Readability, as in Firefox's reader view) as
 * structured text. Pages where Readability keeps too little fall back to their whole body
 * (navigation, asides, footers and forms left out).
 * Scripts never run and no resource is loaded.
 */
export function readableHtml(
  html: string,
  url: string | null,
): { title: string | null; text: string } {
  const dom = new JSDOM(html, {
    url: url ?? 'http://localhost/',
    virtualConsole: new VirtualConsole(),
  });
  try {
    const document = dom.window.document;
    const bodyText = document.body ? structuredText(document.body) : '';
    const pageTitle = document.title.trim() || null;
    const article = new Readability(document).parse();
    const articleText = article?.content ? structuredText(JSDOM.fragment(article.content)) : '';
    // Readability is made for articles: on a reference page (a man page, an API reference)
    // it keeps one long section and drops the rest, headings included (ADR
    // 0015-structure-aware-chunking). Its result is used only when it keeps most of the text.
    const text =
      articleText !== '' && articleText.length >= bodyText.length * ARTICLE_SHARE
        ? articleText
        : bodyText;
    return { title: article?.title?.trim() || pageTitle, text };
  } finally {
    dom.window.close();
  }
}

/** An HTML fragment (as mammoth makes of a DOCX) as structured text. */
export function fragmentText(html: string): string {
  return structuredText(JSDOM.fragment(html));
}
