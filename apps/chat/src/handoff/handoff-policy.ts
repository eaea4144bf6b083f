/**
 * What a message must say for the bot to hand over without being asked through the route:
 * a short request for a person, in the languages of the seeds. Matched on the message folded
 * to lower case without accents and punctuation, as whole words.
 */
export const DEFAULT_HANDOFF_PHRASES = [
  'talk to a human',
  'talk to a person',
  'speak to a human',
  'speak to a person',
  'speak to someone',
  'talk to someone',
  'talk to an agent',
  'speak to an agent',
  'human agent',
  'real person',
  'live agent',
  'customer service representative',
  'hablar con una persona',
  'hablar con un agente',
  'parler a un humain',
  'parler a une personne',
  'mit einem menschen sprechen',
] as const;

/** Whether `message` asks for a person by one of `phrases`. */
export function asksForPerson(
  message: string,
  phrases: readonly string[] = DEFAULT_HANDOFF_PHRASES,
): boolean {
  const folded = ` ${fold(message)} `;
  return phrases.some((phrase) => folded.includes(` ${fold(phrase)} `));
}

function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
