import { z } from 'zod';

import {
  WIDGET_POSITIONS,
  type WidgetPublicConfig,
  type WidgetSession,
} from '@tenantbot/contracts';

import type { HealthReport } from '../health/health.service';
import type { PLATFORM_INFO } from '../platform/platform-info';

/**
 * The replies the gateway composes itself (no service's message answers them), as schemas for
 * the OpenAPI document. Each is held to the type the route returns, so they cannot drift.
 */

export const platformInfoSchema = z.object({
  name: z.string(),
  description: z.string(),
  version: z.string(),
  api: z.string(),
  docs: z.string(),
  openapi: z.string(),
  health: z.string(),
}) satisfies z.ZodType<Record<keyof typeof PLATFORM_INFO, string>>;

export const livenessSchema = z.object({ status: z.literal('ok') });

const probeResultSchema = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number(),
  error: z.string().optional(),
});

export const healthReportSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  checks: z.record(z.string(), probeResultSchema),
}) satisfies z.ZodType<HealthReport>;

export const widgetPublicConfigSchema = z.object({
  title: z.string(),
  primary_color: z.string(),
  logo_url: z.string().nullable(),
  greeting: z.string(),
  position: z.enum(WIDGET_POSITIONS),
  placeholder: z.string(),
  handoff_enabled: z.boolean(),
}) satisfies z.ZodType<WidgetPublicConfig>;

export const widgetSessionSchema = z.object({
  token: z.string(),
  token_type: z.literal('bearer'),
  expires_in: z.number().int(),
  visitor_id: z.string(),
}) satisfies z.ZodType<WidgetSession>;

/** Text bodies: `/ping`, `/metrics`, the widget's script and demo page. */
export const textSchema = z.string();
