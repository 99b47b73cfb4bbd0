/**
 * The running model tasks, by connector name, for the REST layer (`GET /ml/{connector}`,
 * `POST /ml/{connector}/predict`). A model task registers itself in `start` and leaves in `stop`.
 */

/** What the REST layer can ask a model task. */
export interface MlTask {
  /** Model version, samples seen, metrics; JSON-serialisable. */
  status(): MlStatus;
  /** Predicts one input: an array of numbers, or an object of named features (field name → number). */
  predict(input: MlPredictInput): Promise<MlPrediction>;
}

export type MlPredictInput = number[] | Record<string, unknown>;

export interface MlStatus {
  connector: string;
  task: number;
  kind: 'kmeans' | 'tfjs';
  modelVersion: number;
  samplesSeen: number;
  predictions: number;
  metrics: Record<string, number | null>;
  [extra: string]: unknown;
}

export interface MlPrediction {
  prediction: number | null;
  modelVersion: number;
  [extra: string]: unknown;
}

/** connector name → task. The model sinks run one task per connector. */
export const mlTasks = new Map<string, MlTask>();

export function registerMlTask(connector: string, task: MlTask): void {
  mlTasks.set(connector, task);
}

/** Removes the entry only when it still belongs to `task` (a restarted task may have replaced it). */
export function unregisterMlTask(connector: string, task: MlTask): void {
  if (mlTasks.get(connector) === task) mlTasks.delete(connector);
}
