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
 */
export function structuredText(root: Node): string {
  const blocks: string[] = [];
  let line = '';
  const flush = () => {
    const text = line.replace(/\s+/g, ' ').trim();
    if (text !== '' && text !== '-') blocks.push(text);
    line = '';
  };
  const visit = (node: Node): void => {
    if (node.nodeType === TEXT) {
      line += node.textContent ?? '';
      return;
    }
    const tag = node.nodeType === ELEMENT ? (node as Element).tagName.toLowerCase() : '';
    if (SKIP.has(tag)) return;
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const title = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (title !== '') blocks.push(`${'#'.repeat(Number(heading[1]))} ${title}`);
      return;
    }
    if (tag === 'pre') {
      flush();
      const code = (node.textContent ?? '').trim();
      if (code !== '') blocks.push(code);
      return;
    }
    if (tag === 'tr') {
      flush();
      const cells = Array.from(node.childNodes)
        .map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())
        .filter(Boolean);
      if (cells.length > 0) blocks.push(cells.join(' | '));
      return;
    }
    const block = BLOCK.has(tag) || tag === 'li';
    if (block) flush();
    if (tag === 'li') line = '- ';
    node.childNodes.forEach(visit);
    if (block) flush();
  };
  visit(root);
  flush();
  return blocks.join('\n\n');
}
