import { CustomResource, Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

import {
  type RandomKeyDependencies,
  type RandomKeyProperties,
  writeRandomKey,
} from './handlers/write-random-key';
import { InlineHandlerProvider } from './inline-handler-provider';

/** What writeRandomKey gets in Lambda: the SDK v3 client that the runtime bundles. */
export const RANDOM_KEY_DEPENDENCIES =
  "{ secrets: new (require('@aws-sdk/client-secrets-manager').SecretsManager)(), randomBytes: require('node:crypto').randomBytes }";

export interface AppSecretsProps {
  readonly logRetention: RetentionDays;
}

/**
 * The application's own secrets, generated at first deploy and never written into the
 * template. Services that read ENCRYPTION_KEY must depend on this construct: the key holds
 * a placeholder until its custom resource has written the real value.
 */
export class AppSecrets extends Construct {
  readonly jwtSecret: secretsmanager.Secret;
  readonly encryptionKey: secretsmanager.Secret;
  readonly superAdminPassword: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AppSecretsProps) {
    super(scope, id);
    this.jwtSecret = generatedSecret(this, 'JwtSecret', 'JWT_SECRET: signs access tokens', 64);
    this.superAdminPassword = generatedSecret(
      this,
      'SuperAdminPassword',
      'SUPER_ADMIN_PASSWORD: first login of the super admin',
      24,
    );
    // The placeholder is replaced once; never change this generator, or CloudFormation would
    // regenerate the value in place and the data encrypted under the key would be lost.
    this.encryptionKey = generatedSecret(
      this,
      'EncryptionKey',
      'ENCRYPTION_KEY: 32 random bytes, base64; encrypts tenants’ provider credentials',
      32,
    );
    this.writeRandomKey(this.encryptionKey, props.logRetention);
    this.acknowledgeFindings();
  }

  private writeRandomKey(secret: secretsmanager.Secret, logRetention: RetentionDays): void {
    const provider = new InlineHandlerProvider<RandomKeyProperties, RandomKeyDependencies>(
      this,
      'RandomKeyWriter',
      {
        handler: writeRandomKey,
        dependencies: RANDOM_KEY_DEPENDENCIES,
        description: 'Writes a random base64 key into a new secret',
        timeout: Duration.minutes(1),
        logRetention,
      },
    );
    provider.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:PutSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    const properties: RandomKeyProperties = { SecretId: secret.secretArn, Bytes: '32' };
    new CustomResource(this, 'EncryptionKeyValue', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::RandomKey',
      properties,
    });
  }

  private acknowledgeFindings(): void {
    const noAutomaticRotation = (secret: secretsmanager.Secret, reason: string) =>
      Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
    noAutomaticRotation(
      this.jwtSecret,
      'Rotating signs every user out; it is a planned step (docs/deploy.md), not a timer.',
    );
    noAutomaticRotation(
      this.encryptionKey,
      'Data is encrypted under this key; rotation needs re-encryption by the app, never a timer.',
    );
    noAutomaticRotation(
      this.superAdminPassword,
      'Bootstrap credential of the first super admin; changed by the operator (docs/deploy.md).',
    );
  }
}

function generatedSecret(scope: Construct, id: string, description: string, length: number) {
  return new secretsmanager.Secret(scope, id, {
    description,
    generateSecretString: { passwordLength: length, excludePunctuation: true },
  });
}
