import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

import type { FargateService } from './fargate-service';

export interface MonitoringProps {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly gatewayTargets: elbv2.ApplicationTargetGroup;
  /** Alarms when a service runs fewer tasks than its minimum. */
  readonly services: readonly { readonly service: FargateService; readonly minTasks: number }[];
  readonly alarmEmail?: string;
  /** Percentage of requests answered with a 5xx that raises the alarm. */
  readonly maxServerErrorPercent?: number;
}

/** Alarms on what users feel (5xx, unhealthy gateway targets) and on missing capacity. */
export class Monitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly serverErrorRate: cloudwatch.Alarm;
  readonly unhealthyTargets: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic = new sns.Topic(this, 'Alarms', { enforceSSL: true });
    if (props.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.serverErrorRate = this.alarm('ServerErrorRate', {
      metric: serverErrorPercent(props.loadBalancer),
      threshold: props.maxServerErrorPercent ?? 5,
      description: 'Too many requests ended in a 5xx (from the ALB or the gateway)',
    });
    this.unhealthyTargets = this.alarm('UnhealthyGatewayTargets', {
      metric: props.gatewayTargets.metrics.unhealthyHostCount({
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
      description: 'A gateway task fails the /healthz check',
    });
    for (const { service, minTasks } of props.services) {
      this.alarm(`${service.node.id}BelowMinimum`, {
        metric: runningTasks(service),
        threshold: minTasks,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        // No data at all means no task reports: as bad as too few.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description: `${service.node.id} runs fewer tasks than its minimum of ${minTasks}`,
      });
    }
  }

  private alarm(id: string, options: AlarmOptions): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator:
        options.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: options.treatMissingData ?? cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.alarmTopic));
    alarm.addOkAction(new actions.SnsAction(this.alarmTopic));
    return alarm;
  }
}

interface AlarmOptions {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly description: string;
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  readonly treatMissingData?: cloudwatch.TreatMissingData;
}

function serverErrorPercent(loadBalancer: elbv2.ApplicationLoadBalancer): cloudwatch.IMetric {
  const period = Duration.minutes(1);
  const metrics = loadBalancer.metrics;
  return new cloudwatch.MathExpression({
    expression: 'IF(requests > 0, 100 * (FILL(elb5xx, 0) + FILL(target5xx, 0)) / requests, 0)',
    usingMetrics: {
      requests: metrics.requestCount({ period }),
      elb5xx: metrics.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { period }),
      target5xx: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period }),
    },
    label: '5xx %',
    period,
  });
}

/** Published by Container Insights, which the cluster enables. */
function runningTasks({ service }: FargateService): cloudwatch.IMetric {
  return new cloudwatch.Metric({
    namespace: 'ECS/ContainerInsights',
    metricName: 'RunningTaskCount',
    dimensionsMap: { ClusterName: service.cluster.clusterName, ServiceName: service.serviceName },
    statistic: 'Minimum',
    period: Duration.minutes(1),
  });
}
