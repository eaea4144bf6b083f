import { tenantIdOf, type Caller } from '@tenantbot/contracts';
import { currentContext } from '@tenantbot/tenant-context';

/**
 * The caller of the message being handled, read once by its handler from the transport's
 * request context and passed down explicitly (to be replaced by the `@Caller()` decorator).
 * `TENANT_REQUIRED` when the message carries no tenant.
 */
export function messageCaller(): Caller {
  const context = currentContext();
  const principal = context?.principal;
  return {
    requestId: context?.requestId ?? '',
    tenantId: tenantIdOf(context?.tenantId),
    // A service's own call (no principal) gets the least role; rag checks the tenant only.
    role: principal?.role ?? 'readonly',
    userId: principal?.userId,
    apiKeyId: principal?.apiKeyId,
  };
}
