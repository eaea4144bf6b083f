import { describe, expect, it, jest } from '@jest/globals';
import type { ReportScope } from '@tenantbot/tenant-context';
import type { DocumentCounts, StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

describe('StatsService', () => {
  it('totals the documents by status, in the scope it is given', async () => {
    const counts = jest.fn(async (_scope: ReportScope): Promise<DocumentCounts> => ({
      byStatus: [
        { status: 'completed', n: 3 },
        { status: 'failed', n: 1 },
      ],
      chunks: 42,
    }));
    const service = new StatsService({ counts } as unknown as StatsRepository);
    const scope = { kind: 'tenant', tenantId: '3f1c2b8e-5d4a-4c3b-9a2e-1f0e9d8c7b6a' } as const;
    await expect(service.stats(scope)).resolves.toEqual({
      documents: { total: 4, by_status: { completed: 3, failed: 1 } },
      chunks: 42,
    });
    expect(counts).toHaveBeenCalledWith(scope);
  });
});
