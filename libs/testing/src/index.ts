export * from './api-client';
export * from './identity-fixtures';
export * from './test-stack';
export * from './fake-llm-server';
export * from './fake-dns-server';
