// Names of what one test run creates, derived from an id that global-setup exports, so
// parallel runs on one machine never share a database, a key prefix or a Chroma dir.
export function testRunNames(runId) {
  return {
    database: `tenantbot_test_${runId}`,
    redisPrefix: `tbtest:${runId}`,
  };
}
