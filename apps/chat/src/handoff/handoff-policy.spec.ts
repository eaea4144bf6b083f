import { describe, expect, it } from '@jest/globals';

import { asksForPerson } from './handoff-policy';

describe('asksForPerson', () => {
  it('recognises a request for a person, whatever the case, accents and punctuation', () => {
    expect(asksForPerson('Can I TALK to a human, please?')).toBe(true);
    expect(asksForPerson('I want a real person!')).toBe(true);
    expect(asksForPerson('Je veux parler à un humain')).toBe(true);
  });

  it('leaves ordinary questions to the bot, and matches whole words only', () => {
    expect(asksForPerson('How do refunds work?')).toBe(false);
    expect(asksForPerson('What does a humanoid robot cost?')).toBe(false);
    expect(asksForPerson('talk to a humane society')).toBe(false);
  });

  it('uses the phrases it is given', () => {
    expect(asksForPerson('operator please', ['operator'])).toBe(true);
    expect(asksForPerson('talk to a human', ['operator'])).toBe(false);
  });
});
