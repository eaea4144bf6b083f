import { expect } from '@jest/globals';
import type { Template } from 'aws-cdk-lib/assertions';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
}
interface RuleProperties {
  ListenerArn: { Ref: string };
  Priority: number;
  Conditions: { Field: string; PathPatternConfig?: { Values: string[] }; Values?: string[] }[];
  Actions: { Type: string; FixedResponseConfig?: { StatusCode: string } }[];
}

/**
 * Every listener that forwards to the gateway first answers `/metrics` (and below it) with
 * its own 404: no rule of any priority sends it on to a target.
 */
export function expectMetricsNeverRouted(template: Template): void {
  const resources = Object.entries(template.toJSON().Resources as Record<string, Resource>);
  const forwarding = resources.filter(
    ([, resource]) =>
      resource.Type === 'AWS::ElasticLoadBalancingV2::Listener' &&
      JSON.stringify(resource.Properties.DefaultActions).includes('"forward"'),
  );
  const rules = resources
    .filter(([, resource]) => resource.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule')
    .map(([, resource]) => resource.Properties as unknown as RuleProperties);
  expect(forwarding.length).toBeGreaterThan(0);

  for (const [listenerId] of forwarding) {
    const own = rules
      .filter((rule) => rule.ListenerArn.Ref === listenerId)
      .sort((a, b) => a.Priority - b.Priority);
    const first = own[0];
    expect(first).toBeDefined();
    expect(pathsOf(first)).toEqual(expect.arrayContaining(['/metrics', '/metrics/*']));
    expect(first.Actions).toEqual([
      expect.objectContaining({
        Type: 'fixed-response',
        FixedResponseConfig: expect.objectContaining({ StatusCode: '404' }),
      }),
    ]);
    for (const rule of own.slice(1)) {
      expect(pathsOf(rule).filter((path) => path.startsWith('/metrics'))).toEqual([]);
    }
  }
}

function pathsOf(rule: RuleProperties): string[] {
  return rule.Conditions.filter((condition) => condition.Field === 'path-pattern').flatMap(
    (condition) => condition.PathPatternConfig?.Values ?? condition.Values ?? [],
  );
}
