// The operator: one manager running the controller of every kind, For(IngestionCluster) and
// For(IngestionJob), with the image their children run unless a spec names another.
import { clusterController } from './cluster/cluster-controller.ts';
import { DEFAULT_IMAGE } from './constants.ts';
import { jobController } from './job/job-controller.ts';
import type { ControllerFactory } from './runtime/controller.ts';
import { Manager, type ManagerOptions } from './runtime/manager.ts';

export const OPERATOR_CONTROLLERS: readonly ControllerFactory[] = [clusterController, jobController];

export type OperatorOptions = Omit<ManagerOptions, 'controllers' | 'image'> & Partial<Pick<ManagerOptions, 'controllers' | 'image'>>;

export function createOperator(options: OperatorOptions): Manager {
  return new Manager({ ...options, controllers: options.controllers ?? [...OPERATOR_CONTROLLERS], image: options.image ?? DEFAULT_IMAGE });
}
