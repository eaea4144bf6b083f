export * from './logger';
export * from './process-guard';
export type { Logger } from 'pino';
