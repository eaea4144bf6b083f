export * from './connection-url';
export * from './data-source';
export * from './database-config';
export * from './migrator';
export * from './row-level-security';
export * from './sql-literal';
export * from './tenant-scope';
export * from './tenant-transaction';
