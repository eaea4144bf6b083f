import { describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';

/** Proves the gate the stack specs rely on: a finding fails synthesis, an acknowledgement lifts it. */
describe('cdk-nag gate', () => {
  function synthTopic(acknowledge: boolean) {
    const app = new App();
    const topic = new sns.Topic(new Stack(app, 'Probe'), 'PlainTopic');
    if (acknowledge) {
      Validations.of(topic).acknowledge({ id: 'AwsSolutions-SNS3', reason: 'gate test' });
    }
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    return () => app.synth();
  }

  it('fails synthesis on an unacknowledged finding', () => {
    expect(synthTopic(false)).toThrow(/AwsSolutions-SNS3/);
  });

  it('passes once the finding is acknowledged with a reason', () => {
    expect(synthTopic(true)).not.toThrow();
  });
});
