export { TfjsClassifierSinkConnector } from './connector.js';
export { TfjsClassifierSinkTask } from './task.js';
export { TFJS_CONFIG_DEF, parseTfjsConfig, type TfjsConfig } from './config.js';
export { Classifier, type ClassifierShape } from './model.js';
export { initBackend } from './backend.js';
export { SampleStore, parseCsv } from './samples.js';
