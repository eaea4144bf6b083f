import { describe, expect, it } from '@jest/globals';

import { transportOptionsFrom } from './options';

const env = {
  REDIS_URL: 'redis://127.0.0.1:6379',
  REDIS_PREFIX: 'tb',
  TRANSPORT_TIMEOUT_MS: 5000,
  TRANSPORT_CLAIM_IDLE_MS: 2000,
};

describe('transportOptionsFrom', () => {
  it('checks replies against their schemas only when TRANSPORT_CHECK_REPLIES says so', () => {
    expect(transportOptionsFrom(env).checkReplies).toBe(false);
    expect(transportOptionsFrom({ ...env, TRANSPORT_CHECK_REPLIES: false }).checkReplies).toBe(
      false,
    );
    expect(transportOptionsFrom({ ...env, TRANSPORT_CHECK_REPLIES: true }).checkReplies).toBe(true);
  });
});
