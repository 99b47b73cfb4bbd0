export * from './config-def.js';
export * from './connector.js';
export * from './converter.js';
export * from './plugin.js';
export * from './transformation.js';
export * from './metrics.js';
