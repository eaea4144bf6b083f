export * from './api-client';
export * from './identity-fixtures';
export * from './measure';
export * from './test-stack';
export * from './fake-llm-server';
export * from './fake-dns-server';
export * from './fake-model-hub';
export * from './tiny-sentence-model';
