import { describe, expect, it } from '@jest/globals';

import { namedTerms } from './named-terms';

describe('namedTerms', () => {
  it('finds proper nouns and acronyms, lower-cased as the index holds words', () => {
    expect(namedTerms('How do I set up Git LFS for our design files?')).toEqual(['git', 'lfs']);
    expect(namedTerms('Does GitHub limit the size of a push?')).toEqual(['github']);
    expect(namedTerms('How do I import our old Subversion repository?')).toEqual(['subversion']);
    expect(namedTerms('Can I sign commits with SSH instead of GPG?')).toEqual(['ssh', 'gpg']);
    expect(namedTerms('Is there a build for macOS and iOS?')).toEqual(['macos', 'ios']);
    expect(namedTerms('Do you ship to Madeira? And to the Azores?')).toEqual(['madeira', 'azores']);
  });

  it('leaves out a sentence’s first word, "I", single letters and plain words', () => {
    expect(namedTerms('How many days do I have to return a parcel?')).toEqual([]);
    expect(namedTerms('What changed? Why does the build fail now?')).toEqual([]);
    expect(namedTerms('In git clean, what is the difference between -x and -X?')).toEqual([]);
    expect(namedTerms('"Where" is my order?')).toEqual([]);
  });

  it('leaves out identifiers and options, which the ranking matches whole and split', () => {
    expect(namedTerms('What does setting credential.useHttpPath to true change?')).toEqual([]);
    expect(namedTerms('What does git commit --Fixup do, and -N?')).toEqual([]);
    expect(namedTerms('Where is src/Main.ts or my_Var?')).toEqual([]);
  });

  it('leaves out greetings, introductions and words capitalised by habit', () => {
    expect(namedTerms('Hi, I’m Ana. How many days do I have to return a parcel?')).toEqual([]);
    expect(namedTerms('Hello Maria, my name is Jo Smith and I need a refund')).toEqual([]);
    expect(namedTerms('Is it OK to pay at 5 PM? Thanks, Pedro')).toEqual([]);
    expect(namedTerms('Hi there, does Acme ship to Madeira?')).toEqual(['acme', 'madeira']);
  });

  it('finds no names in a question written in capitals or in Title Case', () => {
    expect(namedTerms('HOW DO I RESET MY PASSWORD ON GITHUB?')).toEqual([]);
    expect(namedTerms('How To Set Up Webhooks In Acme')).toEqual([]);
  });

  it('reads each name once', () => {
    expect(namedTerms('Is HEAD the same as the file called HEAD?')).toEqual(['head']);
    expect(namedTerms('')).toEqual([]);
  });
});
