import { Module } from '@nestjs/common';

import { EmbedderRegistry } from './embedder-registry';

/** The embedders a tenant's settings may choose. */
@Module({ providers: [EmbedderRegistry], exports: [EmbedderRegistry] })
export class EmbeddingsModule {}
