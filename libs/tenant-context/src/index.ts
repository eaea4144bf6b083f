export * from './request-context';
export * from './report-scope';
