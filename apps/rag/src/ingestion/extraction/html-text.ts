import { Readability } from '@mozilla/readability';
import { JSDOM, VirtualConsole } from 'jsdom';
import { structuredText } from './structured-text';

/**
 * The main content of a web page (Mozilla Readability, as in Firefox's reader view) as
 * structured text. Pages Readability cannot make sense of fall back to their whole body.
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
    const text =
      articleText.length >= Math.min(bodyText.length / 2, 500) && articleText !== ''
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
