// Prometheus metrics of the controller.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sluice_controller_' });
  return {
    registry,
    reconciles: new Counter({ name: 'sluice_controller_reconciles_total', help: 'Reconciles by controller and result.', labelNames: ['controller', 'result'], registers: [registry] }),
    reconcileSeconds: new Histogram({
      name: 'sluice_controller_reconcile_duration_seconds',
      help: 'Reconcile duration by controller and result.',
      labelNames: ['controller', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    errors: new Counter({ name: 'sluice_controller_errors_total', help: 'Reconcile errors by typed error name.', labelNames: ['controller', 'error'], registers: [registry] }),
    queueDepth: new Gauge({ name: 'sluice_controller_workqueue_depth', help: 'Keys waiting in the work queue.', labelNames: ['controller'], registers: [registry] }),
    applies: new Counter({ name: 'sluice_controller_applies_total', help: 'Server-side applies of children by kind.', labelNames: ['kind'], registers: [registry] }),
    informerUp: new Gauge({ name: 'sluice_controller_informer_up', help: '1 while an informer is watching.', labelNames: ['resource'], registers: [registry] }),
    clusterApiRequests: new Counter({
      name: 'sluice_controller_cluster_api_requests_total',
      help: "Requests to clusters' APIs by operation and outcome (HTTP status, or ClusterApiUnavailable).",
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    desiredWorkers: new Gauge({
      name: 'sluice_controller_autoscaler_desired_workers',
      help: "The Builtin autoscaler's decision per cluster.",
      labelNames: ['namespace', 'cluster'],
      registers: [registry],
    }),
    autoscalerDecisions: new Counter({
      name: 'sluice_controller_autoscaler_decisions_total',
      help: 'Builtin autoscaler decisions by reason (ScaleUp, ScaleDown, Hold, Activation, ScaleToZero, Fallback, MetricUnavailable, Clamped).',
      labelNames: ['reason'],
      registers: [registry],
    }),
    autoscalerScales: new Counter({
      name: 'sluice_controller_autoscaler_scales_total',
      help: 'Changes of the worker count by the Builtin autoscaler, by direction (up, down).',
      labelNames: ['direction'],
      registers: [registry],
    }),
    leader: new Gauge({ name: 'sluice_controller_leader', help: '1 while this process holds the lease.', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
