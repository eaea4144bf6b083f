import type { CustomResourceEvent, CustomResourceResult } from '../inline-handler-provider';

export interface RandomKeyProperties {
  readonly SecretId: string;
  /** Key length in bytes, as a string (CloudFormation passes scalars as strings). */
  readonly Bytes: string;
}

export interface RandomKeyDependencies {
  readonly secrets: {
    putSecretValue(input: { SecretId: string; SecretString: string }): Promise<unknown>;
  };
  readonly randomBytes: (size: number) => { toString(encoding: 'base64'): string };
}

/**
 * Replaces a new secret's placeholder with random bytes, base64-encoded: the format of
 * ENCRYPTION_KEY, which Secrets Manager's password generator cannot produce. Writes only
 * when the secret is created or replaced, never on later deploys, so data encrypted under
 * the key stays readable. Self-contained: its source text is the Lambda's code.
 */
export async function writeRandomKey(
  event: CustomResourceEvent<RandomKeyProperties>,
  dependencies: RandomKeyDependencies,
): Promise<CustomResourceResult> {
  const properties = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    return { PhysicalResourceId: event.PhysicalResourceId ?? properties.SecretId };
  }
  const secretIsNew =
    event.RequestType === 'Create' || event.OldResourceProperties?.SecretId !== properties.SecretId;
  if (secretIsNew) {
    const key = dependencies.randomBytes(Number(properties.Bytes)).toString('base64');
    await dependencies.secrets.putSecretValue({ SecretId: properties.SecretId, SecretString: key });
  }
  return { PhysicalResourceId: properties.SecretId };
}
