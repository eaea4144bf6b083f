import type { Identity } from '../app';
import { Card, PageHeader } from '../ui/components';

/**
 * The agent inbox (#16b) is built in parallel: its routes (`/api/v1/inbox`, `WS
 * /api/v1/inbox/ws`) are not on this branch's API yet. Until they are, agents see this page.
 */
export function AgentPage({ identity }: { identity: Identity }) {
  return (
    <>
      <PageHeader title="Agent inbox" />
      <Card>
        <p>
          Welcome, {identity.name}. The inbox of waiting conversations arrives with the human
          handoff feature; until then there is nothing to claim here.
        </p>
      </Card>
    </>
  );
}
