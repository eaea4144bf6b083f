import { beforeAll, describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';

import { expectMetricsNeverRouted } from './internal-paths';
import { synthesize, type Synthesized } from './synthesize';

const EXTERNAL_CHROMA = 'https://chroma.internal.example.com';

let synthesized: Synthesized;
beforeAll(() => {
  synthesized = synthesize({
    stage: 'staging',
    chromaUrl: EXTERNAL_CHROMA,
    chromaApiKeySecret: 'tenantbot/chroma-token',
    chromaTenant: 'acme-prod',
    chromaDatabase: 'tenantbot',
    imageTag: 'v1.2.3',
  });
});

describe('TenantbotStack (staging: single AZ, HTTP only, external Chroma)', () => {
  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    expect(synthesized.nagViolations).toEqual([]);
  });

  it('uses a single-AZ database without deletion protection and one Redis node', () => {
    const { template } = synthesized;
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      MultiAZ: false,
      DeletionProtection: false,
      DBInstanceClass: 'db.t4g.micro',
      StorageEncrypted: true,
    });
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumCacheClusters: 1,
      AutomaticFailoverEnabled: false,
      TransitEncryptionEnabled: true,
    });
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
  });

  it('serves plain HTTP on 80 without a certificate', () => {
    const { template } = synthesized;
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [Match.objectLike({ Type: 'forward' })],
    });
  });

  it('answers /metrics at the HTTP listener (404), never routing it to a gateway', () => {
    expectMetricsNeverRouted(synthesized.template);
  });

  it('deploys no Chroma and points rag (the only app that talks to Chroma) at the configured one', () => {
    const { template, stack } = synthesized;
    expect(stack.chroma).toBeUndefined();
    template.resourceCountIs('AWS::EFS::FileSystem', 0);
    template.resourceCountIs('AWS::ECS::Service', 5);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'rag',
          Environment: Match.arrayWith([
            { Name: 'CHROMA_URL', Value: EXTERNAL_CHROMA },
            { Name: 'CHROMA_TENANT', Value: 'acme-prod' },
            { Name: 'CHROMA_DATABASE', Value: 'tenantbot' },
          ]),
          Secrets: Match.arrayWith([
            Match.objectLike({ Name: 'CHROMA_API_KEY', ValueFrom: Match.anyValue() }),
          ]),
        }),
      ],
    });
  });

  it('gives the Chroma token to rag only', () => {
    const taskDefinitions = synthesized.template.findResources('AWS::ECS::TaskDefinition');
    const holders = Object.values(taskDefinitions)
      .flatMap(
        (definition) =>
          definition.Properties.ContainerDefinitions as {
            Name: string;
            Secrets?: { Name: string }[];
          }[],
      )
      .filter((container) => container.Secrets?.some((entry) => entry.Name === 'CHROMA_API_KEY'))
      .map((container) => container.Name);
    expect(holders).toEqual(['rag']);
  });

  it('keeps logs for two weeks', () => {
    for (const logGroup of Object.values(
      synthesized.template.findResources('AWS::Logs::LogGroup'),
    )) {
      expect(logGroup.Properties.RetentionInDays).toBe(14);
    }
  });
});
