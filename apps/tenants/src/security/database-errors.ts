import { DomainError, ErrorCode } from '@tenantbot/contracts';

/** Turns a unique-constraint violation into a 409 naming what is taken. */
export function conflictOnDuplicate<T>(
  work: Promise<T>,
  messages: Record<string, string>,
): Promise<T> {
  return work.catch((error: { code?: string; constraint?: string }) => {
    if (error.code === '23505') {
      const message = (error.constraint && messages[error.constraint]) ?? 'already exists';
      throw new DomainError(ErrorCode.CONFLICT, message, { constraint: error.constraint });
    }
    throw error;
  });
}
