import { z } from 'zod';

import { authenticatedTenantSchema } from './tenants';

/** Message patterns of the web channel's widgets, owned by the tenants service. */
export const WIDGETS = {
  LIST: 'tenants.widget.list',
  CREATE: 'tenants.widget.create',
  GET: 'tenants.widget.get',
  UPDATE: 'tenants.widget.update',
  DELETE: 'tenants.widget.delete',
  /** Internal: a public key and the browser's Origin → the widget and its tenant, or a refusal. */
  OPEN: 'tenants.widget.open',
  /** Internal: re-checks on every visitor request that the widget and its tenant are active. */
  AUTHENTICATE_VISITOR: 'tenants.widget.authenticate-visitor',
  /** Internal: whether any active tenant or widget allows an origin (CORS before resolution). */
  ORIGIN_KNOWN: 'tenants.widget.origin-known',
} as const;

/** The principal role of a website visitor holding a widget's visitor token. */
export const VISITOR_ROLE = 'visitor';

export const WIDGET_POSITIONS = ['bottom-right', 'bottom-left'] as const;

/** `pk_` then 24 URL-safe characters: public, it identifies a widget and grants nothing alone. */
export const WIDGET_PUBLIC_KEY = /^pk_[A-Za-z0-9_-]{24}$/;
/** `v_` then at least 22 URL-safe characters (128 bits): chosen by the server, kept by the browser. */
export const VISITOR_ID = /^v_[A-Za-z0-9_-]{22,64}$/;

const exactOrigin = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^/\s*]+$/, 'an exact origin: scheme://host[:port], no path, no wildcard')
  .transform((value) => value.toLowerCase());

const brandingFields = {
  title: z.string().trim().min(1).max(80),
  primary_color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a hex color like #1a73e8'),
  logo_url: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .nullable(),
  greeting: z.string().max(500),
  position: z.enum(WIDGET_POSITIONS),
  placeholder: z.string().max(120),
};

export const widgetBrandingSchema = z
  .object({
    title: brandingFields.title.default('Chat with us'),
    primary_color: brandingFields.primary_color.default('#1a73e8'),
    logo_url: brandingFields.logo_url.default(null),
    greeting: brandingFields.greeting.default('Hi! How can we help?'),
    position: brandingFields.position.default('bottom-right'),
    placeholder: brandingFields.placeholder.default('Type your question…'),
  })
  .strict();

const limitsFields = {
  messages_per_visitor_per_day: z.number().int().min(1).max(100_000),
  messages_per_minute: z.number().int().min(1).max(1_000),
};

export const widgetLimitsSchema = z
  .object({
    messages_per_visitor_per_day: limitsFields.messages_per_visitor_per_day.default(200),
    messages_per_minute: limitsFields.messages_per_minute.default(10),
  })
  .strict();

const widgetFields = {
  name: z.string().trim().min(1).max(100),
  allowed_origins: z.array(exactOrigin).min(1, 'at least one origin').max(50),
  assistant_id: z.uuid().nullable(),
  handoff_enabled: z.boolean(),
  is_active: z.boolean(),
};

export const widgetCreateSchema = z
  .object({
    ...widgetFields,
    assistant_id: widgetFields.assistant_id.default(null),
    handoff_enabled: widgetFields.handoff_enabled.default(false),
    is_active: widgetFields.is_active.default(true),
    branding: widgetBrandingSchema.default(widgetBrandingSchema.parse({})),
    limits: widgetLimitsSchema.default(widgetLimitsSchema.parse({})),
  })
  .strict();

/** Every field optional; branding and limits are merged field by field into the stored ones. */
export const widgetUpdateSchema = z
  .object({
    ...widgetFields,
    // No defaults here: a field left out keeps its stored value.
    branding: z.object(brandingFields).partial().strict(),
    limits: z.object(limitsFields).partial().strict(),
  })
  .partial()
  .strict();

export type WidgetBranding = z.output<typeof widgetBrandingSchema>;
export type WidgetLimits = z.output<typeof widgetLimitsSchema>;

export type WidgetCreate = z.output<typeof widgetCreateSchema>;
export type WidgetUpdate = z.output<typeof widgetUpdateSchema>;

export const widgetViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  public_key: z.string(),
  allowed_origins: z.array(z.string()),
  assistant_id: z.string().nullable(),
  branding: z.object(brandingFields).extend({ logo_url: z.string().nullable() }),
  limits: z.object(limitsFields),
  handoff_enabled: z.boolean(),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type WidgetView = z.output<typeof widgetViewSchema>;

export const widgetKeySchema = z.string().regex(WIDGET_PUBLIC_KEY, 'a widget key: pk_…');

export const widgetConfigQuerySchema = z.object({ key: widgetKeySchema }).strict();

export const widgetSessionRequestSchema = z
  .object({
    key: widgetKeySchema,
    visitor_id: z.string().regex(VISITOR_ID, 'a visitor id this API issued (v_…)').optional(),
  })
  .strict();

/** What a page embedding the widget may know of it: no origins, no limits' internals. */
export interface WidgetPublicConfig {
  title: string;
  primary_color: string;
  logo_url: string | null;
  greeting: string;
  position: (typeof WIDGET_POSITIONS)[number];
  placeholder: string;
  handoff_enabled: boolean;
}

export interface WidgetSession {
  token: string;
  token_type: 'bearer';
  expires_in: number;
  visitor_id: string;
}

/** The widget and its tenant as the gateway needs them to serve a visitor. */
export const openedWidgetSchema = z.object({
  widget: widgetViewSchema.pick({
    id: true,
    allowed_origins: true,
    branding: true,
    limits: true,
    handoff_enabled: true,
    assistant_id: true,
  }),
  tenant: authenticatedTenantSchema,
});
export type OpenedWidget = z.output<typeof openedWidgetSchema>;

export const openWidgetRequestSchema = z
  .object({ key: widgetKeySchema, origin: z.string().max(2048).nullable() })
  .strict();

export const authenticateVisitorRequestSchema = z
  .object({ widget_id: z.uuid(), tenant_id: z.uuid() })
  .strict();

export const originKnownRequestSchema = z.object({ origin: z.string().max(2048) }).strict();
export const originKnownReplySchema = z.object({ known: z.boolean() });

export const widgetUpdateMessageSchema = z
  .object({ id: z.uuid(), body: widgetUpdateSchema })
  .strict();
