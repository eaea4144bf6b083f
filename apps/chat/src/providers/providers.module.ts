import { Module } from '@nestjs/common';

import { AnthropicChatProvider } from './anthropic-chat.provider';
import { LocalExtractiveProvider } from './local-extractive.provider';
import { OpenAIChatProvider } from './openai-chat.provider';
import { ProviderRouter } from './provider-router';

@Module({
  providers: [OpenAIChatProvider, AnthropicChatProvider, LocalExtractiveProvider, ProviderRouter],
  exports: [ProviderRouter],
})
export class ProvidersModule {}
