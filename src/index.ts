/** The tsconnect package's public API. */
export * from './connect/api/index.js';
export * from './connect/data/index.js';
export * from './connect/errors.js';
export { startStandalone, type StandaloneWorker } from './connect/connect-standalone.js';
export { PluginRegistry } from './connect/runtime/plugins.js';
export type { TopicBackend } from './connect/topics/types.js';
export * from './engine/index.js';
