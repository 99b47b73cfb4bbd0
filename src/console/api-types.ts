/**
 * The JSON shapes of the console's `/ui/api/*` answers, shared by the server (src/console) and the page
 * (ui/src, a separate tsconfig bundled by esbuild). Type-only and import-free, so the page's type check
 * does not pull in the server's modules.
 */

/** One point of a model sink's series (`GET /ui/api/history`). */
export interface ModelPoint {
  t: number;
  version: number;
  samples: number;
  predictions: number;
  accuracy: number | null;
  prequential: number | null;
}

/** One point of a source connector's series (`GET /ui/api/history`). */
export interface SourcePoint {
  t: number;
  /** Sum of the end offsets of the connector's active topics. */
  records: number | null;
  retainedWalBytes?: number | null;
  confirmedLagBytes?: number | null;
  [metric: string]: number | null | undefined;
}

/** `GET /ui/api/history`. */
export interface History {
  now: number;
  models: Record<string, ModelPoint[]>;
  sources: Record<string, SourcePoint[]>;
}

/** One image of `GET /ui/api/models/{connector}/digits`. */
export interface Digit {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  /** Image side (28 for MNIST); pixels are row-major bytes, base64. */
  size: number;
  pixels: string;
  label: number | null;
  prediction: number | null;
  probability: number | null;
  /** Where the prediction comes from: the sink's predictions topic, the running model, or none yet. */
  source: 'topic' | 'model' | null;
}

/** `GET /ui/api/models/{connector}/digits`. */
export interface DigitsAnswer {
  topic: string | null;
  predictionsTopic: string;
  digits: Digit[];
}
