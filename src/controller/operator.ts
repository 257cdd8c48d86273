// The operator: one manager running the controller of every kind, For(IngestionCluster) and
// For(IngestionJob), with the image their children run unless a spec names another.
import { clusterController } from './cluster/cluster-controller.ts';
import { DEFAULT_IMAGE } from './constants.ts';
import { jobController } from './job/job-controller.ts';
import { INGESTION_CLUSTER, INGESTION_JOB } from './kinds.ts';
import { registerResourceMetrics } from './metrics/resource-metrics.ts';
import type { ControllerFactory } from './runtime/controller.ts';
import { Manager, type ManagerOptions } from './runtime/manager.ts';

export const OPERATOR_CONTROLLERS: readonly ControllerFactory[] = [clusterController, jobController];

export type OperatorOptions = Omit<ManagerOptions, 'controllers' | 'image'> & Partial<Pick<ManagerOptions, 'controllers' | 'image'>>;

export function createOperator(options: OperatorOptions): Manager {
  const manager = new Manager({ ...options, controllers: options.controllers ?? [...OPERATOR_CONTROLLERS], image: options.image ?? DEFAULT_IMAGE });
  const [clusters, jobs] = [manager.informers.for(INGESTION_CLUSTER), manager.informers.for(INGESTION_JOB)];
  registerResourceMetrics(manager.metrics.registry, { clusters: () => clusters.list(), jobs: () => jobs.list(), isLeader: () => manager.isLeader });
  return manager;
}
