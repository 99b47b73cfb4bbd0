export { KMeansSinkConnector } from './connector.js';
export { KMeansSinkTask } from './task.js';
export { KMEANS_CONFIG_DEF, parseKMeansConfig, type KMeansConfig } from './config.js';
export { FlinkOnlineKMeans, flinkLocalUpdate } from './flink.js';
export { SparkStreamingKMeans, sparkUpdate, decayFromHalfLife } from './spark.js';
export { KMeansModel } from './model.js';
export { distanceMeasure, findClosest, type DistanceMeasure } from './distance.js';
export { formatPrediction } from './output.js';
