const SKIP = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'iframe',
  'object',
  'head',
  'nav',
  'aside',
  'footer',
  'form',
  'button',
  'select',
  'textarea',
]);

const BLOCK = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'blockquote',
  'table',
  'thead',
  'tbody',
  'tfoot',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'figure',
  'figcaption',
  'address',
  'details',
  'summary',
  'hr',
  'br',
  'body',
  'html',
]);

const ELEMENT = 1;
const TEXT = 3;

/**
 * The text of an HTML tree as paragraphs, with headings as Markdown `#` lines (so the chunker
 * can follow the document's structure), list items as `- ` lines and table rows as `a | b`.
 * Paragraphs are separated by a blank line; a definition follows its term on the next line.
 */
export function structuredText(root: Node): string {
  let output = '';
  let line = '';
  let previous = '';
  /** A term (`dt`) was just written: its definition goes on the next line, in its paragraph. */
  let afterTerm = false;
  const push = (text: string) => {
    output += output === '' ? text : `${glued(previous, text, afterTerm) ? '\n' : '\n\n'}${text}`;
    previous = text;
    afterTerm = false;
  };
  const flush = () => {
    const text = line.replace(/\s+/g, ' ').trim();
    if (text !== '' && text !== '-') {
      push(text);
    }
    line = '';
  };
  const visit = (node: Node): void => {
    if (node.nodeType === TEXT) {
      line += node.textContent ?? '';
      return;
    }
    const tag = node.nodeType === ELEMENT ? (node as Element).tagName.toLowerCase() : '';
    if (SKIP.has(tag)) {
      return;
    }
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const title = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (title !== '') {
        push(`${'#'.repeat(Number(heading[1]))} ${title}`);
      }
      return;
    }
    if (tag === 'pre') {
      flush();
      const code = (node.textContent ?? '').trim();
      if (code !== '') {
        push(code);
      }
      return;
    }
    if (tag === 'tr') {
      flush();
      const cells = Array.from(node.childNodes)
        .map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())
        .filter(Boolean);
      if (cells.length > 0) {
        push(cells.join(' | '));
      }
      return;
    }
    const block = BLOCK.has(tag) || tag === 'li';
    if (block) {
      flush();
    }
    if (tag === 'li') {
      line = '- ';
    }
    node.childNodes.forEach(visit);
    if (block) {
      flush();
    }
    if (tag === 'dt' && previous !== '') {
      afterTerm = true;
    }
  };
  visit(root);
  flush();
  return output;
}

/**
 * Whether a block continues the previous one's paragraph, so the chunker keeps them together
 * (ADR 15): a definition with its term, a list item with the
 * lead-in sentence ending in a colon, and list items with each other.
 */
function glued(previous: string, next: string, afterTerm: boolean): boolean {
  if (afterTerm) {
    return !next.startsWith('#');
  }
  return next.startsWith('- ') && (previous.endsWith(':') || previous.startsWith('- '));
}
