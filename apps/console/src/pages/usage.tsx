import { useMemo, useState } from 'react';

import { api, unwrap, usageJson } from '../api/client';
import type { Page, StatsReport, TenantView, UsageReport, UsageRow, UserView } from '../api/types';
import { formatNumber, formatShare, formatUsd } from '../lib/format';
import {
  budgetUse,
  dailySeries,
  dayAfter,
  feedbackRatio,
  lastDays,
  totalTokens,
} from '../lib/usage';
import { LazyBarChart as BarChart } from '../ui/lazy-bar-chart';
import { AsyncView, Card, PageHeader, Select, Stat } from '../ui/components';
import { useAsync } from '../ui/use-async';

type Group = 'day' | 'model' | 'user';

function usage(group: Group, from: string, to: string) {
  return unwrap<UsageReport>(
    usageJson(
      api.GET('/api/v1/admin/usage', {
        params: { query: { group_by: group, from, to: dayAfter(to) } },
      }),
    ),
  );
}

export function UsagePage() {
  const [days, setDays] = useState(30);
  const range = useMemo(() => lastDays(days), [days]);
  const reports = useAsync(async () => {
    const [[byDay, byModel, byUser], users] = await Promise.all([
      Promise.all(
        (['day', 'model', 'user'] as const).map((group) => usage(group, range.from, range.to)),
      ),
      unwrap<Page<UserView>>(
        api.GET('/api/v1/admin/users', { params: { query: { limit: 200 } as never } }),
      ),
    ]);
    const names = new Map(users.items.map((user) => [user.id, user.username]));
    const namedByUser = byUser.rows.map((row) => ({ ...row, key: names.get(row.key) ?? row.key }));
    return { byDay, byModel, byUser: { ...byUser, rows: namedByUser } };
  }, [range]);
  const overview = useAsync(async () => {
    const [stats, tenant] = await Promise.all([
      unwrap<StatsReport>(api.GET('/api/v1/admin/stats')),
      unwrap<TenantView>(api.GET('/api/v1/tenants/me')),
    ]);
    return { stats, tenant };
  }, []);

  return (
    <>
      <PageHeader title="Usage">
        <Select
          label="Period"
          value={String(days)}
          onChange={(event) => setDays(Number(event.target.value))}
        >
          <option value="7">Last 7 days</option>
          <option value="30">Last 30 days</option>
          <option value="90">Last 90 days</option>
        </Select>
      </PageHeader>
      <AsyncView state={overview} what="this month's figures">
        {({ stats, tenant }) => <Overview stats={stats} tenant={tenant} />}
      </AsyncView>
      <AsyncView state={reports} what="the usage">
        {({ byDay, byModel, byUser }) => (
          <>
            <DailyCard rows={dailySeries(byDay.rows, range.from, range.to)} />
            <div className="grid-2">
              <UsageTable title="By model" keyLabel="Model" rows={byModel.rows} />
              <UsageTable title="By user" keyLabel="User" rows={byUser.rows} />
            </div>
          </>
        )}
      </AsyncView>
    </>
  );
}

function Overview({ stats, tenant }: { stats: StatsReport; tenant: TenantView }) {
  const budget = budgetUse(stats.this_month.cost_usd, tenant.rate_limits.monthly_budget_usd);
  const feedback = feedbackRatio(stats.feedback);
  return (
    <Card title="This month">
      <div className="stats">
        <Stat label="Cost" value={formatUsd(stats.this_month.cost_usd)} />
        <Stat
          label="Tokens"
          value={formatNumber(stats.this_month.input_tokens + stats.this_month.output_tokens)}
        />
        <Stat label="Requests (24 h)" value={formatNumber(stats.last_24h.requests)} />
        <Stat label="Error rate (24 h)" value={formatShare(stats.last_24h.error_rate)} />
        <Stat label="Conversations" value={formatNumber(stats.conversations)} />
        <Stat
          label="Answers rated helpful"
          value={feedback.upShare === null ? 'No rating yet' : formatShare(feedback.upShare)}
          hint={`${formatNumber(stats.feedback.up)} up · ${formatNumber(stats.feedback.down)} down`}
        />
      </div>
      <div className="budget">
        <h3>Budget</h3>
        {budget.budget === null ? (
          <p>No monthly budget is set for your company.</p>
        ) : (
          <>
            <p>
              {formatUsd(budget.spent)} of {formatUsd(budget.budget)} used (
              {formatShare(Math.min(budget.share ?? 0, 9.99))})
            </p>
            <meter
              className={`meter meter-${budget.level}`}
              min={0}
              max={budget.budget}
              low={budget.budget * 0.8}
              high={budget.budget * 0.99}
              optimum={0}
              value={Math.min(budget.spent, budget.budget)}
              aria-label="Budget used"
            />
          </>
        )}
      </div>
    </Card>
  );
}

function DailyCard({ rows }: { rows: UsageRow[] }) {
  const labels = useMemo(() => rows.map((row) => row.key.slice(5)), [rows]);
  const series = useMemo(
    () => [
      { label: 'Input tokens', values: rows.map((row) => row.input_tokens), color: '#2457c5' },
      { label: 'Output tokens', values: rows.map((row) => row.output_tokens), color: '#8fb0ee' },
    ],
    [rows],
  );
  const total = rows.reduce((sum, row) => sum + totalTokens(row), 0);
  const cost = rows.reduce((sum, row) => sum + row.cost_usd, 0);
  const requests = rows.reduce((sum, row) => sum + row.requests, 0);
  return (
    <Card title="Tokens per day">
      <p className="hint">
        {formatNumber(total)} tokens, {formatNumber(requests)} requests, {formatUsd(cost)} over the
        period.
      </p>
      <BarChart
        labels={labels}
        series={series}
        stacked
        summary={`Tokens per day: ${formatNumber(total)} over ${rows.length} days`}
      />
      <details>
        <summary>Show as a table</summary>
        <UsageRows keyLabel="Day" rows={rows.filter((row) => row.requests > 0)} />
      </details>
    </Card>
  );
}

function UsageTable({
  title,
  keyLabel,
  rows,
}: {
  title: string;
  keyLabel: string;
  rows: UsageRow[];
}) {
  return (
    <Card title={title}>
      {rows.length === 0 ? (
        <p className="empty">No usage in this period.</p>
      ) : (
        <UsageRows keyLabel={keyLabel} rows={rows} />
      )}
    </Card>
  );
}

function UsageRows({ keyLabel, rows }: { keyLabel: string; rows: UsageRow[] }) {
  return (
    <div className="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">{keyLabel}</th>
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
          {rows.map((row) => (
            <tr key={row.key}>
              <td>{row.key}</td>
              <td className="num">{formatNumber(row.requests)}</td>
              <td className="num">{formatNumber(totalTokens(row))}</td>
              <td className="num">{formatUsd(row.cost_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
