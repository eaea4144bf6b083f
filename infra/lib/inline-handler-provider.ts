import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface CustomResourceEvent<Properties> {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceProperties: Properties;
  readonly OldResourceProperties?: Properties;
  readonly PhysicalResourceId?: string;
}

export interface CustomResourceResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
}

export type CustomResourceHandler<Properties, Dependencies> = (
  event: CustomResourceEvent<Properties>,
  dependencies: Dependencies,
) => Promise<CustomResourceResult>;

export interface InlineHandlerProviderProps<Properties, Dependencies> {
  /**
   * A self-contained function (no imports, no closure): its source text becomes the
   * Lambda's code, so it deploys without a bundler or an asset and is unit-tested as is.
   */
  readonly handler: CustomResourceHandler<Properties, Dependencies>;
  /** JavaScript expression evaluated once per cold start; its value is `dependencies`. */
  readonly dependencies: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

/** The Lambda source for a handler: exports.handler calls it with its dependencies. */
export function inlineHandlerSource(handler: (...args: never[]) => unknown, dependencies: string) {
  return [
    `const handle = ${handler.toString()};`,
    `const dependencies = ${dependencies};`,
    'exports.handler = (event) => handle(event, dependencies);',
  ].join('\n');
}

/** A custom resource provider whose Lambda runs one inline TypeScript-authored handler. */
export class InlineHandlerProvider<Properties, Dependencies> extends Construct {
  readonly function: lambda.Function;
  /** The handler's role: grant it what the handler calls. */
  readonly role: iam.Role;
  readonly serviceToken: string;

  constructor(
    scope: Construct,
    id: string,
    props: InlineHandlerProviderProps<Properties, Dependencies>,
  ) {
    super(scope, id);
    const handlerAccess = this.roleWithOwnLogGroup('Handler', props.logRetention);
    this.role = handlerAccess.role;
    this.function = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(inlineHandlerSource(props.handler, props.dependencies)),
      description: props.description,
      timeout: props.timeout,
      role: handlerAccess.role,
      logGroup: handlerAccess.logGroup,
    });
    const frameworkAccess = this.roleWithOwnLogGroup('Framework', props.logRetention);
    const provider = new Provider(this, 'Provider', {
      onEventHandler: this.function,
      frameworkOnEventRole: frameworkAccess.role,
      logGroup: frameworkAccess.logGroup,
    });
    this.serviceToken = provider.serviceToken;
    this.acknowledgeFrameworkFindings(frameworkAccess.role);
  }

  addToPolicy(statement: iam.PolicyStatement): void {
    this.role.addToPrincipalPolicy(statement);
  }

  /** Roles with write access to their own log group only (no AWS managed policy). */
  private roleWithOwnLogGroup(name: string, retention: logs.RetentionDays) {
    const role = new iam.Role(this, `${name}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention });
    logGroup.grantWrite(role);
    return { role, logGroup };
  }

  private acknowledgeFrameworkFindings(frameworkRole: iam.Role): void {
    const handlerLogicalId = Stack.of(this).getLogicalId(
      this.function.node.defaultChild as lambda.CfnFunction,
    );
    Validations.of(frameworkRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${handlerLogicalId}.Arn>:*]`,
      reason: 'The CDK provider framework may invoke any version of its one handler function.',
    });
  }
}
