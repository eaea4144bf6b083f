import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface CountByRole {
  role: string;
  n: number;
}

export interface CountByPlan {
  plan: string;
  is_active: boolean;
  n: number;
}

/** Counts of the rows the current scope sees. */
@Injectable()
export class StatsRepository {
  async usersByRole(db: EntityManager): Promise<CountByRole[]> {
    return (await db.query(
      `SELECT role, count(*)::int AS n FROM users GROUP BY role`,
    )) as CountByRole[];
  }

  async tenantsByPlan(db: EntityManager): Promise<CountByPlan[]> {
    return (await db.query(
      `SELECT plan, is_active, count(*)::int AS n FROM tenants GROUP BY plan, is_active`,
    )) as CountByPlan[];
  }
}
