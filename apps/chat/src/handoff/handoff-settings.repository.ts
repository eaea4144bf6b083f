import { Injectable } from '@nestjs/common';

import type { HandoffSettings, HandoffSettingsUpdate } from '@tenantbot/contracts';
import { type InTenant, type ScopedTransaction, TenantScopedRepository } from '@tenantbot/database';

/** `handoff_settings`: one row per tenant that set its policy. */
@Injectable()
export class HandoffSettingsRepository extends TenantScopedRepository {
  find(tenant: InTenant): Promise<HandoffSettings | undefined> {
    return this.query(tenant, (db) =>
      db
        .selectFrom('handoff_settings')
        .select(['phrases', 'use_default_phrases', 'on_ungrounded'])
        .executeTakeFirst(),
    );
  }

  save(tx: ScopedTransaction, settings: HandoffSettings & HandoffSettingsUpdate) {
    return this.query(tx, (db) =>
      db
        .insertInto('handoff_settings')
        .values({ tenant_id: tx.tenantId, ...settings })
        .onConflict((conflict) =>
          conflict.column('tenant_id').doUpdateSet({ ...settings, updated_at: new Date() }),
        )
        .returning(['phrases', 'use_default_phrases', 'on_ungrounded'])
        .executeTakeFirstOrThrow(),
    );
  }
}
