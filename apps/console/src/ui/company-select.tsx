import type { ChangeEvent } from 'react';

import { api, unwrap } from '../api/client';
import type { Page, TenantView } from '../api/types';
import { Select } from './components';
import { useAsync } from './use-async';

/** The super admin's choice of one company, or all of them. */
export function CompanySelect({
  value,
  onChange,
}: {
  value: string;
  onChange: (tenantId: string) => void;
}) {
  const companies = useAsync(
    async () =>
      (
        await unwrap<Page<TenantView>>(
          api.GET('/api/v1/tenants', { params: { query: { limit: 200 } as never } }),
        )
      ).items,
    [],
  );
  return (
    <Select
      label="Company"
      value={value}
      hint={companies.error && `Companies could not be loaded: ${companies.error}`}
      onChange={(event: ChangeEvent<HTMLSelectElement>) => onChange(event.target.value)}
    >
      <option value="">All companies</option>
      {companies.data?.map((company) => (
        <option key={company.id} value={company.id}>
          {company.name}
        </option>
      ))}
    </Select>
  );
}
