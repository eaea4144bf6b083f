export * from './login-throttle';
export * from './plan-limits';
export * from './request-limiter';
export * from './token-budget';
export * from './connection-limiter';
