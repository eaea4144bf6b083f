import { z } from 'zod';

/** Message patterns of feedback on answers and of the conversation export (the chat service's). */
export const FEEDBACK = {
  RATE: 'chat.feedback.rate',
  /** Streams the tenant's conversations of a period, a page at a time. */
  EXPORT_CONVERSATIONS: 'chat.export.conversations',
} as const;

export const FEEDBACK_RATINGS = ['up', 'down'] as const;

export const feedbackBodySchema = z.strictObject({
  rating: z.enum(FEEDBACK_RATINGS),
  comment: z.string().trim().max(2000).optional(),
});
export type FeedbackBody = z.output<typeof feedbackBodySchema>;

export const messageParamSchema = z.strictObject({ id: z.uuid() });
export type MessageParam = z.output<typeof messageParamSchema>;

export const feedbackRequestSchema = feedbackBodySchema.extend({ message_id: z.uuid() });
export type FeedbackRequest = z.output<typeof feedbackRequestSchema>;

export const feedbackViewSchema = z.object({
  message_id: z.uuid(),
  conversation_id: z.uuid(),
  rating: z.enum(FEEDBACK_RATINGS),
  comment: z.string().nullable(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
});
export type FeedbackView = z.output<typeof feedbackViewSchema>;

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

export const EXPORT_FORMATS = ['jsonl', 'csv'] as const;

export const exportQuerySchema = z.strictObject({
  from: isoDate.optional(),
  to: isoDate.optional(),
  format: z.enum(EXPORT_FORMATS).default('jsonl'),
});
export type ExportQuery = z.output<typeof exportQuerySchema>;

export const exportRequestSchema = exportQuerySchema.omit({ format: true });

export const exportedMessageSchema = z.object({
  id: z.uuid(),
  role: z.string(),
  content: z.string(),
  sources: z.array(z.unknown()),
  model: z.string().nullable(),
  created_at: z.iso.datetime({ offset: true }),
  feedback: z
    .object({ rating: z.enum(FEEDBACK_RATINGS), comment: z.string().nullable() })
    .nullable(),
});

export const exportedConversationSchema = z.object({
  id: z.uuid(),
  title: z.string(),
  user_id: z.string().nullable(),
  api_key_id: z.string().nullable(),
  visitor_id: z.string().nullable(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  messages: z.array(exportedMessageSchema),
});
export type ExportedConversation = z.output<typeof exportedConversationSchema>;

/** One value of the export's stream: a page of conversations, oldest first. */
export const exportPageSchema = z.object({ conversations: z.array(exportedConversationSchema) });
