import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

import { addTenantbotStack } from '../lib/tenantbot-app';
import type { TenantbotStack } from '../lib/tenantbot-stack';

export const infraDirectory = fileURLToPath(new URL('..', import.meta.url));
export const repositoryRoot = join(infraDirectory, '..');

/** Feature flags exactly as `cdk synth` sees them. */
const cdkJsonContext = JSON.parse(readFileSync(join(infraDirectory, 'cdk.json'), 'utf8'))
  .context as Record<string, unknown>;

export interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}

export interface Synthesized {
  stack: TenantbotStack;
  template: Template;
  /** AwsSolutions findings left after acknowledgements, warnings included. */
  nagViolations: Violation[];
}

/**
 * Synthesizes the app as bin/tenantbot.ts does, with extra context (`-c key=value`).
 * cdk-nag errors make this throw with the report; warnings come back in nagViolations.
 */
export function synthesize(context: Record<string, string> = {}): Synthesized {
  const app = new App({ context: { ...cdkJsonContext, ...context } });
  const stack = addTenantbotStack(app);
  const assembly = app.synth();
  const report = JSON.parse(
    readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'),
  ) as { pluginReports: { pluginName: string; violations: Violation[] }[] };
  return {
    stack,
    template: Template.fromJSON(assembly.getStackByName(stack.stackName).template),
    nagViolations: report.pluginReports
      .filter(({ pluginName }) => pluginName === 'AwsSolutions')
      .flatMap(({ violations }) => violations),
  };
}

/** The value, or a failed test naming what was missing. */
export function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) {
    throw new Error(`${what} is missing`);
  }
  return value;
}
