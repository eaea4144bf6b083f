import { describe, expect, it } from '@jest/globals';

import { fragmentText } from './html-text';

describe('structuredText', () => {
  it('keeps a definition on the line after its term, in one paragraph', () => {
    const text = fragmentText(
      '<h2>OPTIONS</h2><dl><dt>--no-verify</dt><dd><p>Bypasses the hooks.</p><p>See githooks.</p></dd>' +
        '<dt>-q</dt><dd>Quiet.</dd></dl>',
    );
    expect(text).toBe(
      '## OPTIONS\n\n--no-verify\nBypasses the hooks.\n\nSee githooks.\n\n-q\nQuiet.',
    );
  });

  it('keeps list items with the sentence that leads into them', () => {
    const text = fragmentText(
      '<p>Two modes exist:</p><ul><li>soft</li><li>hard</li></ul><p>End.</p>',
    );
    expect(text).toBe('Two modes exist:\n- soft\n- hard\n\nEnd.');
  });
});
