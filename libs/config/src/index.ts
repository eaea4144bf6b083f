export * from './env-schemas';
export * from './load-config';
export * from './model-catalog-config';
