export * from './request-context';
export * from './report-scope';
export * from './caller';
