export * from './connection-url';
export * from './data-source';
export * from './database-config';
export * from './migrator';
export * from './row-level-security';
export * from './tenant-scope';
export * from './tenant-transaction';
