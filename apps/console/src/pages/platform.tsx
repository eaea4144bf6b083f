import { useMemo } from 'react';

import { api, unwrap, usageJson } from '../api/client';
import type { Page, StatsReport, TenantView, UsageReport } from '../api/types';
import { formatNumber, formatShare, formatUsd } from '../lib/format';
import { dailySeries, dayAfter, lastDays } from '../lib/usage';
import { LazyBarChart as BarChart } from '../ui/lazy-bar-chart';
import { AsyncView, Card, PageHeader, Stat } from '../ui/components';
import { useAsync } from '../ui/use-async';

export function PlatformPage() {
  const range = useMemo(() => lastDays(30), []);
  const state = useAsync(async () => {
    const [stats, usage, tenants] = await Promise.all([
      unwrap<StatsReport>(api.GET('/api/v1/admin/stats')),
      unwrap<UsageReport>(
        usageJson(
          api.GET('/api/v1/admin/usage', {
            params: { query: { group_by: 'day', from: range.from, to: dayAfter(range.to) } },
          }),
        ),
      ),
      unwrap<Page<TenantView>>(
        api.GET('/api/v1/tenants', { params: { query: { limit: 200 } as never } }),
      ),
    ]);
    return { stats, usage, tenants: new Map(tenants.items.map((t) => [t.id, t.name])) };
  }, [range]);

  return (
    <>
      <PageHeader title="Platform analytics" />
      <AsyncView state={state} what="the platform's figures">
        {({ stats, usage, tenants }) => {
          const days = dailySeries(usage.rows, range.from, range.to);
          return (
            <>
              <Card title="Now">
                <div className="stats">
                  <Stat
                    label="Companies"
                    value={formatNumber(stats.tenants?.total ?? 0)}
                    hint={`${stats.tenants?.active ?? 0} active`}
                  />
                  <Stat label="Users" value={formatNumber(stats.users.total)} />
                  <Stat
                    label="Documents"
                    value={formatNumber(stats.documents.total)}
                    hint={`${stats.documents.by_status.failed ?? 0} failed`}
                  />
                  <Stat label="Chunks" value={formatNumber(stats.chunks)} />
                  <Stat label="Conversations" value={formatNumber(stats.conversations)} />
                  <Stat
                    label="Tokens this month"
                    value={formatNumber(
                      stats.this_month.input_tokens + stats.this_month.output_tokens,
                    )}
                  />
                  <Stat label="Cost this month" value={formatUsd(stats.this_month.cost_usd)} />
                  <Stat label="Error rate (24 h)" value={formatShare(stats.last_24h.error_rate)} />
                </div>
              </Card>
              <Card title="Cost per day">
                <BarChart
                  labels={days.map((day) => day.key.slice(5))}
                  series={[
                    {
                      label: 'Cost (USD)',
                      values: days.map((day) => day.cost_usd),
                      color: '#2457c5',
                    },
                  ]}
                  summary={`Platform cost per day over the last 30 days: ${formatUsd(usage.totals.cost_usd)} in all`}
                />
              </Card>
              <Card title="Top companies this month">
                {(stats.top_tenants ?? []).length === 0 ? (
                  <p className="empty">No usage this month.</p>
                ) : (
                  <div className="table-scroll">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Company</th>
                          <th scope="col" className="num">
                            Requests
                          </th>
                          <th scope="col" className="num">
                            Tokens
                          </th>
                          <th scope="col" className="num">
                            Cost
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {(stats.top_tenants ?? []).map((top) => (
                          <tr key={top.tenant_id}>
                            <td>{tenants.get(top.tenant_id) ?? top.tenant_id}</td>
                            <td className="num">{formatNumber(top.requests)}</td>
                            <td className="num">{formatNumber(top.tokens)}</td>
                            <td className="num">{formatUsd(top.cost_usd)}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </Card>
            </>
          );
        }}
      </AsyncView>
    </>
  );
}
