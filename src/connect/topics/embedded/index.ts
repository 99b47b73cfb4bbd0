export { EmbeddedTopicBackend, type EmbeddedTopicBackendOptions } from './backend.js';
export type { FsyncPolicy } from './log-config.js';
