/** The text of one prediction record, in the format of the demo the user comes from. */
import { javaDouble, javaDoubleArray } from '../common/java-format.js';
import type { OutputFormat } from './config.js';

export interface KMeansPrediction {
  features: ArrayLike<number>;
  cluster: number;
  label: number | undefined;
  modelVersion: number;
}

export function formatPrediction(format: OutputFormat, p: KMeansPrediction): string {
  switch (format) {
    case 'flink':
      // String.format("%s is classified as %s", DenseVector, prediction)
      return `${javaDoubleArray(p.features)} is classified as ${p.cluster}`;
    case 'spark':
      // predictOnValues over (label: Double, features) pairs prints the tuple (label,cluster)
      return `(${p.label === undefined ? 'null' : javaDouble(p.label)},${p.cluster})`;
    case 'json':
      return JSON.stringify({
        features: Array.from(p.features),
        prediction: p.cluster,
        ...(p.label === undefined ? {} : { label: p.label }),
        modelVersion: p.modelVersion,
      });
  }
}
