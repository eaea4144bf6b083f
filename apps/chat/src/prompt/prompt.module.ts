import { Module } from '@nestjs/common';

import { PromptAssembler } from './prompt-assembler';
import { TokenCounter } from './token-counter';

@Module({ providers: [PromptAssembler, TokenCounter], exports: [PromptAssembler, TokenCounter] })
export class PromptModule {}
