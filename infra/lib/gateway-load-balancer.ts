import { Duration, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

import type { FargateService } from './fargate-service';

export interface GatewayLoadBalancerProps {
  readonly vpc: ec2.IVpc;
  readonly accessLogBucket: IBucket;
  /** With a certificate: HTTPS on 443 and HTTP redirected to it; without: plain HTTP on 80. */
  readonly certificateArn?: string;
  readonly domainName?: string;
}

export const GATEWAY_PORT = 3000;

/** Paths the gateway serves to the VPC only (Prometheus scrapes tasks directly), never through the ALB. */
export const INTERNAL_ONLY_PATHS = ['/metrics', '/metrics/*'];

/** The internet-facing ALB in front of the gateway: the system's only public entry point. */
export class GatewayLoadBalancer extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** What the gateway prints in links (PUBLIC_URL). */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: GatewayLoadBalancerProps) {
    super(scope, id);
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    this.loadBalancer.logAccessLogs(props.accessLogBucket, 'alb');
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'Gateway', {
      vpc: props.vpc,
      port: GATEWAY_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: {
        path: '/healthz',
        healthyHttpCodes: '200',
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
    });
    const scheme = props.certificateArn ? 'https' : 'http';
    const host = props.domainName ?? this.loadBalancer.loadBalancerDnsName;
    this.publicUrl = `${scheme}://${host}`;
    if (props.certificateArn) {
      this.listenOnHttps(props.certificateArn);
    } else {
      this.listenOnHttp();
    }
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'Internet-facing load balancer: ports 80/443 are open to the world by design.',
    });
  }

  /** Registers the gateway tasks; the listener's security group rules follow. */
  routeTo(gateway: FargateService): void {
    gateway.service.attachToApplicationTargetGroup(this.targetGroup);
  }

  private listenOnHttps(certificateArn: string): void {
    const listener = this.loadBalancer.addListener('Https', {
      port: 443,
      protocol: elbv2.ApplicationProtocol.HTTPS,
      certificates: [elbv2.ListenerCertificate.fromArn(certificateArn)],
      sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      defaultTargetGroups: [this.targetGroup],
    });
    this.refuseInternalPaths(listener);
    this.loadBalancer.addRedirect({
      sourcePort: 80,
      sourceProtocol: elbv2.ApplicationProtocol.HTTP,
      targetPort: 443,
      targetProtocol: elbv2.ApplicationProtocol.HTTPS,
    });
  }

  private listenOnHttp(): void {
    const listener = this.loadBalancer.addListener('Http', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultTargetGroups: [this.targetGroup],
    });
    this.refuseInternalPaths(listener);
  }

  /** The listener answers these paths itself (404), before any request reaches a gateway. */
  private refuseInternalPaths(listener: elbv2.ApplicationListener): void {
    listener.addAction('RefuseInternalPaths', {
      priority: 1,
      conditions: [elbv2.ListenerCondition.pathPatterns(INTERNAL_ONLY_PATHS)],
      action: elbv2.ListenerAction.fixedResponse(404, {
        contentType: 'application/json',
        messageBody: JSON.stringify({
          statusCode: 404,
          code: 'ROUTE_NOT_FOUND',
          message: 'not found',
        }),
      }),
    });
  }
}
