import { TenantsAndIdentities1732000000000 } from './1732000000000-tenants-and-identities';
import { DocumentsAndChunks1732000001000 } from './1732000001000-documents-and-chunks';
import { EventOutbox1732000002000 } from './1732000002000-event-outbox';
import { ConversationsAndUsage1732000003000 } from './1732000003000-conversations-and-usage';
import { PoliciesReadSettingsOnce1732000004000 } from './1732000004000-policies-read-settings-once';
import { WidgetsAndVisitors1732000005000 } from './1732000005000-widgets-and-visitors';
import { ChunkSearchBm251732000006000 } from './1732000006000-chunk-search-bm25';
import { VerifiedTenantDomains1796422130000 } from './1796422130000-verified-tenant-domains';
import { ChunkTermIndex1796500000000 } from './1796500000000-chunk-term-index';
import { PlatformRole1796600000000 } from './1796600000000-platform-role';
import { SearchLexemes1797000100000 } from './1797000100000-search-lexemes';
import { AssistantsAndDocumentTags1797000200000 } from './1797000200000-assistants-and-document-tags';
import { ConversationHandoff1797000300000 } from './1797000300000-conversation-handoff';
import { HandoffSettings1797000301000 } from './1797000301000-handoff-settings';
import { ChatExchangeIds1797000500000 } from './1797000500000-chat-exchange-ids';
import { DocumentContentHash1797000501000 } from './1797000501000-document-content-hash';
import { WebhooksAndFeedback1797000600000 } from './1797000600000-webhooks-and-feedback';
import { TenantContactDetails1797000700000 } from './1797000700000-tenant-contact-details';
import { UserLastLogin1797000701000 } from './1797000701000-user-last-login';
import { RecordAnsweredExchange1797000740000 } from './1797000740000-record-answered-exchange';
import { ChunkVectorInPlpgsql1797000741000 } from './1797000741000-chunk-vector-in-plpgsql';
import { RecordAnsweredExchangeAnyConflict1797000742000 } from './1797000742000-record-answered-exchange-any-conflict';

/** Every migration, in order. Listed explicitly so the built app needs no file globbing. */
export const ALL_MIGRATIONS = [
  TenantsAndIdentities1732000000000,
  EventOutbox1732000002000,
  DocumentsAndChunks1732000001000,
  ConversationsAndUsage1732000003000,
  PoliciesReadSettingsOnce1732000004000,
  WidgetsAndVisitors1732000005000,
  ChunkSearchBm251732000006000,
  VerifiedTenantDomains1796422130000,
  ChunkTermIndex1796500000000,
  PlatformRole1796600000000,
  SearchLexemes1797000100000,
  AssistantsAndDocumentTags1797000200000,
  ConversationHandoff1797000300000,
  HandoffSettings1797000301000,
  ChatExchangeIds1797000500000,
  DocumentContentHash1797000501000,
  WebhooksAndFeedback1797000600000,
  TenantContactDetails1797000700000,
  UserLastLogin1797000701000,
  RecordAnsweredExchange1797000740000,
  ChunkVectorInPlpgsql1797000741000,
  RecordAnsweredExchangeAnyConflict1797000742000,
];
