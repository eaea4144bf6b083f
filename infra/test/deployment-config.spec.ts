import { describe, expect, it } from '@jest/globals';

import { resolveDeploymentConfig } from '../config/resolve-config';
import { production, staging } from '../config/stages';

const context = (values: Record<string, unknown>) => ({
  tryGetContext: (key: string) => values[key],
});

describe('resolveDeploymentConfig', () => {
  it('defaults to production', () => {
    expect(resolveDeploymentConfig(context({}))).toEqual(production);
  });

  it('picks a stage and applies per-deploy overrides from context strings', () => {
    const config = resolveDeploymentConfig(
      context({
        stage: 'staging',
        imageTag: '3f2a9c1',
        multiAz: 'true',
        natGateways: '2',
        domainName: 'bot.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc',
        region: 'eu-west-1',
        openaiApiKeySecret: 'tenantbot/openai',
      }),
    );
    expect(config).toMatchObject({
      stage: 'staging',
      stackName: staging.stackName,
      imageTag: '3f2a9c1',
      multiAz: true,
      natGateways: 2,
      region: 'eu-west-1',
      llmApiKeySecrets: { openai: 'tenantbot/openai', anthropic: undefined },
    });
    expect(config.services).toEqual(staging.services);
  });

  it.each([
    [{ stage: 'qa' }, /unknown stage "qa"/],
    [{ multiAz: 'yes' }, /multiAz.*true or false/],
    [{ natGateways: 'two' }, /natGateways.*whole number/],
    [{ imageTag: 'has space' }, /imageTag/],
    [{ certificateArn: 'arn:aws:acm:us-east-1:1:certificate/x' }, /needs domainName/],
    [{ certificateArn: 'not-an-arn', domainName: 'a.example.com' }, /ACM certificate ARN/],
    [{ chromaUrl: 'chroma:8000' }, /chromaUrl/],
    [{ chromaApiKeySecret: 'tenantbot/chroma' }, /need chromaUrl/],
    [{ chromaUrl: 'http://10.0.5.10:8000', chromaApiKeySecret: 's' }, /only sent over https/],
    [{ chromaUrl: 'https://api.trychroma.com', chromaAuthHeader: 'cookie' }, /chromaAuthHeader/],
    [{ region: 'mars' }, /region/],
  ])('rejects %j', (values, message) => {
    expect(() => resolveDeploymentConfig(context(values))).toThrow(message);
  });
});
