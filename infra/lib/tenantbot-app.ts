import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

import { resolveDeploymentConfig } from '../config/resolve-config';
import { TenantbotStack } from './tenantbot-stack';

/**
 * Adds the configured stack to an app and checks it against cdk-nag's AwsSolutions pack:
 * an unacknowledged finding fails `cdk synth`. bin/ and the tests share this wiring.
 */
export function addTenantbotStack(app: App): TenantbotStack {
  const config = resolveDeploymentConfig(app.node);
  const stack = new TenantbotStack(app, config.stackName, { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
