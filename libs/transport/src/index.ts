export * from './options';
export * from './ping.controller';
export * from './stream-keys';
export * from './streams.client';
export * from './streams.server';
export * from './transport.module';
export type { ReplyEnvelope, RequestEnvelope } from './wire';
export * from './rpc-error.filter';
export * from './service-bootstrap';
