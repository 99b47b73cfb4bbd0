/**
 * The model sinks' metrics (`tsconnect:type=ml-sink-metrics,connector=..,task=..,kind=kmeans|tfjs`), read from
 * each running model task's `status()` once per scrape: model version, samples seen, predictions, accuracy
 * (either model's: tfjs `accuracy`, k-means `predictionAccuracy`), and every other numeric metric the
 * task reports, under its name in kebab-case (`prequentialAccuracy` -> `prequential-accuracy`).
 * Only tasks running on this worker are shown (the registry of model tasks is per process).
 */
import type { Group } from '../connect/metrics/connect-metrics.js';
import type { ConnectMetrics } from '../connect/metrics/connect-metrics.js';
import { type MlStatus, mlTasks } from '../../ml-sinks/common/registry.js';

interface Entry {
  status: MlStatus;
  signature: string;
  group: Group;
}

export function kebab(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** Keeps one group per running model task; returns a function that removes them. */
export function installMlSinkMetrics(metrics: ConnectMetrics, runsHere: (connector: string) => boolean): () => void {
  const entries = new Map<string, Entry>();
  const refresh = async (): Promise<void> => {
    const seen = new Set<string>();
    for (const [connector, task] of mlTasks) {
      if (!runsHere(connector)) continue;
      let status: MlStatus;
      try {
        status = task.status();
      } catch {
        continue;
      }
      seen.add(connector);
      const keys = Object.keys(status.metrics).filter((k) => status.metrics[k] !== null && typeof status.metrics[k] === 'number');
      const signature = `${status.task}|${status.kind}|${keys.join(',')}`;
      let entry = entries.get(connector);
      if (entry && entry.signature === signature) {
        entry.status = status;
        continue;
      }
      entry?.group.close();
      const group = metrics.group('tsconnect', 'ml-sink-metrics', { connector, task: String(status.task), kind: status.kind }, { connector, task: status.task });
      const e: Entry = { status, signature, group };
      group
        .gauge('model-version', () => e.status.modelVersion, 'Version of the model (incremented at each update; -1 before the first).')
        .gauge('samples-seen-total', () => e.status.samplesSeen, 'Samples the model has trained on.')
        .gauge('predictions-total', () => e.status.predictions, 'Predictions the sink has made.')
        .gauge('accuracy', () => e.status.metrics['accuracy'] ?? e.status.metrics['predictionAccuracy'] ?? null, 'Accuracy of the predictions on labelled records (tfjs: accuracy, k-means: predictionAccuracy).');
      for (const k of keys) {
        if (k === 'accuracy') continue;
        group.gauge(kebab(k), () => e.status.metrics[k] ?? null, `The model's ${k} metric.`);
      }
      entries.set(connector, e);
    }
    for (const [connector, e] of entries) {
      if (!seen.has(connector)) {
        e.group.close();
        entries.delete(connector);
      }
    }
  };
  const remove = metrics.beforeScrape(refresh);
  return () => {
    remove();
    for (const e of entries.values()) e.group.close();
    entries.clear();
  };
}
