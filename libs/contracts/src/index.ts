export * from './errors';
export * from './roles';
export * from './services';
export * from './events';
export * from './tenants';
export * from './validation';
export * from './admin';
