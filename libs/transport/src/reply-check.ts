import { contractOf, DomainError, ErrorCode } from '@tenantbot/contracts';

/**
 * The reply as the caller will receive it, checked against its pattern's reply schema in the
 * message map: an INTERNAL_ERROR naming each mismatch, or undefined when it matches (or the
 * map does not know the pattern). Servers run it in test runs only (`checkReplies`): it holds
 * the reply schemas to what the services really send, at no cost in production.
 */
export function replyMismatch(pattern: string, reply: unknown): DomainError | undefined {
  const contract = contractOf(pattern);
  if (!contract) {
    return undefined;
  }
  const onTheWire: unknown = reply === undefined ? undefined : JSON.parse(JSON.stringify(reply));
  const result = contract.reply.safeParse(onTheWire);
  if (result.success) {
    return undefined;
  }
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(reply)'}: ${issue.message}`,
  );
  return new DomainError(
    ErrorCode.INTERNAL_ERROR,
    `the reply of ${pattern} does not match its schema in the message map`,
    { problems },
  );
}
